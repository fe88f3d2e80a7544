"""Elementwise ops: arithmetic, math functions, comparisons, logic. Forward and backward together.

Binary ops promote dtypes the PyTorch way and broadcast with PyTorch's error message; the
backward formulas return gradients of the broadcast shape, and the autograd engine sums them
back to each operand's shape.
"""
from __future__ import annotations

import math

import numpy as np

from .. import dtypes
from ..tensor import Tensor
from .registry import (TORCH_FUNCTIONS, broadcast_shapes, defop, expose, operand, run_inplace,
                       scalar_tensor)

np.seterr(all="ignore")  # PyTorch yields inf/nan silently; NumPy would warn


def _float_dtype(t: Tensor) -> np.dtype:
    """Math functions compute integers in the default float dtype, like PyTorch."""
    return t.dtype.np if t.dtype.is_floating_point else dtypes.get_default_dtype().np


# ---- unary ops: name, grad_fn, NumPy forward, formula text and backward, side by side --------
def _unary(name: str, grad_fn: str | None, np_fn, formula: str | None = None, backward=None,
           saves=(), to_float: bool = True, method: bool = True):
    def forward(a, *, dtype):
        return np_fn(a.astype(dtype, copy=False)) if a.dtype != dtype else np_fn(a)

    op = defop(name, grad_fn, saves=saves, formulas={"self": formula} if formula else {})(forward)
    if backward is not None:
        op.derivative(backward)

    def fn(input: Tensor, *, out=None) -> Tensor:
        dt = _float_dtype(input) if to_float else input.dtype.np
        return _out(op(input, dtype=dt), out)

    def fn_(self: Tensor) -> Tensor:
        return run_inplace(op, self, (), {"dtype": self.dtype.np})

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"torch.{name}: elementwise, d/dx from the op registry ({grad_fn})."
    expose(fn, name, method=method)
    expose(fn_, name + "_", function=False)
    return op


def _out(result: Tensor, out: Tensor | None) -> Tensor:
    if out is None:
        return result
    from .views import copy_into_out
    return copy_into_out(out, result)


def _zeros(grad, s):
    return grad * 0


LN2, LN10 = math.log(2.0), math.log(10.0)

EXP = _unary("exp", "ExpBackward0", np.exp, "grad * result", lambda g, s: g * s.result, ("result",))
_unary("exp2", "Exp2Backward0", np.exp2, "grad * result * ln(2)",
       lambda g, s: g * s.result * LN2, ("result",))
_unary("expm1", "Expm1Backward0", np.expm1, "grad * (result + 1)",
       lambda g, s: g * (s.result + 1), ("result",))
LOG = _unary("log", "LogBackward0", np.log, "grad / self", lambda g, s: g / s.self, ("self",))
_unary("log2", "Log2Backward0", np.log2, "grad / (self * ln(2))",
       lambda g, s: g / (s.self * LN2), ("self",))
_unary("log10", "Log10Backward0", np.log10, "grad / (self * ln(10))",
       lambda g, s: g / (s.self * LN10), ("self",))
_unary("log1p", "Log1PBackward0", np.log1p, "grad / (self + 1)",
       lambda g, s: g / (s.self + 1), ("self",))
SQRT = _unary("sqrt", "SqrtBackward0", np.sqrt, "grad / (2 * result)",
              lambda g, s: g / (2 * s.result), ("result",))
_unary("rsqrt", "RsqrtBackward0", lambda a: 1 / np.sqrt(a), "-0.5 * grad * result³",
       lambda g, s: -0.5 * g * s.result.pow(3), ("result",))
_unary("sin", "SinBackward0", np.sin, "grad * cos(self)", lambda g, s: g * s.self.cos(), ("self",))
_unary("cos", "CosBackward0", np.cos, "grad * -sin(self)",
       lambda g, s: g * -s.self.sin(), ("self",))
_unary("tan", "TanBackward0", np.tan, "grad * (1 + result²)",
       lambda g, s: g * (1 + s.result.pow(2)), ("result",))
_unary("asin", "AsinBackward0", np.arcsin, "grad / sqrt(1 - self²)",
       lambda g, s: g * (1 - s.self.pow(2)).rsqrt(), ("self",))
