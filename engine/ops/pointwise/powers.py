"""Powers: pow with a Scalar exponent (PowBackward0), a tensor exponent (PowBackward1) or a
Scalar base (PowBackward2); square and float_power are pow."""
from __future__ import annotations

import math

import numpy as np

from ... import dtypes
from ...tensor import Tensor
from ..arguments import arg_error, is_number, number, tensor_arg
from ..registry import defop, scalar_tensor
from .arithmetic import MUL_SCALAR
from .calls import in_place, operands, publish, with_out
from .iteration import finish, opmath, unsupported
from .selection import where, zero, zeros_like


def _int_pow(a, b):
    """Integer powers with PyTorch's rule for negative exponents: 1 stays 1, -1 alternates,
    anything else becomes 0 (NumPy refuses them)."""
    if a.dtype.kind == "f" or not np.any(b < 0):
        return np.power(a, b)
    neg = b < 0
    safe = np.power(a, np.where(neg, 0, b))
    odd = np.remainder(b, 2) != 0
    small = np.where(a == 1, 1, np.where(a == -1, np.where(odd, -1, 1), 0)).astype(a.dtype)
    return np.where(neg, small, safe)


@defop("pow", "PowBackward0", saves=("self", "exponent"),
       formulas={"self": "grad * exponent * self^(exponent - 1)"})
def POW_SCALAR(a, *, exponent, dtype):
    if exponent == 0:
        return finish(np.ones(a.shape, dtype), dtype, a)
    if exponent == 1:
        return finish(a.copy(), dtype, a)
    x = opmath(a, dtype)
    return finish(np.power(x, np.asarray(exponent).astype(x.dtype)), dtype, a)


@POW_SCALAR.derivative
def _(g, s):
    e, x = s.exponent, s.self  # (unpacking checks x was not modified in place, as PyTorch does)
    if e == 0 and not isinstance(e, bool):  # PyTorch's Scalar: False does not equal 0.0
        return zeros_like(g)
    return g * MUL_SCALAR(x.pow(float(e) - 1), other=float(e))   # exponent * ..., mul.Scalar


@defop("pow_tensor", "PowBackward1", inputs=("self", "exponent"),
       saves=("self", "exponent", "result"),
       formulas={"self": "grad * exponent * self^(exponent - 1)",
                 "exponent": "grad * result * ln(self), 0 where self = 0 and exponent >= 0"},
       reads={"self": ("self", "exponent"), "exponent": ("self", "exponent", "result")})
def POW_TENSOR(a, b, *, dtype, _broadcast=None):
    return finish(_int_pow(opmath(a, dtype), opmath(b, dtype)), dtype, a, b)


@POW_TENSOR.derivative
def _(g, s):
    base, e = s.self, s.exponent
    grad_base = where(e == 0.0, zero(g), g * (e * base.pow(e - 1)))
    log_base = base.to(s.result.dtype).log()
    grad_exp = g * where((base == 0) & (e >= 0), zero(g), s.result * log_base)
    return grad_base, grad_exp


@defop("pow_scalar_base", "PowBackward2", inputs=("exponent",),
       saves=("self", "exponent", "result"),
       formulas={"exponent": "grad * result * ln(self), 0 where self = 0 and exponent >= 0"})
def POW_SCALAR_BASE(e, *, self, dtype, _broadcast=None):
    if self == 1 and not isinstance(self, bool):
        return np.ones(e.shape, dtype)
    x = opmath(e, dtype)
    return np.asarray(_int_pow(np.broadcast_to(np.asarray(self).astype(x.dtype), x.shape), x)
                      ).astype(dtype)


@POW_SCALAR_BASE.derivative
def _(g, s):
    base, e, result = s.self, s.exponent, s.result
    if base == 0 and not isinstance(base, bool):  # 0 ** e: no gradient where e >= 0
        return g * where(e >= 0, zero(g), result * -math.inf)
    return g * (result * float(np.log(np.float64(base))))  # a negative base: log is nan


def _pow_scalar_exponent_check(base: Tensor, exponent) -> None:
    if (not base.dtype.is_floating_point and isinstance(exponent, (int, np.integer))
            and exponent < 0):
        raise RuntimeError("Integers to negative integer powers are not allowed.")


def _pow(name: str, input, exponent, *, inplace: bool = False):
    """Op, tensors, attrs, dtype and shape of a pow call (checked as PyTorch does)."""
    if not isinstance(input, Tensor):                         # pow(Scalar self, Tensor exponent)
        e = tensor_arg(name, exponent, "exponent", 2)
        if not is_number(input):
            raise arg_error(name, "input", 1, input)
        dt = dtypes.result_type(scalar_tensor(number(input)), e)
        if dt is dtypes.bool:  # a bool base is never "equal to 1", so no shortcut
            raise unsupported("pow", dt)
        return POW_SCALAR_BASE, (e,), {"self": number(input)}, dt, tuple(e.shape)
    if isinstance(exponent, Tensor):                          # pow(Tensor, Tensor)
        a, b, shape, dt = operands(name, input, exponent)
        if dt is dtypes.bool:
            raise unsupported("pow", dt)
        return POW_TENSOR, (a, b), {"_broadcast": shape}, dt, shape
    if not is_number(exponent):
        raise arg_error(name, "exponent", 2, exponent)
    exponent = number(exponent)                              # pow(Tensor, Scalar)
    _pow_scalar_exponent_check(input, exponent)
    dt = dtypes.result_type(input, scalar_tensor(exponent))
    return POW_SCALAR, (input,), {"exponent": exponent}, dt, tuple(input.shape)


def pow(input, exponent, *, out=None) -> Tensor:  # noqa: A001 - torch.pow
    op, tensors, attrs, dt, shape = _pow("pow", input, exponent)
    return with_out(op(*tensors, dtype=dt.np, **attrs), out)


def pow_(input, exponent) -> Tensor:
    input = tensor_arg("pow_", input)
    op, tensors, attrs, dt, shape = _pow("pow_", input, exponent, inplace=True)
    return in_place(op, tensors[0], tensors[1:], {"dtype": dt.np, **attrs}, dtype=dt,
                    shape=shape)


def square(input, *, out=None) -> Tensor:
    return pow(tensor_arg("square", input), 2, out=out)


def square_(input) -> Tensor:
    return pow_(tensor_arg("square_", input), 2)


def float_power(input, exponent, *, out=None) -> Tensor:
    """pow computed in float64, whatever the operands' dtypes."""
    def double(x):
        return x.double() if isinstance(x, Tensor) else float(number(x))
    return pow(double(input), double(exponent), out=out)


publish(pow, "pow", inplace=pow_)
publish(square, "square", inplace=square_, inplace_function=True)
publish(float_power, "float_power")
