"""Arithmetic: add, sub, mul, div (with rounding modes), remainder / fmod, rsub, the Scalar
forms ATen's own formulas call (mul.Scalar), addcmul / addcdiv and lerp.

Operands promote to a common dtype (`dtypes.result_type`) and broadcast; the backward formulas
return gradients of the broadcast shape, which the autograd engine sums back to each operand.
"""
from __future__ import annotations

import numpy as np

from ... import dtypes
from ...autograd.grad_mode import is_grad_enabled
from ...tensor import Tensor
from ..arguments import invalid_combination, is_number, number, tensor_arg
from ..registry import check_inplace_allowed, defop
from .calls import broadcast, in_place, operands, publish, true_divide_dtype, with_out
from .iteration import computed_pair, finish, opmath, unsupported
from .selection import zeros_like


# ---- add, sub, mul, div -------------------------------------------------------------------------
def _scale(g: Tensor, alpha) -> Tensor:
    return g if alpha == 1 else g * alpha


def _add(a, b, alpha):
    if a.dtype.kind == "b":
        return a | (b & bool(alpha))
    return a + b * np.asarray(alpha).astype(a.dtype)


def _sub(a, b, alpha):
    return a - (b if alpha == 1 else b * np.asarray(alpha).astype(a.dtype))


def _rsub(a, b, alpha):
    return _sub(b, a, alpha)


@defop("add", "AddBackward0", inputs=("self", "other"), saves=("alpha",),
       formulas={"self": "grad", "other": "grad * alpha"},
       reads={"self": (), "other": ("alpha",)})
def ADD(a, b, *, dtype, alpha=1, _broadcast=None):
    if alpha == 1:   # NumPy's add of bools is their `or`, as PyTorch's
        return computed_pair(np.add, a, b, dtype)
    return computed_pair(_add, a, b, dtype, alpha)


@ADD.derivative
def _(g, s):
    return g, _scale(g, s.alpha)


@defop("sub", "SubBackward0", inputs=("self", "other"), saves=("alpha",),
       formulas={"self": "grad", "other": "-grad * alpha"},
       reads={"self": (), "other": ("alpha",)})
def SUB(a, b, *, dtype, alpha=1, _broadcast=None):
    if alpha == 1:
        return computed_pair(np.subtract, a, b, dtype)
    return computed_pair(_sub, a, b, dtype, alpha)


@SUB.derivative
def _(g, s):
    return g, -_scale(g, s.alpha)


@defop("mul", "MulBackward0", inputs=("self", "other"), saves=("self", "other"),
       formulas={"self": "grad * other", "other": "grad * self"},
       reads={"self": ("other",), "other": ("self",)})
def MUL(a, b, *, dtype, _broadcast=None):
    return computed_pair(np.multiply, a, b, dtype, exact_scalar=True)   # bools: `and`


@MUL.derivative
def _(g, s):
    return g * s.other, g * s.self


@defop("div", "DivBackward0", inputs=("self", "other"), saves=("self", "other"),
       formulas={"self": "grad / other", "other": "-grad * self / other²"},
       reads={"self": ("other",), "other": ("self", "other")})
def DIV(a, b, *, dtype, _broadcast=None):
    return computed_pair(np.true_divide, a, b, dtype, exact_scalar=True)


@DIV.derivative
def _(g, s):
    return g / s.other, -g * s.self / (s.other * s.other)


def _alpha_check(dt: dtypes.dtype, alpha) -> None:
    if isinstance(alpha, (bool, np.bool_)) and dt is not dtypes.bool:
        raise RuntimeError("Boolean alpha only supported for Boolean results.")
    if isinstance(alpha, (float, np.floating)) and not dt.is_floating_point:
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating "
                           "point number.")


def _sub_check(a: Tensor, b: Tensor) -> None:
    if a.dtype is dtypes.bool and b.dtype is dtypes.bool:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    if a.dtype is dtypes.bool or b.dtype is dtypes.bool:
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")


def add(input, other, *, alpha=1, out=None) -> Tensor:
    a, b, shape, dt = operands("add", input, other)
    alpha = number(alpha)
    _alpha_check(dt, alpha)
    return with_out(ADD(a, b, dtype=dt.np, alpha=alpha, _broadcast=shape), out)