_unary("acos", "AcosBackward0", np.arccos, "-grad / sqrt(1 - self²)",
       lambda g, s: -g * (1 - s.self.pow(2)).rsqrt(), ("self",))
_unary("atan", "AtanBackward0", np.arctan, "grad / (1 + self²)",
       lambda g, s: g / (s.self.pow(2) + 1), ("self",))
_unary("sinh", "SinhBackward0", np.sinh, "grad * cosh(self)",
       lambda g, s: g * s.self.cosh(), ("self",))
_unary("cosh", "CoshBackward0", np.cosh, "grad * sinh(self)",
       lambda g, s: g * s.self.sinh(), ("self",))
TANH = _unary("tanh", "TanhBackward0", np.tanh, "grad * (1 - result²)",
              lambda g, s: g * (1 - s.result.pow(2)), ("result",))


def _sigmoid(a):
    # exp(-|a|) never overflows; both branches agree where each is used.
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e)).astype(a.dtype, copy=False)


SIGMOID = _unary("sigmoid", "SigmoidBackward0", _sigmoid, "grad * result * (1 - result)",
                 lambda g, s: g * s.result * (1 - s.result), ("result",))


def _erf(a):
    from math import erf
    return np.vectorize(erf, otypes=[a.dtype])(a) if a.size else a.copy()


_unary("erf", "ErfBackward0", _erf, "grad * 2/sqrt(pi) * exp(-self²)",
       lambda g, s: g * (2 / math.sqrt(math.pi)) * (-s.self.pow(2)).exp(), ("self",))
_unary("reciprocal", "ReciprocalBackward0", lambda a: 1 / a, "-grad * result²",
       lambda g, s: -g * s.result * s.result, ("result",))
RELU = _unary("relu", "ReluBackward0", lambda a: np.maximum(a, 0).astype(a.dtype, copy=False),
              "grad * (result > 0)", lambda g, s: g * (s.result > 0), ("result",), to_float=False)
_unary("abs", "AbsBackward0", np.abs, "grad * sign(self)", lambda g, s: g * s.self.sign(),
       ("self",), to_float=False)
_unary("sign", "SignBackward0", np.sign, "0", _zeros, to_float=False)
_unary("floor", "FloorBackward0", np.floor, "0", _zeros, to_float=False)
_unary("ceil", "CeilBackward0", np.ceil, "0", _zeros, to_float=False)
_unary("trunc", "TruncBackward0", np.trunc, "0", _zeros, to_float=False)
_unary("frac", "FracBackward0", lambda a: a - np.trunc(a), "grad", lambda g, s: g,
       to_float=False)


def _neg_forward(a):
    if a.dtype == np.bool_:
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you "
                           "are trying to invert a mask, use the `~` or `logical_not()` operator "
                           "instead.")
    return np.negative(a)


NEG = _unary("neg", "NegBackward0", _neg_forward, "-grad", lambda g, s: -g, to_float=False)
neg = TORCH_FUNCTIONS["neg"]
expose(neg, "negative")


def round(input: Tensor, *, decimals: int = 0, out=None) -> Tensor:  # noqa: A001 - torch.round
    """Round half to even, like PyTorch (and NumPy)."""
    return _out(ROUND(input, decimals=decimals), out)


@defop("round", "RoundBackward0", formulas={"self": "0"})
def ROUND(a, *, decimals):
    return np.round(a, decimals)


ROUND.derivative(_zeros)
expose(round, "round")
expose(lambda self, *, decimals=0: run_inplace(ROUND, self, (), {"decimals": decimals}),
       "round_", function=False)


# ---- binary arithmetic ---------------------------------------------------------------------
def _prepare(a, b, *, true_divide: bool = False):
    """Operands as tensors, the promoted dtype and the broadcast shape (or PyTorch's error)."""
    a, b = operand(a), operand(b)
    if a.dtype is b.dtype and not true_divide:
        dt = a.dtype
    else:
        dt = dtypes.result_type(a, b)
        if true_divide and not dt.is_floating_point:
            dt = dtypes.get_default_dtype()
    return a, b, dt, broadcast_shapes(a._data.shape, b._data.shape)


def _cast(x: np.ndarray, dtype: np.dtype) -> np.ndarray:
    return x if x.dtype == dtype else x.astype(dtype)


