"""Ops whose result picks, elementwise, one of their operands: where, maximum / minimum,
fmax / fmin and the clamp family. Their gradients flow to whichever operand was picked."""
from __future__ import annotations


import numpy as np

from ... import caller_warning
from ... import dtypes
from ...autograd.grad_mode import is_grad_enabled
from ...tensor import Tensor
from ..arguments import invalid_combination, is_number, number, operand, tensor_arg, arg_error
from ..registry import check_inplace_allowed, defop, expose, scalar_tensor
from .calls import broadcast, in_place, operands, publish, tensor_pair, with_out
from .iteration import cast, check_fits, computed_pair, finish, unsupported


def zero(g: Tensor) -> Tensor:
    """A 0-dim zero of g's dtype (PyTorch's `at::zeros({}, grad.options())`)."""
    return Tensor._from_array(np.zeros((), g.dtype.np))


def zeros_like(g: Tensor) -> Tensor:
    return Tensor._from_array(np.zeros(g.shape, g.dtype.np))


def masked(g: Tensor, keep: Tensor) -> Tensor:
    """grad where keep, else 0 (as where, so an inf grad gives 0, not nan). A mask of grad's
    shape calls the where op directly: where()'s argument checks have nothing to do then."""
    if keep._data.shape != g._data.shape:
        return where(keep, g, zero(g))
    return WHERE(keep, g, zero(g), dtype=g.dtype.np, _broadcast=g._data.shape)


# ---- where --------------------------------------------------------------------------------------
@defop("where", "WhereBackward0", inputs=("condition", "self", "other"), saves=("condition",),
       non_differentiable=("condition",),
       formulas={"self": "where(condition, grad, 0)", "other": "where(condition, 0, grad)"},
       reads={"self": ("condition",), "other": ("condition",)})
def WHERE(c, a, b, *, dtype, _broadcast=None):
    return finish(np.where(c, cast(a, dtype), cast(b, dtype)), dtype, c, a, b)


@WHERE.derivative
def _(g, s):
    c, nothing = s.condition, zero(g)
    return None, where(c, g, nothing), where(c, nothing, g)


def where(condition, input=None, other=None, *, out=None):
    if input is None and other is None:
        return tensor_arg("where", condition, "condition").nonzero(as_tuple=True)
    condition = tensor_arg("where", condition, "condition")
    a, b = operand("where", input, "input", 2), operand("where", other, "other", 3)
    shape = broadcast("where", condition, a, b)
    if condition.dtype is dtypes.uint8:
        caller_warning.warn("where received a uint8 condition tensor. This behavior is deprecated "
                            "and will be removed in a future version of PyTorch. Use a boolean "
                            "condition instead.")
    elif condition.dtype is not dtypes.bool:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor "
                           f"with dtype {condition.dtype.scalar_name}")
    dt = dtypes.result_type(a, b)
    if not dt.is_floating_point:   # a Python number must fit an integer result (torch checks)
        for value in (input, other):
            if not isinstance(value, Tensor):
                check_fits(number(value), dt)
    return with_out(WHERE(condition, a, b, dtype=dt.np, _broadcast=shape), out)


def _where_method(self, condition, other):
    """Tensor.where(condition, other) is torch.where(condition, self, other)."""
    return where(condition, self, other)


# ---- maximum, minimum, fmax, fmin ---------------------------------------------------------------
def _split_ties(g: Tensor, s, wins, loses) -> tuple:
    """maximum/minimum: grad to the operand that wins, half of it to each on a tie."""
    shared = where(s.self == s.other, g / 2, g)
    return masked(shared, ~loses(s.self, s.other)), masked(shared, ~wins(s.self, s.other))


@defop("maximum", "MaximumBackward0", inputs=("self", "other"), saves=("self", "other"),
       formulas={"self": "grad where self > other (half on ties)",
                 "other": "grad where other > self (half on ties)"},
       reads={"self": ("self", "other"), "other": ("self", "other")})