def add_(input, other, *, alpha=1) -> Tensor:
    a, b, shape, dt = operands("add_", input, other, input_number=False)
    alpha = number(alpha)
    _alpha_check(dt, alpha)
    return in_place(ADD, a, (b,), {"dtype": dt.np, "alpha": alpha, "_broadcast": shape},
                    dtype=dt, shape=shape)


def sub(input, other, *, alpha=1, out=None) -> Tensor:
    a, b, shape, dt = operands("sub", input, other)
    _sub_check(a, b)
    alpha = number(alpha)
    _alpha_check(dt, alpha)
    return with_out(SUB(a, b, dtype=dt.np, alpha=alpha, _broadcast=shape), out)


def sub_(input, other, *, alpha=1) -> Tensor:
    a, b, shape, dt = operands("sub_", input, other, input_number=False)
    _sub_check(a, b)
    alpha = number(alpha)
    _alpha_check(dt, alpha)
    return in_place(SUB, a, (b,), {"dtype": dt.np, "alpha": alpha, "_broadcast": shape},
                    dtype=dt, shape=shape)


def mul(input, other, *, out=None) -> Tensor:
    a, b, shape, dt = operands("mul", input, other)
    return with_out(MUL(a, b, dtype=dt.np, _broadcast=shape), out)


def mul_(input, other) -> Tensor:
    a, b, shape, dt = operands("mul_", input, other, input_number=False)
    return in_place(MUL, a, (b,), {"dtype": dt.np, "_broadcast": shape}, dtype=dt, shape=shape)


# ---- rsub: other - input * alpha ----------------------------------------------------------------
@defop("rsub", "RsubBackward1", saves=("alpha",), formulas={"self": "-grad * alpha"})
def RSUB(a, *, other, alpha, dtype):
    return finish(opmath(np.asarray(other), dtype) - opmath(a, dtype) * alpha, dtype, a)


@RSUB.derivative
def _(g, s):
    return -_scale(g, s.alpha)


@defop("rsub_tensor", "RsubBackward0", inputs=("self", "other"), saves=("alpha",),
       formulas={"self": "-grad * alpha", "other": "grad"},
       reads={"self": ("alpha",), "other": ()})
def RSUB_TENSOR(a, b, *, dtype, alpha=1, _broadcast=None):
    return computed_pair(_rsub, a, b, dtype, alpha)


@RSUB_TENSOR.derivative
def _(g, s):
    return -_scale(g, s.alpha), g


def rsub(input, other, *, alpha=1) -> Tensor:
    """other - input * alpha: `1 - x` is x.rsub(1) in PyTorch (grad_fn RsubBackward1)."""
    input = tensor_arg("rsub", input)
    a, b, shape, dt = operands("rsub", input, other)
    _sub_check(a, b)
    alpha = number(alpha)
    _alpha_check(dt, alpha)
    if isinstance(other, Tensor):
        return RSUB_TENSOR(a, b, dtype=dt.np, alpha=alpha, _broadcast=shape)
    return RSUB(a, other=number(other), alpha=alpha, dtype=dt.np)


# ---- division with a rounding mode, floor_divide ------------------------------------------------
def _trunc_divide(a, b):
    if a.dtype.kind == "f":
        return np.trunc(a / b)
    q = np.floor_divide(a, b)
    return np.where((np.remainder(a, b) != 0) & ((a < 0) != (b < 0)), q + 1, q).astype(a.dtype)


def _floor_divide(a, b):
    return np.floor_divide(a, b)


def _zero_division_check(b: Tensor, dt: dtypes.dtype) -> None:
    if not dt.is_floating_point and np.any(b._data == 0):
        raise RuntimeError("ZeroDivisionError")


@defop("div_rounding", "DivBackward2", inputs=("self", "other"), saves=("rounding_mode",),
       formulas={"self": "0", "other": "0"}, reads={"self": (), "other": ()})
def DIV_MODE(a, b, *, dtype, rounding_mode, _broadcast=None):
    kernel = _floor_divide if rounding_mode == "floor" else _trunc_divide
    return computed_pair(kernel, a, b, dtype)