def _binary(name, grad_fn, np_fn, formulas, backward, saves=("self", "other"), extra=()):
    def forward(a, b, *, dtype, _broadcast=None, **kw):
        return np_fn(_cast(a, dtype), _cast(b, dtype), **kw)

    op = defop(name, grad_fn, inputs=("self", "other"), saves=saves + extra,
               formulas=formulas)(forward)
    op.derivative(backward)
    return op


def _scale(grad, alpha):
    return grad if alpha == 1 else grad * alpha


ADD = _binary("add", "AddBackward0", lambda a, b, alpha=1: a + (b if alpha == 1 else b * alpha),
              {"self": "grad", "other": "grad * alpha"},
              lambda g, s: (g, _scale(g, s.alpha)), saves=(), extra=("alpha",))
SUB = _binary("sub", "SubBackward0", lambda a, b, alpha=1: a - (b if alpha == 1 else b * alpha),
              {"self": "grad", "other": "-grad * alpha"},
              lambda g, s: (g, -_scale(g, s.alpha)), saves=(), extra=("alpha",))
MUL = _binary("mul", "MulBackward0", np.multiply, {"self": "grad * other", "other": "grad * self"},
              lambda g, s: (g * s.other, g * s.self))
DIV = _binary("div", "DivBackward0", np.true_divide,
              {"self": "grad / other", "other": "-grad * self / other²"},
              lambda g, s: (g / s.other, -g * s.self / (s.other * s.other)))


def _rounded_div(a, b, rounding_mode):
    q = np.true_divide(a, b) if a.dtype.kind == "f" else None
    if rounding_mode == "floor":
        return np.floor(q) if q is not None else np.floor_divide(a, b)
    if q is not None:
        return np.trunc(q)
    return (np.sign(a) * np.sign(b) * (np.abs(a) // np.abs(b))).astype(a.dtype)


DIV_MODE = _binary("div_rounding", "DivBackward2", _rounded_div, {"self": "0", "other": "0"},
                   lambda g, s: (g * 0, g * 0), saves=("self", "other"), extra=("rounding_mode",))


def _alpha_check(dt, alpha):
    if alpha != 1 and isinstance(alpha, float) and not dt.is_floating_point:
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating "
                           "point number.")


def add(input, other, *, alpha=1, out=None) -> Tensor:
    a, b, dt, shape = _prepare(input, other)
    if dt is dtypes.bool and alpha == 1:
        return _out(LOGICAL_OR(a, b, dtype=np.bool_, _broadcast=shape), out)
    _alpha_check(dt, alpha)
    return _out(ADD(a, b, dtype=dt.np, alpha=alpha, _broadcast=shape), out)


def sub(input, other, *, alpha=1, out=None) -> Tensor:
    a, b, dt, shape = _prepare(input, other)
    if dt is dtypes.bool:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    _alpha_check(dt, alpha)
    return _out(SUB(a, b, dtype=dt.np, alpha=alpha, _broadcast=shape), out)


def mul(input, other, *, out=None) -> Tensor:
    a, b, dt, shape = _prepare(input, other)
    if dt is dtypes.bool:
        return _out(LOGICAL_AND(a, b, dtype=np.bool_, _broadcast=shape), out)
    return _out(MUL(a, b, dtype=dt.np, _broadcast=shape), out)


def div(input, other, *, rounding_mode=None, out=None) -> Tensor:
    if rounding_mode is None:
        a, b, dt, shape = _prepare(input, other, true_divide=True)
        return _out(DIV(a, b, dtype=dt.np, _broadcast=shape), out)
    if rounding_mode not in ("trunc", "floor"):
        raise ValueError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but "
                         f"found '{rounding_mode}'")
    a, b, dt, shape = _prepare(input, other)
    if not dt.is_floating_point and np.any(b._data == 0):
        raise RuntimeError("ZeroDivisionError")
    return _out(DIV_MODE(a, b, dtype=dt.np, rounding_mode=rounding_mode, _broadcast=shape), out)


def true_divide(input, other, *, out=None) -> Tensor:
    return div(input, other, out=out)


def floor_divide(input, other, *, out=None) -> Tensor:
    return div(input, other, rounding_mode="floor", out=out)