def MAXIMUM(a, b, *, dtype, _broadcast=None):
    return computed_pair(np.maximum, a, b, dtype, wide=False)


@MAXIMUM.derivative
def _(g, s):
    return _split_ties(g, s, wins=lambda x, y: x > y, loses=lambda x, y: x < y)


@defop("minimum", "MinimumBackward0", inputs=("self", "other"), saves=("self", "other"),
       formulas={"self": "grad where self < other (half on ties)",
                 "other": "grad where other < self (half on ties)"},
       reads={"self": ("self", "other"), "other": ("self", "other")})
def MINIMUM(a, b, *, dtype, _broadcast=None):
    return computed_pair(np.minimum, a, b, dtype, wide=False)


@MINIMUM.derivative
def _(g, s):
    return _split_ties(g, s, wins=lambda x, y: x < y, loses=lambda x, y: x > y)


@defop("fmax", "FmaxBackward0", inputs=("self", "other"), saves=("self", "other"),
       formulas={"self": "grad where self >= other or other is nan",
                 "other": "grad where other > self or self is nan"},
       reads={"self": ("self", "other"), "other": ("self", "other")})
def FMAX(a, b, *, dtype, _broadcast=None):
    return computed_pair(np.fmax, a, b, dtype, wide=False)


@FMAX.derivative
def _(g, s):
    keep = (s.self >= s.other) | s.other.isnan()
    return masked(g, keep), masked(g, ~keep)


@defop("fmin", "FminBackward0", inputs=("self", "other"), saves=("self", "other"),
       formulas={"self": "grad where self <= other or other is nan",
                 "other": "grad where other < self or self is nan"},
       reads={"self": ("self", "other"), "other": ("self", "other")})
def FMIN(a, b, *, dtype, _broadcast=None):
    return computed_pair(np.fmin, a, b, dtype, wide=False)


@FMIN.derivative
def _(g, s):
    keep = (s.self <= s.other) | s.other.isnan()
    return masked(g, keep), masked(g, ~keep)


maximum, _ = tensor_pair("maximum", MAXIMUM)
minimum, _ = tensor_pair("minimum", MINIMUM)
fmax, _ = tensor_pair("fmax", FMAX)
fmin, _ = tensor_pair("fmin", FMIN)


# ---- clamp: ClampBackward1 (numbers), ClampBackward0 (tensors), clamp_min, clamp_max ----------
@defop("clamp", "ClampBackward1", saves=("self", "min", "max"),
       formulas={"self": "grad * (min <= self <= max)"})
def CLAMP(a, *, min, max, dtype):  # noqa: A002
    x = cast(a, dtype)
    if min is not None:
        x = np.maximum(x, np.asarray(min).astype(dtype))
    if max is not None:
        x = np.minimum(x, np.asarray(max).astype(dtype))
    return finish(x, dtype, a)


@CLAMP.derivative
def _(g, s):
    x = s.self
    if s.min is not None and s.max is not None:
        return masked(g, (x >= s.min).logical_and(x <= s.max))
    return masked(g, x >= s.min if s.min is not None else x <= s.max)


# run_inplace hands every input's array to the forward, so an in-place clamp_ with one tensor
# bound passes this stand-in for the missing one (run takes None, run_inplace does not).
_NO_BOUND = Tensor._from_array(np.zeros((), np.float64))


def _bound(t):
    return None if t is None or t is _NO_BOUND or t is _NO_BOUND._data else t


@defop("clamp_tensor", "ClampBackward0", inputs=("self", "min", "max"),
       saves=("self", "min", "max"),
       formulas={"self": "grad * (min <= self <= max)",
                 "min": "grad * (self < min < max)", "max": "grad * (self > max or max < min)"},
       reads={"self": ("self", "min", "max"), "min": ("self", "min", "max"),
              "max": ("self", "min", "max")})