@DIV_MODE.derivative
def _(g, s):
    return zeros_like(g), zeros_like(g)


def _not_implemented(name: str, s) -> RuntimeError:
    """The backward of an op PyTorch has no derivative for (its grad_fn is `NotImplemented`)."""
    return RuntimeError(f"derivative for aten::{name}{'_' if s.inplace else ''} is not "
                        "implemented")


@defop("floor_divide", "NotImplemented", inputs=("self", "other"), saves=("inplace",))
def FLOOR_DIVIDE(a, b, *, dtype, inplace=False, _broadcast=None):
    return finish(_floor_divide(opmath(a, dtype), opmath(b, dtype)), dtype, a, b)


@FLOOR_DIVIDE.derivative
def _(g, s):
    raise _not_implemented("floor_divide", s)


def _division(name: str, input, other, rounding_mode, *, inplace: bool = False):
    """Operands, op, attrs and dtypes of div/floor_divide/true_divide (true: float result)."""
    if rounding_mode not in (None, "trunc", "floor"):
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' "
                           f"but found '{rounding_mode}'")
    a, b, shape, dt = operands(name, input, other, input_number=not inplace)
    if rounding_mode is None:
        dt = true_divide_dtype(dt)
        return a, b, shape, dt, DIV, {}, None

    def check():
        if dt is dtypes.bool:
            raise unsupported(f"div_{rounding_mode}_cpu", dt)
        _zero_division_check(b, dt)
    op = FLOOR_DIVIDE if name.startswith("floor_divide") else DIV_MODE
    return a, b, shape, dt, op, ({} if op is FLOOR_DIVIDE else
                                 {"rounding_mode": rounding_mode}), check


def div(input, other, *, rounding_mode=None, out=None) -> Tensor:
    a, b, shape, dt, op, attrs, check = _division("div", input, other, rounding_mode)
    if check is not None:
        check()
    return with_out(op(a, b, dtype=dt.np, _broadcast=shape, **attrs), out)


def div_(input, other, *, rounding_mode=None) -> Tensor:
    a, b, shape, dt, op, attrs, check = _division("div_", input, other, rounding_mode,
                                                  inplace=True)
    return in_place(op, a, (b,), {"dtype": dt.np, "_broadcast": shape, **attrs}, dtype=dt,
                    shape=shape, check=check)


def true_divide(input, other, *, out=None) -> Tensor:
    return div(input, other, out=out)


def true_divide_(input, other) -> Tensor:
    return div_(input, other)


def floor_divide(input, other, *, out=None) -> Tensor:
    a, b, shape, dt, op, attrs, check = _division("floor_divide", input, other, "floor")
    check()
    return with_out(op(a, b, dtype=dt.np, _broadcast=shape), out)


def floor_divide_(input, other) -> Tensor:
    a, b, shape, dt, op, attrs, check = _division("floor_divide_", input, other, "floor",
                                                  inplace=True)
    return in_place(op, a, (b,), {"dtype": dt.np, "_broadcast": shape, "inplace": True},
                    dtype=dt, shape=shape, check=check)


# ---- remainder and fmod: Scalar (…Backward0) and Tensor (…Backward1) overloads ---------------
def _remainder(a, b):
    """Python's sign rule (the divisor's sign), computed the way PyTorch does: from fmod."""
    if a.dtype.kind != "f":
        return np.remainder(a, b)
    mod = np.fmod(a, b)
    return np.where((mod != 0) & ((b < 0) != (mod < 0)), mod + b, mod)


@defop("remainder", "RemainderBackward1", inputs=("self", "other"), saves=("self", "other"),
       formulas={"self": "grad", "other": "-grad * self.div(other, rounding_mode='floor')"},
       reads={"self": (), "other": ("self", "other")})
def REMAINDER(a, b, *, dtype, _broadcast=None):
    return computed_pair(_remainder, a, b, dtype)


@REMAINDER.derivative
def _(g, s):
    return g, -g * s.self.div(s.other, rounding_mode="floor")