RSUB = defop("rsub", "RsubBackward1", saves=("alpha",),
             formulas={"self": "-grad * alpha"})(
    lambda a, *, other, alpha, dtype, _broadcast=None: _cast(np.asarray(other), dtype)
    - _cast(a, dtype) * alpha)
RSUB.derivative(lambda g, s: -_scale(g, s.alpha))


def rsub(input, other, *, alpha=1) -> Tensor:
    """other - input * alpha: `1 - x` in PyTorch is x.rsub(1) (grad_fn RsubBackward1)."""
    if isinstance(other, Tensor):
        return sub(other, input, alpha=alpha)
    a, b, dt, shape = _prepare(input, other)
    return RSUB(a, other=other, alpha=alpha, dtype=dt.np)


def _inplace_binary(public):
    """Tensor.add_ and friends: same promotion, result written back into self."""
    def method(self, other, **kw):
        a, b, dt, shape = _prepare(self, other, true_divide=public is div
                                   and kw.get("rounding_mode") is None)
        op, attrs = _binary_op_for(public, dt, kw)
        attrs.update(dtype=dt.np, _broadcast=shape)
        return run_inplace(op, self, (b,), attrs)
    method.__name__ = public.__name__ + "_"
    return method


def _binary_op_for(public, dt, kw):
    if public is add:
        return (LOGICAL_OR if dt is dtypes.bool else ADD), ({} if dt is dtypes.bool else
                                                            {"alpha": kw.get("alpha", 1)})
    if public is sub:
        return SUB, {"alpha": kw.get("alpha", 1)}
    if public is mul:
        return (LOGICAL_AND if dt is dtypes.bool else MUL), {}
    if kw.get("rounding_mode") is not None:
        return DIV_MODE, {"rounding_mode": kw["rounding_mode"]}
    return DIV, {}


# ---- pow ----------------------------------------------------------------------------------
@defop("pow", "PowBackward0", saves=("self", "exponent"),
       formulas={"self": "grad * exponent * self^(exponent - 1)"})
def POW_SCALAR(a, *, exponent, dtype):
    return np.power(_cast(a, dtype), np.asarray(exponent, dtype=dtype) if dtype.kind == "f"
                    else exponent)


@POW_SCALAR.derivative
def _(g, s):
    e = s.exponent
    if e == 0:
        return g * 0
    return g * e * s.self.pow(e - 1)


@defop("pow_tensor", "PowBackward1", inputs=("self", "exponent"),
       saves=("self", "exponent", "result"),
       formulas={"self": "grad * exponent * self^(exponent - 1)",
                 "exponent": "grad * result * ln(self)"})
def POW_TENSOR(a, b, *, dtype, _broadcast=None):
    return np.power(_cast(a, dtype), _cast(b, dtype))


@POW_TENSOR.derivative
def _(g, s):
    base, e, result = s.self, s.exponent, s.result
    grad_base = g * e * base.pow(e - 1)
    log_base = where((base == 0) & (e >= 0), zeros_like_scalar(base), base.log())
    return grad_base, g * result * log_base


@defop("pow_scalar_base", "PowBackward2", inputs=("exponent",), saves=("self", "result"),
       formulas={"exponent": "grad * result * ln(self)"})
def POW_SCALAR_BASE(e, *, self, dtype, _broadcast=None):
    return np.power(np.asarray(self, dtype=dtype), _cast(e, dtype))


@POW_SCALAR_BASE.derivative
def _(g, s):
    return g * s.result * math.log(s.self)


def zeros_like_scalar(t: Tensor) -> Tensor:
    return scalar_tensor(0.0)


def pow(input, exponent, *, out=None) -> Tensor:  # noqa: A001 - torch.pow
    if not isinstance(input, Tensor):
        e = operand(exponent)
        dt = dtypes.result_type(scalar_tensor(input), e)
        return _out(POW_SCALAR_BASE(e, self=input, dtype=dt.np), out)
    if isinstance(exponent, Tensor):
        a, b, dt, shape = _prepare(input, exponent)
        return _out(POW_TENSOR(a, b, dtype=dt.np, _broadcast=shape), out)
    dt = dtypes.result_type(input, exponent)
    if not dt.is_floating_point and exponent < 0:
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    return _out(POW_SCALAR(input, exponent=exponent, dtype=dt.np), out)


def square(input, *, out=None) -> Tensor:
    return pow(input, 2, out=out)