def CLAMP_TENSOR(a, lo, hi, *, dtype, _broadcast=None):
    lo, hi = _bound(lo), _bound(hi)
    x = cast(a, dtype)
    if lo is not None:
        x = np.maximum(x, cast(lo, dtype))
    if hi is not None:
        x = np.minimum(x, cast(hi, dtype))
    return finish(x, dtype, *(t for t in (a, lo, hi) if t is not None))


@CLAMP_TENSOR.derivative
def _(g, s):
    x, lo, hi = s.self, _bound(s.min), _bound(s.max)
    if lo is not None and hi is not None:
        return (masked(g, (x >= lo).logical_and(x <= hi)),
                masked(g, (x < lo).logical_and(lo < hi)),
                masked(g, (x > hi).logical_or(hi < lo)))
    if lo is not None:
        return masked(g, x >= lo), masked(g, x < lo), None
    return masked(g, x <= hi), None, masked(g, x > hi)


# clamp_min / clamp_max: a Scalar bound (…Backward0) or a Tensor one (…Backward1)
@defop("clamp_min", "ClampMinBackward0", saves=("self", "min"),
       formulas={"self": "grad * (self >= min)"})
def CLAMP_MIN(a, *, min, dtype):  # noqa: A002
    return finish(np.maximum(cast(a, dtype), np.asarray(min).astype(dtype)), dtype, a)


@CLAMP_MIN.derivative
def _(g, s):
    return masked(g, s.self >= s.min)


@defop("clamp_max", "ClampMaxBackward0", saves=("self", "max"),
       formulas={"self": "grad * (self <= max)"})
def CLAMP_MAX(a, *, max, dtype):  # noqa: A002
    return finish(np.minimum(cast(a, dtype), np.asarray(max).astype(dtype)), dtype, a)


@CLAMP_MAX.derivative
def _(g, s):
    return masked(g, s.self <= s.max)


@defop("clamp_min_tensor", "ClampMinBackward1", inputs=("self", "min"), saves=("self", "min"),
       formulas={"self": "grad * (self >= min)", "min": "grad * (self < min)"},
       reads={"self": ("self", "min"), "min": ("self", "min")})
def CLAMP_MIN_TENSOR(a, b, *, dtype, _broadcast=None):
    return computed_pair(np.maximum, a, b, dtype, wide=False)


@CLAMP_MIN_TENSOR.derivative
def _(g, s):
    keep = s.self >= s.min
    return masked(g, keep), masked(g, ~keep)


@defop("clamp_max_tensor", "ClampMaxBackward1", inputs=("self", "max"), saves=("self", "max"),
       formulas={"self": "grad * (self <= max)", "max": "grad * (self > max)"},
       reads={"self": ("self", "max"), "max": ("self", "max")})
def CLAMP_MAX_TENSOR(a, b, *, dtype, _broadcast=None):
    return computed_pair(np.minimum, a, b, dtype, wide=False)


@CLAMP_MAX_TENSOR.derivative
def _(g, s):
    keep = s.self <= s.max
    return masked(g, keep), masked(g, ~keep)


def _clamp_scalar_dtype(input: Tensor, bounds, inplace: bool) -> dtypes.dtype:
    """clamp with numbers: a float input keeps its dtype; otherwise the numbers promote it, and
    an in-place clamp refuses that (naming the C++ type, as PyTorch's message does)."""
    if input.dtype.is_floating_point:
        return input.dtype
    dt = dtypes.result_type(input, *(scalar_tensor(number(b)) for b in bounds))
    if inplace and dt is not input.dtype:
        raise RuntimeError(f"result type {dt.scalar_name} can't be cast to the desired output "
                           f"type {input.dtype.cpp}")
    return dt