@defop("fmod", "FmodBackward1", inputs=("self", "other"), saves=("self", "other"),
       formulas={"self": "grad", "other": "-grad * self.div(other, rounding_mode='trunc')"},
       reads={"self": (), "other": ("self", "other")})
def FMOD(a, b, *, dtype, _broadcast=None):
    return computed_pair(np.fmod, a, b, dtype)


@FMOD.derivative
def _(g, s):
    return g, -g * s.self.div(s.other, rounding_mode="trunc")


@defop("remainder_scalar", "RemainderBackward0", formulas={"self": "grad"})
def REMAINDER_SCALAR(a, *, other, dtype):
    return finish(_remainder(opmath(a, dtype), opmath(np.asarray(other), dtype)), dtype, a)


@REMAINDER_SCALAR.derivative
def _(g, s):
    return g


@defop("fmod_scalar", "FmodBackward0", formulas={"self": "grad"})
def FMOD_SCALAR(a, *, other, dtype):
    return finish(np.fmod(opmath(a, dtype), opmath(np.asarray(other), dtype)), dtype, a)


@FMOD_SCALAR.derivative
def _(g, s):
    return g


@defop("remainder_scalar_tensor", "NotImplemented", inputs=("self", "other"), saves=("inplace",))
def REMAINDER_SCALAR_TENSOR(a, b, *, dtype, inplace=False):
    return finish(_remainder(opmath(a, dtype), opmath(b, dtype)), dtype, a, b)


@REMAINDER_SCALAR_TENSOR.derivative
def _(g, s):
    raise _not_implemented("remainder", s)


def _modulo(name: str, input, other, *, inplace: bool = False):
    """Op, operands and attrs for remainder/fmod: a Python number picks the Scalar overload."""
    base = name.rstrip("_")
    if base == "fmod" and not isinstance(input, Tensor):
        raise invalid_combination("fmod", (input, other))
    a, b, shape, dt = operands(name, input, other, input_number=not inplace)

    def check():
        if dt is dtypes.bool:
            raise unsupported(f"{base}_cpu", dt)
        _zero_division_check(b, dt)
    if not isinstance(input, Tensor):
        return REMAINDER_SCALAR_TENSOR, (a, b), {}, shape, dt, check
    if isinstance(other, Tensor):
        return (REMAINDER if base == "remainder" else FMOD), (a, b), {}, shape, dt, check
    op = REMAINDER_SCALAR if base == "remainder" else FMOD_SCALAR
    return op, (a,), {"other": number(other)}, shape, dt, check


def _modulo_functions(base: str):
    """torch.<base> and Tensor.<base>_ for remainder and fmod (they differ only in the op)."""
    def function(input, other, *, out=None) -> Tensor:
        op, tensors, attrs, shape, dt, check = _modulo(base, input, other)
        check()
        return with_out(op(*tensors, dtype=dt.np, **attrs), out)

    def inplace(input, other) -> Tensor:
        op, tensors, attrs, shape, dt, check = _modulo(base + "_", input, other, inplace=True)
        return in_place(op, tensors[0], tensors[1:], {"dtype": dt.np, **attrs}, dtype=dt,
                        shape=shape, check=check)

    function.__name__, inplace.__name__ = base, base + "_"
    return function, inplace


remainder, remainder_ = _modulo_functions("remainder")
fmod, fmod_ = _modulo_functions("fmod")


# ---- a tensor times or over a Scalar, as ATen's own formulas call them (mul.Scalar) -----------
@defop("mul_scalar", "MulBackward1", saves=("other",), formulas={"self": "grad * other"})
def MUL_SCALAR(a, *, other):
    return a * np.asarray(other, dtype=a.dtype)


@MUL_SCALAR.derivative
def _(g, s):
    return MUL_SCALAR(g, other=s.other)


@defop("div_scalar", "DivBackward1", saves=("other",), formulas={"self": "grad / other"})
def DIV_SCALAR(a, *, other):
    return a / np.asarray(other, dtype=a.dtype)


@DIV_SCALAR.derivative
def _(g, s):
    return DIV_SCALAR(g, other=s.other)