def float_power(input, exponent) -> Tensor:
    return pow(operand(input).double(), exponent.double() if isinstance(exponent, Tensor)
               else exponent)


# ---- clamp, where, maximum/minimum ---------------------------------------------------------
@defop("clamp", "ClampBackward1", saves=("self", "min", "max"),
       formulas={"self": "grad * (min <= self <= max)"})
def CLAMP(a, *, min, max, dtype):  # noqa: A002
    a = _cast(a, dtype)
    if min is not None:
        a = np.maximum(a, np.asarray(min).astype(dtype))
    if max is not None:
        a = np.minimum(a, np.asarray(max).astype(dtype))
    return a


@CLAMP.derivative
def _(g, s):
    x = s.self
    mask = None
    if s.min is not None:
        mask = x >= s.min
    if s.max is not None:
        upper = x <= s.max
        mask = upper if mask is None else mask & upper
    return g * mask


def clamp(input, min=None, max=None, *, out=None) -> Tensor:  # noqa: A002
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        result = input
        if min is not None:
            result = maximum(result, operand(min))
        if max is not None:
            result = minimum(result, operand(max))
        return _out(result, out)
    dt = dtypes.result_type(input, *(v for v in (min, max) if v is not None))
    return _out(CLAMP(input, min=min, max=max, dtype=dt.np), out)


def clamp_(self, min=None, max=None) -> Tensor:  # noqa: A002
    return run_inplace(CLAMP, self, (), {"min": min, "max": max, "dtype": self.dtype.np})


@defop("where", "WhereBackward0", inputs=("condition", "self", "other"), saves=("condition",),
       formulas={"self": "where(condition, grad, 0)", "other": "where(condition, 0, grad)"})
def WHERE(c, a, b, *, dtype, _broadcast=None):
    return np.where(c, _cast(a, dtype), _cast(b, dtype))


@WHERE.derivative
def _(g, s):
    c = s.condition
    zero = scalar_tensor(0.0)
    return None, where(c, g, zero), where(c, zero, g)


def where(condition, input=None, other=None, *, out=None):
    if input is None and other is None:
        return condition.nonzero(as_tuple=True)
    condition = operand(condition)
    if condition.dtype is not dtypes.bool and condition.dtype is not dtypes.uint8:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor "
                           f"with dtype {condition.dtype.name.capitalize()}")
    a, b = operand(input), operand(other)
    dt = dtypes.result_type(a, b)
    shape = broadcast_shapes(condition._data.shape, broadcast_shapes(a._data.shape,
                                                                      b._data.shape))
    return _out(WHERE(condition, a, b, dtype=dt.np, _broadcast=shape), out)


def _minmax(name, grad_fn, np_fn, cmp):
    def backward(g, s):
        a, b = s.self, s.other
        tie = (a == b) * 0.5
        pick_a = cmp(a, b) + tie
        pick_b = cmp(b, a) + tie
        return g * pick_a, g * pick_b
    return _binary(name, grad_fn, np_fn, {"self": f"grad where self is the {name[:3]}",
                                          "other": f"grad where other is the {name[:3]}"},
                   backward)


MAXIMUM = _minmax("maximum", "MaximumBackward0", np.maximum, lambda x, y: x > y)
MINIMUM = _minmax("minimum", "MinimumBackward0", np.minimum, lambda x, y: x < y)


def maximum(input, other, *, out=None) -> Tensor:
    a, b, dt, shape = _prepare(input, other)
    return _out(MAXIMUM(a, b, dtype=dt.np, _broadcast=shape), out)


def minimum(input, other, *, out=None) -> Tensor:
    a, b, dt, shape = _prepare(input, other)
    return _out(MINIMUM(a, b, dtype=dt.np, _broadcast=shape), out)


ATAN2 = _binary("atan2", "Atan2Backward0", np.arctan2,
                {"self": "grad * other / (self² + other²)",
                 "other": "-grad * self / (self² + other²)"},
                lambda g, s: (g * s.other / (s.self.pow(2) + s.other.pow(2)),
                              -g * s.self / (s.self.pow(2) + s.other.pow(2))))


def atan2(input, other, *, out=None) -> Tensor:
    a, b, dt, shape = _prepare(input, other, true_divide=True)
    return _out(ATAN2(a, b, dtype=dt.np, _broadcast=shape), out)