def _clamp(name: str, input, min, max, *, inplace: bool = False):  # noqa: A002
    input = tensor_arg(name, input)
    if inplace and is_grad_enabled() and (input.requires_grad or any(
            isinstance(b, Tensor) and b.requires_grad for b in (min, max))):
        check_inplace_allowed(input)
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    tensors = [isinstance(b, Tensor) for b in (min, max) if b is not None]
    if any(tensors) and not all(tensors):
        raise invalid_combination(name, (input, *(b for b in (min, max) if b is not None)))
    if any(tensors):
        args = [input] + [b for b in (min, max) if b is not None]
        shape, dt = broadcast(name, *args), dtypes.result_type(*args)
        if inplace:
            min, max = (_NO_BOUND if b is None else b for b in (min, max))  # noqa: A001
        return CLAMP_TENSOR, (input, min, max), {"_broadcast": shape}, dt, shape, None
    dt = _clamp_scalar_dtype(input, [b for b in (min, max) if b is not None], inplace)
    for b in (min, max):
        if b is not None:
            check_fits(number(b), dt)

    def check():
        if dt is dtypes.bool:
            raise unsupported("clamp_scalar_cpu" if min is not None and max is not None else
                              f"clamp_{'min' if min is not None else 'max'}_scalar_cpu", dt)
    nan = any(b is not None and number(b) != number(b) for b in (min, max))
    return CLAMP, (input,), {"min": float("nan") if nan and min is not None else number(min),
                             "max": float("nan") if nan and max is not None else number(max)
                             }, dt, tuple(input.shape), check


def clamp(input, min=None, max=None, *, out=None) -> Tensor:  # noqa: A002
    op, tensors, attrs, dt, shape, check = _clamp("clamp", input, min, max)
    if check is not None:
        check()
    return with_out(op(*tensors, dtype=dt.np, **attrs), out)


def clamp_(input, min=None, max=None) -> Tensor:  # noqa: A002
    op, tensors, attrs, dt, shape, check = _clamp("clamp_", input, min, max, inplace=True)
    return in_place(op, tensors[0], tensors[1:], {"dtype": dt.np, **attrs}, dtype=dt,
                    shape=shape, check=check)


def _clamp_one(which: str, inplace: bool):
    scalar_op, tensor_op = (CLAMP_MIN, CLAMP_MIN_TENSOR) if which == "min" else (
        CLAMP_MAX, CLAMP_MAX_TENSOR)
    name = f"clamp_{which}" + ("_" if inplace else "")

    def fn(input, bound, **kw):
        input = tensor_arg(name, input)
        if inplace and is_grad_enabled() and (input.requires_grad or (
                isinstance(bound, Tensor) and bound.requires_grad)):
            check_inplace_allowed(input)
        if isinstance(bound, Tensor):
            a, b, shape, dt = operands(name, input, bound)
            if inplace:
                return in_place(tensor_op, a, (b,), {"dtype": dt.np, "_broadcast": shape},
                                dtype=dt, shape=shape)
            return with_out(tensor_op(a, b, dtype=dt.np, _broadcast=shape), kw.get("out"))
        if not is_number(bound):
            raise arg_error(name, which, 2, bound)
        dt = _clamp_scalar_dtype(input, [bound], inplace)
        check_fits(number(bound), dt)
        if dt is dtypes.bool:
            raise unsupported(f"clamp_{which}_scalar_cpu", dt)
        if inplace:
            return in_place(scalar_op, input, (), {which: number(bound), "dtype": dt.np},
                            dtype=dt, shape=input.shape)
        return with_out(scalar_op(input, dtype=dt.np, **{which: number(bound)}), kw.get("out"))
    fn.__name__ = fn.__qualname__ = name
    return fn


clamp_min, clamp_min_ = _clamp_one("min", False), _clamp_one("min", True)
clamp_max, clamp_max_ = _clamp_one("max", False), _clamp_one("max", True)


publish(clamp, "clamp", "clip", inplace=clamp_, inplace_function=True)
publish(clamp_min, "clamp_min", inplace=clamp_min_, inplace_function=True)
publish(clamp_max, "clamp_max", inplace=clamp_max_, inplace_function=True)
publish(maximum, "maximum")
publish(minimum, "minimum")
publish(fmax, "fmax")
publish(fmin, "fmin")
expose(where, "where", method=False)
expose(_where_method, "where", function=False)