# ---- addcmul, addcdiv: input + value * tensor1 (* or /) tensor2 ---------------------------------
def _addc_value(value, dtype: np.dtype):
    """The Scalar `value` in the op's dtype (an integer op truncates it, as PyTorch does)."""
    return np.asarray(number(value)).astype(dtype)


@defop("addcmul", "AddcmulBackward0", inputs=("self", "tensor1", "tensor2"),
       saves=("tensor1", "tensor2", "value"),
       formulas={"self": "grad", "tensor1": "grad * tensor2 * value",
                 "tensor2": "grad * tensor1 * value"},
       reads={"self": (), "tensor1": ("tensor2", "value"), "tensor2": ("tensor1", "value")})
def ADDCMUL(a, t1, t2, *, value, dtype, _broadcast=None):
    x, y, z = (opmath(v, dtype) for v in (a, t1, t2))
    return finish(x + _addc_value(value, x.dtype) * y * z, dtype, a, t1, t2)


@ADDCMUL.derivative
def _(g, s):
    return g, g * s.tensor2 * s.value, g * s.tensor1 * s.value


@defop("addcdiv", "AddcdivBackward0", inputs=("self", "tensor1", "tensor2"),
       saves=("tensor1", "tensor2", "value"),
       formulas={"self": "grad", "tensor1": "grad * value / tensor2",
                 "tensor2": "-grad * value * tensor1 / tensor2²"},
       reads={"self": (), "tensor1": ("tensor2", "value"),
              "tensor2": ("tensor1", "tensor2", "value")})
def ADDCDIV(a, t1, t2, *, value, dtype, _broadcast=None):
    x, y, z = (opmath(v, dtype) for v in (a, t1, t2))
    return finish(x + _addc_value(value, x.dtype) * (y / z), dtype, a, t1, t2)


@ADDCDIV.derivative
def _(g, s):
    return g, g * s.value / s.tensor2, -g * s.value * s.tensor1 / (s.tensor2 * s.tensor2)


def _addc(name: str, op, input, tensor1, tensor2, value, inplace: bool = False):
    a = tensor_arg(name, input)
    t1, t2 = tensor_arg(name, tensor1, "tensor1", 2), tensor_arg(name, tensor2, "tensor2", 3)
    if inplace and is_grad_enabled() and any(t.requires_grad for t in (a, t1, t2)):
        check_inplace_allowed(a)
    shape, dt = broadcast(name, a, t1, t2), dtypes.result_type(a, t1, t2)
    if op is ADDCDIV and not t1.dtype.is_floating_point and not t2.dtype.is_floating_point:
        raise RuntimeError("Integer division with addcdiv is no longer supported, and in a "
                           "future  release addcdiv will perform a true division of tensor1 and "
                           "tensor2. The historic addcdiv behavior can be implemented as (input "
                           "+ value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer "
                           "inputs and as (input + value * tensor1 / tensor2) for float inputs. "
                           "The future addcdiv behavior is just the latter implementation: (input "
                           "+ value * tensor1 / tensor2), for all dtypes.")
    if dt is dtypes.bool:
        raise unsupported(f"{name.rstrip('_')}_cpu_out", dt)
    return shape, dt, (a, t1, t2), {"value": number(value), "_broadcast": shape}


def _addc_functions(name: str, op):
    """torch.<name> and Tensor.<name>_ for addcmul and addcdiv (they differ only in the op)."""
    def function(input, tensor1, tensor2, *, value=1, out=None) -> Tensor:
        shape, dt, tensors, attrs = _addc(name, op, input, tensor1, tensor2, value)
        return with_out(op(*tensors, dtype=dt.np, **attrs), out)

    def inplace(input, tensor1, tensor2, *, value=1) -> Tensor:
        shape, dt, tensors, attrs = _addc(name + "_", op, input, tensor1, tensor2, value, True)
        return in_place(op, tensors[0], tensors[1:], {"dtype": dt.np, **attrs}, dtype=dt,
                        shape=shape)

    function.__name__, inplace.__name__ = name, name + "_"
    return function, inplace


addcmul, addcmul_ = _addc_functions("addcmul", ADDCMUL)
addcdiv, addcdiv_ = _addc_functions("addcdiv", ADDCDIV)