FMOD = _binary("fmod", "FmodBackward0", np.fmod, {"self": "grad"}, lambda g, s: (g, None),
               saves=())
REMAINDER = _binary("remainder", "RemainderBackward0", np.remainder, {"self": "grad"},
                    lambda g, s: (g, None), saves=())


def fmod(input, other, *, out=None) -> Tensor:
    a, b, dt, shape = _prepare(input, other)
    return _out(FMOD(a, b, dtype=dt.np, _broadcast=shape), out)


def remainder(input, other, *, out=None) -> Tensor:
    a, b, dt, shape = _prepare(input, other)
    return _out(REMAINDER(a, b, dtype=dt.np, _broadcast=shape), out)


def lerp(input, end, weight, *, out=None) -> Tensor:
    return _out(input + weight * (end - input), out)


# ---- comparisons and logic: no gradient, bool results --------------------------------------
def _predicate(name, np_fn, *, promote: bool = True, aliases=()):
    def forward(a, b, *, dtype, _broadcast=None):
        return np_fn(_cast(a, dtype), _cast(b, dtype))

    op = defop(name)(forward)
    op.inputs = ("self", "other")

    def fn(input, other, *, out=None) -> Tensor:
        a, b, dt, shape = _prepare(input, other)
        return _out(op(a, b, dtype=dt.np if promote else np.bool_, _broadcast=shape), out)

    def fn_(self, other) -> Tensor:
        a, b, dt, shape = _prepare(self, other)
        return run_inplace(op, self, (b,), {"dtype": dt.np if promote else np.bool_,
                                            "_broadcast": shape})

    fn.__name__ = name
    expose(fn, name, *aliases)
    expose(fn_, *(n + "_" for n in (name,) + aliases), function=False)
    return op


_predicate("eq", np.equal)
_predicate("ne", np.not_equal, aliases=("not_equal",))
_predicate("lt", np.less, aliases=("less",))
_predicate("le", np.less_equal, aliases=("less_equal",))
_predicate("gt", np.greater, aliases=("greater",))
_predicate("ge", np.greater_equal, aliases=("greater_equal",))
LOGICAL_AND = _predicate("logical_and", np.logical_and, promote=False)
LOGICAL_OR = _predicate("logical_or", np.logical_or, promote=False)
_predicate("logical_xor", np.logical_xor, promote=False)


def _bitwise(name, np_fn):
    def forward(a, b, *, dtype, _broadcast=None):
        return np_fn(_cast(a, dtype), _cast(b, dtype))

    op = defop(name)(forward)
    op.inputs = ("self", "other")

    def check(dt):
        if dt.is_floating_point:
            raise RuntimeError(f"\"{name}_cpu\" not implemented for "
                               f"'{dt.legacy[:-len('Tensor')]}'")

    def fn(input, other, *, out=None) -> Tensor:
        a, b, dt, shape = _prepare(input, other)
        check(dt)
        return _out(op(a, b, dtype=dt.np, _broadcast=shape), out)

    def fn_(self, other) -> Tensor:
        a, b, dt, shape = _prepare(self, other)
        check(dt)
        return run_inplace(op, self, (b,), {"dtype": dt.np, "_broadcast": shape})

    expose(fn, name)
    expose(fn_, name + "_", function=False)
    return fn


bitwise_and = _bitwise("bitwise_and", np.bitwise_and)
bitwise_or = _bitwise("bitwise_or", np.bitwise_or)
bitwise_xor = _bitwise("bitwise_xor", np.bitwise_xor)


@defop("logical_not")
def LOGICAL_NOT(a):
    return np.logical_not(a)


@defop("bitwise_not")
def BITWISE_NOT(a):
    if a.dtype.kind == "f":
        raise RuntimeError("\"bitwise_not_cpu\" not implemented for 'Float'")
    return np.invert(a)


@defop("isnan")
def ISNAN(a):
    return np.isnan(a) if a.dtype.kind == "f" else np.zeros(a.shape, dtype=bool)


@defop("isinf")
def ISINF(a):
    return np.isinf(a) if a.dtype.kind == "f" else np.zeros(a.shape, dtype=bool)


@defop("isfinite")
def ISFINITE(a):
    return np.isfinite(a) if a.dtype.kind == "f" else np.ones(a.shape, dtype=bool)


for _name, _op in (("logical_not", LOGICAL_NOT), ("bitwise_not", BITWISE_NOT),
                   ("isnan", ISNAN), ("isinf", ISINF), ("isfinite", ISFINITE)):
    expose(lambda input, *, _op=_op: _op(input), _name)
expose(lambda self: run_inplace(LOGICAL_NOT, self, (), {}), "logical_not_", function=False)


def equal(input: Tensor, other: Tensor) -> bool:
    return input.shape == other.shape and bool(np.array_equal(input._data, other._data))


def allclose(input, other, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    return bool(np.allclose(input._data, other._data, rtol=rtol, atol=atol, equal_nan=equal_nan))


def isclose(input, other, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Tensor:
    return Tensor._from_array(np.isclose(input._data, operand(other)._data, rtol=rtol, atol=atol,
                                         equal_nan=equal_nan))


for _fn in (add, sub, mul, div, true_divide, floor_divide, pow, square, clamp, where, maximum,
            minimum, atan2, fmod, remainder, lerp, equal, allclose, isclose, float_power, rsub):
    expose(_fn)
expose(clamp, "clip")
expose(mul, "multiply")
expose(div, "divide")
expose(sub, "subtract")
expose(clamp_, "clamp_", "clip_", function=False)
for _fn in (add, sub, mul, div):
    expose(_inplace_binary(_fn), _fn.__name__ + "_", function=False)
expose(_inplace_binary(mul), "multiply_", function=False)
expose(_inplace_binary(div), "divide_", function=False)
expose(_inplace_binary(sub), "subtract_", function=False)
expose(lambda self, exponent: run_inplace(POW_SCALAR, self, (), {
    "exponent": exponent, "dtype": self.dtype.np}) if not isinstance(exponent, Tensor) else
    run_inplace(POW_TENSOR, self, (exponent,), {"dtype": self.dtype.np}), "pow_", function=False)
expose(lambda self: run_inplace(POW_SCALAR, self, (), {"exponent": 2, "dtype": self.dtype.np}),
       "square_", function=False)


# ---- operators -----------------------------------------------------------------------------
def _reflected(fn):
    return lambda self, other: fn(other, self)


OPERATORS = {
    "__add__": add, "__radd__": lambda self, other: add(self, other),
    "__sub__": sub, "__rsub__": lambda self, other: rsub(self, other),
    "__mul__": mul, "__rmul__": lambda self, other: mul(self, other),
    "__truediv__": div, "__rtruediv__": lambda self, other: self.reciprocal() * other,
    "__floordiv__": floor_divide, "__rfloordiv__": _reflected(floor_divide),
    "__mod__": remainder, "__rmod__": _reflected(remainder),
    "__pow__": pow, "__rpow__": _reflected(pow),
    "__neg__": neg, "__pos__": lambda self: self,
    "__abs__": lambda self: self.abs(),
    "__eq__": lambda self, other: self.eq(other), "__ne__": lambda self, other: self.ne(other),
    "__lt__": lambda self, other: self.lt(other), "__le__": lambda self, other: self.le(other),
    "__gt__": lambda self, other: self.gt(other), "__ge__": lambda self, other: self.ge(other),
    "__and__": bitwise_and, "__rand__": lambda self, other: bitwise_and(self, other),
    "__or__": bitwise_or, "__ror__": lambda self, other: bitwise_or(self, other),
    "__xor__": bitwise_xor, "__rxor__": lambda self, other: bitwise_xor(self, other),
    "__invert__": lambda self: BITWISE_NOT(self) if self.dtype is not dtypes.bool
    else LOGICAL_NOT(self),
    "__iadd__": lambda self, other: self.add_(other),
    "__isub__": lambda self, other: self.sub_(other),
    "__imul__": lambda self, other: self.mul_(other),
    "__itruediv__": lambda self, other: self.div_(other),
    "__ipow__": lambda self, other: self.pow_(other),
    "__iand__": lambda self, other: self.bitwise_and_(other),
    "__ior__": lambda self, other: self.bitwise_or_(other),
    "__ixor__": lambda self, other: self.bitwise_xor_(other),
}
for _name, _fn in OPERATORS.items():
    expose(_fn, _name, function=False)