# ---- lerp: self + weight * (end - self) ---------------------------------------------------------
def _lerp_forward(s, e, w):
    # PyTorch's formula: exact at both ends, stable for weights near 1
    return np.where(np.abs(w) < 0.5, s + w * (e - s), e - (e - s) * (1 - w))


@defop("lerp", "LerpBackward0", inputs=("self", "end"), saves=("weight",),
       formulas={"self": "grad * (1 - weight)", "end": "grad * weight"},
       reads={"self": ("weight",), "end": ("weight",)})
def LERP(a, b, *, weight, dtype, _broadcast=None):
    x, y = opmath(a, dtype), opmath(b, dtype)
    return finish(_lerp_forward(x, y, np.asarray(weight).astype(x.dtype)), dtype, a, b)


@LERP.derivative
def _(g, s):
    return g * (1 - s.weight), g * s.weight


@defop("lerp_tensor", "LerpBackward1", inputs=("self", "end", "weight"),
       saves=("self", "end", "weight"),
       formulas={"self": "grad * (1 - weight)", "end": "grad * weight",
                 "weight": "grad * (end - self)"},
       reads={"self": ("weight",), "end": ("weight",), "weight": ("self", "end")})
def LERP_TENSOR(a, b, w, *, dtype, _broadcast=None):
    return finish(_lerp_forward(opmath(a, dtype), opmath(b, dtype), opmath(w, dtype)), dtype,
                  a, b, w)


@LERP_TENSOR.derivative
def _(g, s):
    return g * (1 - s.weight), g * s.weight, g * (s.end - s.self)


def _lerp(name, input, end, weight, inplace=False):
    input, end = tensor_arg(name, input), tensor_arg(name, end, "end", 2)
    if inplace and is_grad_enabled() and any(
            isinstance(t, Tensor) and t.requires_grad for t in (input, end, weight)):
        check_inplace_allowed(input)
    if end.dtype is not input.dtype:
        raise RuntimeError(f"expected dtype {input.dtype.cpp} for `end` but got dtype "
                           f"{end.dtype.cpp}")
    if isinstance(weight, Tensor):
        if weight.dtype is not input.dtype and weight.dim() > 0:
            raise RuntimeError(f"expected dtype {input.dtype.cpp} for `weight` but got dtype "
                               f"{weight.dtype.cpp}")
        shape, dt = broadcast(name, input, end, weight), dtypes.result_type(input, end, weight)
        if not dt.is_floating_point:
            raise unsupported("lerp_kernel_tensor", dt)
        return LERP_TENSOR, (input, end, weight), {"_broadcast": shape}, dt, shape
    if not is_number(weight):
        raise invalid_combination(name, (input, end, weight))
    shape, dt = broadcast(name, input, end), input.dtype
    if not dt.is_floating_point:
        raise unsupported("lerp_kernel_scalar", dt)
    return LERP, (input, end), {"weight": number(weight), "_broadcast": shape}, dt, shape


def lerp(input, end, weight, *, out=None) -> Tensor:
    op, tensors, attrs, dt, shape = _lerp("lerp", input, end, weight)
    return with_out(op(*tensors, dtype=dt.np, **attrs), out)


def lerp_(input, end, weight) -> Tensor:
    op, tensors, attrs, dt, shape = _lerp("lerp_", input, end, weight, inplace=True)
    return in_place(op, tensors[0], tensors[1:], {"dtype": dt.np, **attrs}, dtype=dt,
                    shape=shape)


publish(add, "add", inplace=add_)
publish(sub, "sub", "subtract", inplace=sub_)
publish(mul, "mul", "multiply", inplace=mul_)
publish(div, "div", "divide", inplace=div_)
publish(true_divide, "true_divide", inplace=true_divide_)
publish(floor_divide, "floor_divide", inplace=floor_divide_)
publish(remainder, "remainder", inplace=remainder_)
publish(fmod, "fmod", inplace=fmod_)
publish(rsub, "rsub", method=False)
publish(lerp, "lerp", inplace=lerp_)
publish(addcmul, "addcmul", inplace=addcmul_)
publish(addcdiv, "addcdiv", inplace=addcdiv_)
