"""Elementwise ops: arithmetic, math functions, comparisons, logic. Forward and backward together.

Every op does what PyTorch's TensorIterator does: the operands promote to a common dtype
(`dtypes.result_type`), broadcast with PyTorch's error message, and a new result takes the memory
layout of the inputs (a channels-last input gives a channels-last result). The backward formulas
return gradients of the broadcast shape; the autograd engine sums them back to each operand.

Errors come in PyTorch's order: argument types, then for in-place ops the leaf check, then
shapes, dtypes, and last the kernel's own dtype support ("... not implemented for 'Bool'").
"""
from __future__ import annotations

import builtins
import functools
import math
import warnings

import numpy as np

from .. import dtypes
from ..autograd.grad_mode import is_grad_enabled
from ..libm import elementwise
from ..memory_format import (channels_last, is_contiguous, is_non_overlapping_and_dense,
                             iterator_strides, strides_for)
from ..tensor import Tensor
from .activation_grads import SIGMOID_BACKWARD, TANH_BACKWARD
from .registry import (TORCH_FUNCTIONS, check_inplace_allowed, check_no_internal_overlap, defop,
                       expose, op_failed, run_inplace, scalar_tensor)

np.seterr(all="ignore")  # PyTorch yields inf/nan silently; NumPy would warn

_bool = builtins.bool


# ---- arguments --------------------------------------------------------------------------------
def _type_name(value) -> str:
    t = type(value)
    return t.__name__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__name__}"


def _is_number(value) -> _bool:
    return isinstance(value, (_bool, int, float, np.bool_, np.integer, np.floating))


def _arg_error(fn: str, arg: str, pos: int, value) -> TypeError:
    """PyTorch's "argument 'other' (position 2) must be Tensor" (a method counts from 1)."""
    err = TypeError(f"{fn}(): argument '{arg}' (position {pos}) must be Tensor, not "
                    f"{_type_name(value)}")
    err.argument = (fn, arg, pos, value)
    return err


def _tensor(fn: str, value, arg: str = "input", pos: int = 1) -> Tensor:
    if not isinstance(value, Tensor):
        raise _arg_error(fn, arg, pos, value)
    return value


def _operand(fn: str, value, arg: str = "other", pos: int = 2) -> Tensor:
    """A tensor, or a Python number wrapped as a 0-dim tensor that promotes like a scalar."""
    if isinstance(value, Tensor):
        return value
    if _is_number(value):
        value = value.item() if isinstance(value, np.generic) else value
        if isinstance(value, int) and not -2 ** 63 <= value < 2 ** 63:
            raise OverflowError("int too big to convert")
        return scalar_tensor(value)
    raise _arg_error(fn, arg, pos, value)


_C_TYPES = {"uint8": "uint8_t", "int8": "int8_t", "int16": "int16_t", "int32": "int",
            "int64": "int64_t", "float16": "c10::Half", "float32": "float", "float64": "double"}


def _check_fits(value, dt: dtypes.dtype) -> None:
    """A Scalar converted to a kernel's C type must fit (an unsigned type also takes -max..-1,
    which wraps around, as c10's checked_convert allows)."""
    if dt is dtypes.bool or isinstance(value, (_bool, np.bool_)):
        return
    if dt.is_floating_point:
        fits = math.isinf(value) or math.isnan(value) or abs(value) <= np.finfo(dt.np).max
    else:
        info = np.iinfo(dt.np)
        fits = (-info.max <= value <= info.max) if info.min == 0 else \
            (info.min <= value <= info.max)
    if not fits:
        raise RuntimeError(f"value cannot be converted to type {_C_TYPES[dt.name]} without "
                           "overflow")


def _number(value):
    """A Scalar argument (alpha, a clamp bound): a Python number or a one-element tensor."""
    return value.item() if isinstance(value, (Tensor, np.generic)) else value


def _invalid_combination(fn: str, *args) -> TypeError:
    """PyTorch's overload-resolution error; a method call does not list self."""
    got = ", ".join(_type_name(a) if not isinstance(a, Tensor) else "Tensor" for a in args)
    err = TypeError(f"{fn}() received an invalid combination of arguments - got ({got}), but "
                    "expected one of:")
    err.combination = (fn, args)
    return err


def _unsupported(kernel: str, dt: dtypes.dtype) -> NotImplementedError:
    return NotImplementedError(f"\"{kernel}\" not implemented for '{dt.scalar_name}'")


def _dims(shape) -> str:
    return "[" + ", ".join(str(n) for n in shape) + "]"


def _broadcast(name: str, *tensors: Tensor) -> tuple:
    """The broadcast shape of the operands of op `name`, taken in order as TensorIterator does;
    dims are matched from the right, so the error names the rightmost one that fails."""
    shape = tensors[0]._data.shape
    for t in tensors[1:]:
        other = t._data.shape
        if other == shape:
            continue
        n = max(len(shape), len(other))
        a, b = (1,) * (n - len(shape)) + shape, (1,) * (n - len(other)) + other
        for i in reversed(range(n)):
            if a[i] != b[i] and a[i] != 1 and b[i] != 1:
                raise op_failed(name, tensors, RuntimeError(
                    f"The size of tensor a ({a[i]}) must match the size of tensor b ({b[i]}) at "
                    f"non-singleton dimension {i}"))
        shape = tuple(y if x == 1 else x for x, y in zip(a, b))
    return shape


def broadcast_shapes(*shapes):
    """torch.broadcast_shapes: the shape tensors of these shapes broadcast to (no tensors made),
    or PyTorch's message naming the failing dim (counted from the right) and argument."""
    from ..size import Size
    shapes = [(s,) if isinstance(s, int) else tuple(s) for s in shapes]
    result = [1] * max((len(s) for s in shapes), default=0)
    for k, shape in enumerate(shapes):
        for i in range(-1, -len(shape) - 1, -1):
            n = shape[i]
            if n < 0:
                raise ValueError("Attempting to broadcast a dimension with negative length!")
            if n == 1 or n == result[i]:
                continue
            if result[i] != 1:
                raise RuntimeError(f"Attempting to broadcast a dimension of length {n} at {i}! "
                                   f"Mismatching argument at index {k} had {shape}; but expected "
                                   f"shape should be broadcastable to {result}")
            result[i] = n
    return Size(result)


def _out(result: Tensor, out: Tensor | None) -> Tensor:
    if out is None:
        return result
    from .views import copy_into_out
    return copy_into_out(out, result)


# ---- the TensorIterator part of a forward: compute dtype and result layout ---------------------
_HALF = np.dtype(np.float16)


def _opmath(x: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """An operand cast to the op's dtype, then to the dtype its arithmetic runs in (half
    precision computes in float32, from values already rounded to half)."""
    if x.dtype is not dtype and x.dtype != dtype:   # identity first: NumPy's dtypes are shared
        x = x.astype(dtype)
    return x.astype(np.float32) if dtype == _HALF else x


def _cast(x: np.ndarray, dtype) -> np.ndarray:
    return x if x.dtype == dtype else x.astype(dtype)


def _finish(result, dtype, *inputs: np.ndarray) -> np.ndarray:
    """Cast a NumPy result to the op's dtype (None: keep it) and lay it out as TensorIterator
    would: C-contiguous when each input is (or is a stretched scalar, all strides 0, as a
    backward's expanded grad, which has no say in the layout), else in the inputs' dim order.
    One function, no helpers: this runs for every pointwise op."""
    result = np.asarray(result)
    if dtype is not None and result.dtype is not dtype and result.dtype != dtype:
        result = result.astype(dtype)
    order = None
    if result.ndim > 1 and result.size:
        for a in inputs:
            if not a.flags.c_contiguous and any(a.strides):
                order = _dim_order(result.shape,
                                   tuple((x.shape, x.strides, x.itemsize) for x in inputs))
                break
    if order is None:
        return result if result.flags.c_contiguous else np.ascontiguousarray(result)
    out = np.empty([result.shape[d] for d in order], result.dtype).transpose(np.argsort(order))
    out[...] = result
    return out


@functools.lru_cache(maxsize=4096)
def _dim_order(shape: tuple, inputs: tuple) -> tuple | None:
    """The outermost-first dim order of a new result of `shape` from inputs given as (shape,
    byte strides, itemsize), or None when that is plain contiguous. A pure function of
    geometry, cached: a training loop asks the same few questions every step."""
    strides = _iterator_strides(shape, inputs)
    if strides == strides_for(shape):
        return None
    return tuple(sorted(range(len(shape)), key=lambda d: strides[d], reverse=True))


def _iterator_strides(shape: tuple, inputs) -> tuple:
    """The output strides TensorIterator picks: its fast setup when every input has the output's
    shape and one shared layout, otherwise the dim order the inputs' strides suggest."""
    ins = [(a_shape, tuple(s // itemsize for s in a_strides))
           for a_shape, a_strides, itemsize in inputs]
    if all(s == shape for s, _ in ins):
        if all(is_contiguous(s, st) for s, st in ins):
            return strides_for(shape)
        if len(shape) == 4 and all(is_contiguous(s, st, channels_last) for s, st in ins):
            return strides_for(shape, channels_last)
        if (all(is_non_overlapping_and_dense(s, st) for s, st in ins)
                and len({st for _, st in ins}) == 1):
            return ins[-1][1]
    broadcast = []
    for s, st in ins:
        lead = len(shape) - len(s)
        broadcast.append((0,) * lead + tuple(0 if n == 1 and shape[lead + i] != 1 else x
                                             for i, (n, x) in enumerate(zip(s, st))))
    return iterator_strides(shape, broadcast)


def _zero(g: Tensor) -> Tensor:
    """A 0-dim zero of g's dtype (PyTorch's `at::zeros({}, grad.options())`)."""
    return Tensor._from_array(np.zeros((), g.dtype.np))


def _masked(g: Tensor, keep: Tensor) -> Tensor:
    """grad where keep, else 0 (as where, so an inf grad gives 0, not nan). A mask of grad's
    shape calls the where op directly: where()'s argument checks have nothing to do then."""
    if keep._data.shape != g._data.shape:
        return where(keep, g, _zero(g))
    return WHERE(keep, g, _zero(g), dtype=g.dtype.np, _broadcast=g._data.shape)


def _zeros_like(g: Tensor) -> Tensor:
    return Tensor._from_array(np.zeros(g.shape, g.dtype.np))


# ---- in-place: PyTorch's checks, in its order ------------------------------------------------
def _inplace(op, self: Tensor, others: tuple, attrs: dict, *, dtype: dtypes.dtype, shape,
             check=None, leaf_check: _bool = True) -> Tensor:
    """Write op(self, *others) into self: leaf check, overlap, shape, castability, kernel.

    (PyTorch's logical_and_ and friends skip the leaf check: they are not differentiable.)"""
    if leaf_check and is_grad_enabled() and (self.requires_grad
                                             or any(o.requires_grad for o in others)):
        check_inplace_allowed(self)
    check_no_internal_overlap(self)
    if tuple(shape) != tuple(self.shape):
        raise op_failed(op.name + "_", (self, *others), RuntimeError(
            f"output with shape {_dims(self.shape)} doesn't match the broadcast shape "
            f"{_dims(shape)}"))
    if not dtypes.can_cast(dtype, self.dtype):
        raise RuntimeError(f"result type {dtype.scalar_name} can't be cast to the desired output "
                           f"type {self.dtype.scalar_name}")
    if check is not None:
        check()
    return run_inplace(op, self, others, attrs)


def _publish(fn, *names, inplace=None, inplace_function: _bool = False, method: _bool = True):
    """torch.<name> and Tensor.<name> (a method's argument positions count from 1)."""
    expose(fn, *names, method=False)
    if method:
        expose(_as_method(fn), *names, function=False)
    if inplace is not None:
        expose(_as_method(inplace), *(n + "_" for n in names), function=False)
        if inplace_function:
            expose(inplace, *(n + "_" for n in names), method=False)


def _as_method(fn):
    @functools.wraps(fn)
    def method(self, *args, **kwargs):
        try:
            return fn(self, *args, **kwargs)
        except TypeError as e:
            if hasattr(e, "argument"):
                fname, arg, pos, value = e.argument
                raise _arg_error(fname, arg, pos - 1, value) from None
            if hasattr(e, "combination"):
                fname, args = e.combination
                raise _invalid_combination(fname, *args[1:]) from None
            raise
    return method


# ---- unary ops: name, grad_fn, NumPy forward, formula text and backward, side by side ---------
def _unary(name: str, grad_fn: str | None, np_fn, formula: str | None = None, backward=None,
           saves=(), *, to_float: _bool = True, check=None, aliases=(),
           inplace_function: _bool = True):
    """Declare torch.<name>, Tensor.<name> and Tensor.<name>_ for y = f(x).

    to_float: integer and bool inputs compute in the default float dtype (exp, sin, ...);
    otherwise the result keeps the input's dtype (abs, floor, ...). check(dtype) raises the
    kernel's "not implemented for" errors.
    """
    @defop(name, grad_fn, saves=saves, formulas={"self": formula} if formula else {})
    def op(a, *, dtype):
        return _finish(np_fn(_opmath(a, dtype)), dtype, a)

    if backward is not None:
        op.derivative(backward)

    def result_dtype(t: Tensor) -> dtypes.dtype:
        return dtypes.get_default_dtype() if to_float and not t.dtype.is_floating_point \
            else t.dtype

    def fn(input, *, out=None) -> Tensor:
        input = _tensor(name, input)
        if check is not None:
            check(input.dtype)
        return _out(op(input, dtype=result_dtype(input).np), out)

    def fn_(input) -> Tensor:
        input = _tensor(name + "_", input)
        dt = result_dtype(input)
        return _inplace(op, input, (), {"dtype": dt.np}, dtype=dt, shape=input.shape,
                        check=None if check is None else lambda: check(input.dtype))

    fn.__name__ = fn.__qualname__ = name
    fn_.__name__ = fn_.__qualname__ = name + "_"
    fn.__doc__ = f"torch.{name}: elementwise; d/dx from the op registry ({grad_fn})."
    _publish(fn, name, *aliases, inplace=fn_, inplace_function=inplace_function)
    return op


def _refuse(kernel: str, *refused: dtypes.dtype):
    def check(dt: dtypes.dtype) -> None:
        if dt in refused:
            raise _unsupported(kernel, dt)
    return check


def _precise(np_fn):
    """np_fn evaluated in float64 for float32 input, then rounded: NumPy's float32 exp, log,
    sin, tanh, ... are off by an ulp much more often than PyTorch's kernels, which this makes
    agree with PyTorch's results (and printing) far more often."""
    def fn(a):
        return np_fn(a.astype(np.float64)).astype(np.float32) if a.dtype == np.float32 \
            else np_fn(a)
    return fn


_INTS_AND_BOOL = (dtypes.bool, dtypes.uint8, dtypes.int8, dtypes.int16, dtypes.int32,
                  dtypes.int64)
LN2, LN10 = math.log(2.0), math.log(10.0)

EXP = _unary("exp", "ExpBackward0", _precise(np.exp), "grad * result",
             lambda g, s: g * s.result, ("result",))
_unary("exp2", "Exp2Backward0", np.exp2, "grad * result * ln(2)",
       lambda g, s: g * (s.result * LN2), ("result",))
_unary("expm1", "Expm1Backward0", _precise(np.expm1), "grad * (result + 1)",
       lambda g, s: g * (s.result + 1), ("result",))
LOG = _unary("log", "LogBackward0", _precise(np.log), "grad / self", lambda g, s: g / s.self,
             ("self",))
_unary("log2", "Log2Backward0", _precise(np.log2), "grad / (self * ln(2))",
       lambda g, s: g / (s.self * LN2), ("self",))
_unary("log10", "Log10Backward0", _precise(np.log10), "grad / (self * ln(10))",
       lambda g, s: g / (s.self * LN10), ("self",))
_unary("log1p", "Log1PBackward0", _precise(np.log1p), "grad / (self + 1)",
       lambda g, s: g / (s.self + 1), ("self",))
SQRT = _unary("sqrt", "SqrtBackward0", np.sqrt, "grad / (2 * result)",
              lambda g, s: g / MUL_SCALAR(s.result, other=2), ("result",))
_unary("rsqrt", "RsqrtBackward0", lambda a: 1 / np.sqrt(a), "-0.5 * grad * result³",
       lambda g, s: MUL_SCALAR(g, other=-0.5) * s.result.pow(3), ("result",))
_unary("sin", "SinBackward0", _precise(np.sin), "grad * cos(self)",
       lambda g, s: g * s.self.cos(), ("self",))
_unary("cos", "CosBackward0", _precise(np.cos), "grad * -sin(self)",
       lambda g, s: g * -s.self.sin(), ("self",))
_unary("tan", "TanBackward0", np.tan, "grad * (1 + result²)",
       lambda g, s: g * (1 + s.result.pow(2)), ("result",))
_unary("asin", "AsinBackward0", _precise(np.arcsin), "grad / sqrt(1 - self²)",
       lambda g, s: g * (1 - s.self * s.self).rsqrt(), ("self",), aliases=("arcsin",))
_unary("acos", "AcosBackward0", np.arccos, "-grad / sqrt(1 - self²)",
       lambda g, s: g * -(1 - s.self * s.self).rsqrt(), ("self",), aliases=("arccos",))
_unary("atan", "AtanBackward0", np.arctan, "grad / (1 + self²)",
       lambda g, s: g / (s.self * s.self + 1), ("self",), aliases=("arctan",))
_unary("sinh", "SinhBackward0", _precise(np.sinh), "grad * cosh(self)",
       lambda g, s: g * s.self.cosh(), ("self",))
_unary("cosh", "CoshBackward0", _precise(np.cosh), "grad * sinh(self)",
       lambda g, s: g * s.self.sinh(), ("self",))
TANH = _unary("tanh", "TanhBackward0", _precise(np.tanh), "grad * (1 - result²)",
              lambda g, s: TANH_BACKWARD(g, s.result), ("result",))
_unary("asinh", "AsinhBackward0", np.arcsinh, "grad / sqrt(self² + 1)",
       lambda g, s: g * (s.self * s.self + 1).rsqrt(), ("self",), aliases=("arcsinh",))
_unary("acosh", "AcoshBackward0", np.arccosh, "grad / sqrt(self² - 1)",
       lambda g, s: g * (s.self * s.self - 1).rsqrt(), ("self",), aliases=("arccosh",))
_unary("atanh", "AtanhBackward0", _precise(np.arctanh), "grad / (1 - self²)",
       lambda g, s: g / (1 - s.self * s.self), ("self",), aliases=("arctanh",))


def _sinc(a):
    x = a * a.dtype.type(math.pi)  # pi * x rounded first, as PyTorch computes it
    with np.errstate(all="ignore"):
        return np.where(a == 0, 1, _precise(np.sin)(x) / x).astype(a.dtype)


def _sinc_backward(g, s):
    x_pi, x2_pi = s.self * math.pi, s.self * s.self * math.pi
    out = g * ((x_pi * x_pi.cos()) - x_pi.sin()) / x2_pi
    return where(x2_pi == 0.0, _zero(g), out)


_unary("sinc", "SincBackward0", _sinc, "grad * (pi x cos(pi x) - sin(pi x)) / (pi x²)",
       _sinc_backward, ("self",))
_unary("deg2rad", "Deg2RadBackward0", lambda a: a * a.dtype.type(math.pi / 180),
       "grad * pi / 180", lambda g, s: g * (math.pi / 180))
_unary("rad2deg", "Rad2DegBackward0", lambda a: a * a.dtype.type(180 / math.pi),
       "grad * 180 / pi", lambda g, s: g * (180 / math.pi))


def _sigmoid(a):
    # PyTorch's 1 / (1 + exp(-a)): exp(-a) = inf for very negative a just gives 0
    return (1 / (1 + _precise(np.exp)(-a))).astype(a.dtype, copy=False)


SIGMOID = _unary("sigmoid", "SigmoidBackward0", _sigmoid, "grad * result * (1 - result)",
                 lambda g, s: SIGMOID_BACKWARD(g, s.result), ("result",))


def _vectorized(fn):
    """A math-module function over an array (NumPy has no erf); keeps the array's dtype."""
    return lambda a: elementwise(fn, a).astype(a.dtype)


TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)
_unary("erf", "ErfBackward0", _vectorized(math.erf), "grad * 2/sqrt(pi) * exp(-self²)",
       lambda g, s: g * (TWO_OVER_SQRT_PI * (-(s.self * s.self)).exp()), ("self",))
_unary("erfc", "ErfcBackward0", _vectorized(math.erfc), "-grad * 2/sqrt(pi) * exp(-self²)",
       lambda g, s: g * (-TWO_OVER_SQRT_PI * (-(s.self * s.self)).exp()), ("self",))
_unary("reciprocal", "ReciprocalBackward0", lambda a: 1 / a, "-grad * result²",
       lambda g, s: -g * (s.result * s.result), ("result",))


def _relu_check(dt):
    if dt is dtypes.bool:
        raise RuntimeError("Boolean inputs not supported for relu")


def _zero_unless(a: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """a where keep, else +0. A float is multiplied as its bits by 1 or 0: exact (-0.0 and
    NaN payloads are kept) and 3x faster than np.where."""
    bits = a.view(f"i{a.itemsize}") if a.dtype.kind == "f" else a
    return np.multiply(bits, keep).view(a.dtype)


def _relu(a: np.ndarray) -> np.ndarray:
    """PyTorch's clamp_min(a, 0): 0 where a < 0, else a as it is (-0.0 and NaN too)."""
    return _zero_unless(a, ~(a < 0))


@defop("threshold_backward", "ThresholdBackwardBackward0", inputs=("grad_output", "self"),
       saves=("self", "threshold"),
       formulas={"grad_output": "threshold_backward(grad, self, threshold)",
                 "self": "zeros_like(grad)"})
def THRESHOLD_BACKWARD(g, x, *, threshold):
    """The gradient of relu and threshold: 0 where self <= threshold, else grad (a NaN self
    lets grad through, and an inf grad is cut to 0, not multiplied into NaN)."""
    return _finish(_zero_unless(g, ~(x <= threshold)), None, g, x)


THRESHOLD_BACKWARD.derivative(lambda g, s: (
    THRESHOLD_BACKWARD(g, s.self, threshold=s.threshold), _zeros_like(g)))

RELU = _unary("relu", "ReluBackward0", _relu, "threshold_backward(grad, result, 0)",
              lambda g, s: THRESHOLD_BACKWARD(g, s.result, threshold=0), ("result",),
              to_float=False, check=_relu_check)
_unary("abs", "AbsBackward0", np.abs, "grad * sgn(self)", lambda g, s: g * s.self.sgn(),
       ("self",), to_float=False, check=_refuse("abs_cpu", dtypes.bool), aliases=("absolute",))


def _sign(a):
    if a.dtype == np.bool_:
        return a.copy()
    s = np.sign(a)
    return np.where(np.isnan(a), 0, s).astype(a.dtype) if a.dtype.kind == "f" else s


_unary("sign", "SignBackward0", _sign, "0", lambda g, s: _zeros_like(g), to_float=False,
       inplace_function=False)
_unary("sgn", "SgnBackward0", _sign, "0", lambda g, s: _zeros_like(g), to_float=False,
       inplace_function=False)
_unary("floor", "FloorBackward0", np.floor, "0", lambda g, s: _zeros_like(g), to_float=False,
       check=_refuse("floor_vml_cpu", dtypes.bool))
_unary("ceil", "CeilBackward0", np.ceil, "0", lambda g, s: _zeros_like(g), to_float=False,
       check=_refuse("ceil_vml_cpu", dtypes.bool))
_unary("trunc", "TruncBackward0", np.trunc, "0", lambda g, s: _zeros_like(g), to_float=False,
       check=_refuse("trunc_vml_cpu", dtypes.bool), aliases=("fix",))
_unary("frac", "FracBackward0", lambda a: a - np.trunc(a), "grad", lambda g, s: g,
       to_float=False, check=_refuse("frac_cpu", *_INTS_AND_BOOL))


def _neg_check(dt):
    if dt is dtypes.bool:
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you "
                           "are trying to invert a mask, use the `~` or `logical_not()` operator "
                           "instead.")


NEG = _unary("neg", "NegBackward0", np.negative, "-grad", lambda g, s: -g, to_float=False,
             check=_neg_check, aliases=("negative",))
neg = TORCH_FUNCTIONS["neg"]


def positive(input) -> Tensor:
    """+x: the same tensor (no new node), refused for bool like PyTorch."""
    input = _tensor("positive", input)
    if input.dtype is dtypes.bool:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


_publish(positive, "positive")


# round: RoundBackward0 without decimals, RoundBackward1 when decimals is given (even 0).
@defop("round", "RoundBackward0", formulas={"self": "0"})
def ROUND(a, *, dtype):
    return _finish(np.round(a), dtype, a)


@defop("round_decimals", "RoundBackward1", formulas={"self": "0"})
def ROUND_DECIMALS(a, *, decimals, dtype):
    x = _opmath(a, dtype)
    if decimals >= 0:
        ten = np.float32(10.0) ** decimals if x.dtype == np.float32 else 10.0 ** decimals
        return _finish(np.round(x * ten) / ten, dtype, a)
    ten = 10.0 ** -decimals
    return _finish(np.round(x / ten) * ten, dtype, a)


ROUND.derivative(lambda g, s: _zeros_like(g))
ROUND_DECIMALS.derivative(lambda g, s: _zeros_like(g))


class _Unset(int):
    """round's `decimals=0` default, told apart from an explicit 0 (which PyTorch treats as the
    round.decimals overload: a different kernel and grad_fn)."""


_NO_DECIMALS = _Unset(0)


def _round_op(input: Tensor, decimals):
    if decimals is _NO_DECIMALS:
        if input.dtype is dtypes.bool:
            raise _unsupported("round_vml_cpu", input.dtype)
        return ROUND, {}
    if not input.dtype.is_floating_point:
        raise _unsupported("round_vml_cpu" if decimals == 0 else "round_cpu", input.dtype)
    return ROUND_DECIMALS, {"decimals": decimals}


def round(input, *, decimals: int = _NO_DECIMALS, out=None) -> Tensor:  # noqa: A001
    """Round half to even, like PyTorch (and NumPy); decimals < 0 rounds to tens, hundreds."""
    input = _tensor("round", input)
    op, attrs = _round_op(input, decimals)
    return _out(op(input, dtype=input.dtype.np, **attrs), out)


def round_(input, *, decimals: int = _NO_DECIMALS) -> Tensor:
    input = _tensor("round_", input)
    if is_grad_enabled() and input.requires_grad:
        check_inplace_allowed(input)
    op, attrs = _round_op(input, decimals)
    return _inplace(op, input, (), {"dtype": input.dtype.np, **attrs}, dtype=input.dtype,
                    shape=input.shape)


_publish(round, "round", inplace=round_, inplace_function=True)


# logit(x, eps) = log(x / (1 - x)), x clamped to [eps, 1 - eps] when eps is given
@defop("logit", "LogitBackward0", saves=("self", "eps"),
       formulas={"self": "grad / (self * (1 - self)) inside [eps, 1 - eps], else 0 (nan)"})
def LOGIT(a, *, eps, dtype):
    x = _opmath(a, dtype)
    if eps is not None:
        x = np.clip(x, x.dtype.type(eps), x.dtype.type(1 - eps))
    return _finish(_precise(np.log)(x / (1 - x)), dtype, a)


@LOGIT.derivative
def _(g, s):
    x, eps = s.self, s.eps
    lo, hi = (0.0, 1.0) if eps is None else (eps, 1.0 - eps)
    outside = Tensor._from_array(np.array(0.0 if eps is not None else math.nan, g.dtype.np))
    return where((x >= lo).logical_and(x <= hi), g / (x * (1.0 - x)), outside)


def logit(input, eps=None, *, out=None) -> Tensor:
    input = _tensor("logit", input)
    dt = input.dtype if input.dtype.is_floating_point else dtypes.get_default_dtype()
    return _out(LOGIT(input, eps=eps, dtype=dt.np), out)


def logit_(input, eps=None) -> Tensor:
    input = _tensor("logit_", input)
    dt = input.dtype if input.dtype.is_floating_point else dtypes.get_default_dtype()
    return _inplace(LOGIT, input, (), {"eps": eps, "dtype": dt.np}, dtype=dt, shape=input.shape)


# ---- binary arithmetic -----------------------------------------------------------------------
def _args(name: str, input, other, *, input_number: _bool = True):
    """Both operands as tensors (Python numbers wrapped), their dtype and broadcast shape."""
    if isinstance(input, Tensor) and isinstance(other, Tensor) and input.dtype is other.dtype:
        shape = input._data.shape    # the common case: two tensors of one dtype keep it
        if shape == other._data.shape:
            return input, other, shape, input.dtype
    a = (_operand if input_number else _tensor)(name, input, "input", 1)
    b = _operand(name, other, "other", 2)
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise _invalid_combination(name, input, other)
    return a, b, _broadcast(name, a, b), dtypes.result_type(a, b)


def _binary(name: str, grad_fn: str | None, np_fn, formulas: dict | None = None, backward=None,
            saves=("self", "other"), *, opmath: _bool = True):
    """An op over (self, other) computed in `dtype`; np_fn gets both operands cast to it."""
    @defop(name, grad_fn, inputs=("self", "other"), saves=saves, formulas=formulas or {})
    def op(a, b, *, dtype, _broadcast=None, **kw):
        if a.dtype is dtype and b.dtype is dtype and dtype is not _HALF:   # nothing to cast
            return _finish(np_fn(a, b, **kw), dtype, a, b)
        conv = _opmath if opmath else _cast
        return _finish(np_fn(conv(a, dtype), conv(b, dtype), **kw), dtype, a, b)

    if backward is not None:
        op.derivative(backward)
    return op


def _add_forward(a, b, alpha=1):
    if a.dtype.kind == "b":
        return a | (b & _bool(alpha))
    return a + (b if alpha == 1 else b * np.asarray(alpha).astype(a.dtype))


def _sub_forward(a, b, alpha=1):
    return a - (b if alpha == 1 else b * np.asarray(alpha).astype(a.dtype))


def _scale(g: Tensor, alpha) -> Tensor:
    return g if alpha == 1 else g * alpha


ADD = _binary("add", "AddBackward0", _add_forward, {"self": "grad", "other": "grad * alpha"},
              lambda g, s: (g, _scale(g, s.alpha)), saves=("alpha",))
SUB = _binary("sub", "SubBackward0", _sub_forward, {"self": "grad", "other": "-grad * alpha"},
              lambda g, s: (g, -_scale(g, s.alpha)), saves=("alpha",))
def _scalar_opmath(np_fn):
    """mul and div of half precision by a 0-dim operand use its value in float32, unrounded
    (PyTorch's kernels read the scalar's original value for reduced float types)."""
    def op(a, b, *, dtype, _broadcast=None):
        if a.dtype is dtype and b.dtype is dtype and dtype is not _HALF:   # nothing to cast
            return _finish(np_fn(a, b), dtype, a, b)
        if b.ndim == 0 and np.dtype(dtype) == np.float16:
            return _finish(np_fn(_opmath(a, dtype), b.astype(np.float32)), dtype, a, b)
        return _finish(np_fn(_opmath(a, dtype), _opmath(b, dtype)), dtype, a, b)
    return op


MUL = defop("mul", "MulBackward0", inputs=("self", "other"), saves=("self", "other"),
            formulas={"self": "grad * other", "other": "grad * self"})(
    _scalar_opmath(lambda a, b: a & b if a.dtype.kind == "b" else a * b))
MUL.derivative(lambda g, s: (g * s.other, g * s.self))
DIV = defop("div", "DivBackward0", inputs=("self", "other"), saves=("self", "other"),
            formulas={"self": "grad / other", "other": "-grad * self / other²"})(
    _scalar_opmath(np.true_divide))
DIV.derivative(lambda g, s: (g / s.other, -g * s.self / (s.other * s.other)))


def _alpha_check(dt: dtypes.dtype, alpha) -> None:
    if isinstance(alpha, (_bool, np.bool_)) and dt is not dtypes.bool:
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
    a, b, shape, dt = _args("add", input, other)
    alpha = _number(alpha)
    _alpha_check(dt, alpha)
    return _out(ADD(a, b, dtype=dt.np, alpha=alpha, _broadcast=shape), out)


def add_(input, other, *, alpha=1) -> Tensor:
    a, b, shape, dt = _args("add_", input, other, input_number=False)
    alpha = _number(alpha)
    _alpha_check(dt, alpha)
    return _inplace(ADD, a, (b,), {"dtype": dt.np, "alpha": alpha, "_broadcast": shape},
                    dtype=dt, shape=shape)


def sub(input, other, *, alpha=1, out=None) -> Tensor:
    a, b, shape, dt = _args("sub", input, other)
    _sub_check(a, b)
    alpha = _number(alpha)
    _alpha_check(dt, alpha)
    return _out(SUB(a, b, dtype=dt.np, alpha=alpha, _broadcast=shape), out)


def sub_(input, other, *, alpha=1) -> Tensor:
    a, b, shape, dt = _args("sub_", input, other, input_number=False)
    _sub_check(a, b)
    alpha = _number(alpha)
    _alpha_check(dt, alpha)
    return _inplace(SUB, a, (b,), {"dtype": dt.np, "alpha": alpha, "_broadcast": shape},
                    dtype=dt, shape=shape)


def mul(input, other, *, out=None) -> Tensor:
    a, b, shape, dt = _args("mul", input, other)
    return _out(MUL(a, b, dtype=dt.np, _broadcast=shape), out)


def mul_(input, other) -> Tensor:
    a, b, shape, dt = _args("mul_", input, other, input_number=False)
    return _inplace(MUL, a, (b,), {"dtype": dt.np, "_broadcast": shape}, dtype=dt, shape=shape)


RSUB = defop("rsub", "RsubBackward1", saves=("alpha",), formulas={"self": "-grad * alpha"})(
    lambda a, *, other, alpha, dtype: _finish(
        _opmath(np.asarray(other), dtype) - _opmath(a, dtype) * alpha, dtype, a))
RSUB.derivative(lambda g, s: -_scale(g, s.alpha))
RSUB_TENSOR = _binary("rsub_tensor", "RsubBackward0",
                      lambda a, b, alpha=1: _sub_forward(b, a, alpha),
                      {"self": "-grad * alpha", "other": "grad"},
                      lambda g, s: (-_scale(g, s.alpha), g), saves=("alpha",))


def rsub(input, other, *, alpha=1) -> Tensor:
    """other - input * alpha: `1 - x` is x.rsub(1) in PyTorch (grad_fn RsubBackward1)."""
    input = _tensor("rsub", input)
    a, b, shape, dt = _args("rsub", input, other)
    _sub_check(a, b)
    alpha = _number(alpha)
    _alpha_check(dt, alpha)
    if isinstance(other, Tensor):
        return RSUB_TENSOR(a, b, dtype=dt.np, alpha=alpha, _broadcast=shape)
    return RSUB(a, other=_number(other), alpha=alpha, dtype=dt.np)


# ---- division ---------------------------------------------------------------------------------
def _true_divide_dtype(dt: dtypes.dtype) -> dtypes.dtype:
    return dt if dt.is_floating_point else dtypes.get_default_dtype()


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


DIV_MODE = _binary("div_rounding", "DivBackward2",
                   lambda a, b, rounding_mode: (_floor_divide if rounding_mode == "floor"
                                                else _trunc_divide)(a, b),
                   {"self": "0", "other": "0"},
                   lambda g, s: (_zeros_like(g), _zeros_like(g)), saves=("rounding_mode",))


def _not_implemented(name: str):
    """The backward of an op PyTorch has no derivative for (its grad_fn is `NotImplemented`)."""
    def backward(g, s):
        raise RuntimeError(f"derivative for aten::{name}{'_' if s.inplace else ''} is not "
                           "implemented")
    return backward


@defop("floor_divide", "NotImplemented", inputs=("self", "other"), saves=("inplace",))
def FLOOR_DIVIDE(a, b, *, dtype, inplace=False, _broadcast=None):
    return _finish(_floor_divide(_opmath(a, dtype), _opmath(b, dtype)), dtype, a, b)


FLOOR_DIVIDE.derivative(_not_implemented("floor_divide"))


def _division(name: str, input, other, rounding_mode, *, inplace: _bool = False):
    """Operands, op, attrs and dtypes of div/floor_divide/true_divide (true: float result)."""
    if rounding_mode not in (None, "trunc", "floor"):
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' "
                           f"but found '{rounding_mode}'")
    a, b, shape, dt = _args(name, input, other, input_number=not inplace)
    if rounding_mode is None:
        dt = _true_divide_dtype(dt)
        return a, b, shape, dt, DIV, {}, None

    def check():
        if dt is dtypes.bool:
            raise _unsupported(f"div_{rounding_mode}_cpu", dt)
        _zero_division_check(b, dt)
    op = FLOOR_DIVIDE if name.startswith("floor_divide") else DIV_MODE
    return a, b, shape, dt, op, ({} if op is FLOOR_DIVIDE else
                                 {"rounding_mode": rounding_mode}), check


def div(input, other, *, rounding_mode=None, out=None) -> Tensor:
    a, b, shape, dt, op, attrs, check = _division("div", input, other, rounding_mode)
    if check is not None:
        check()
    return _out(op(a, b, dtype=dt.np, _broadcast=shape, **attrs), out)


def div_(input, other, *, rounding_mode=None) -> Tensor:
    a, b, shape, dt, op, attrs, check = _division("div_", input, other, rounding_mode,
                                                  inplace=True)
    return _inplace(op, a, (b,), {"dtype": dt.np, "_broadcast": shape, **attrs}, dtype=dt,
                    shape=shape, check=check)


def true_divide(input, other, *, out=None) -> Tensor:
    return div(input, other, out=out)


def true_divide_(input, other) -> Tensor:
    return div_(input, other)


def floor_divide(input, other, *, out=None) -> Tensor:
    a, b, shape, dt, op, attrs, check = _division("floor_divide", input, other, "floor")
    check()
    return _out(op(a, b, dtype=dt.np, _broadcast=shape), out)


def floor_divide_(input, other) -> Tensor:
    a, b, shape, dt, op, attrs, check = _division("floor_divide_", input, other, "floor",
                                                  inplace=True)
    return _inplace(op, a, (b,), {"dtype": dt.np, "_broadcast": shape, "inplace": True},
                    dtype=dt, shape=shape, check=check)


# ---- remainder and fmod: Scalar (…Backward0) and Tensor (…Backward1) overloads ---------------
def _remainder(a, b):
    """Python's sign rule (the divisor's sign), computed the way PyTorch does: from fmod."""
    if a.dtype.kind != "f":
        return np.remainder(a, b)
    mod = np.fmod(a, b)
    return np.where((mod != 0) & ((b < 0) != (mod < 0)), mod + b, mod)


REMAINDER = _binary("remainder", "RemainderBackward1", _remainder,
                    {"self": "grad", "other": "-grad * self.div(other, rounding_mode='floor')"},
                    lambda g, s: (g, -g * s.self.div(s.other, rounding_mode="floor")))
FMOD = _binary("fmod", "FmodBackward1", np.fmod,
               {"self": "grad", "other": "-grad * self.div(other, rounding_mode='trunc')"},
               lambda g, s: (g, -g * s.self.div(s.other, rounding_mode="trunc")))
REMAINDER_SCALAR = defop("remainder_scalar", "RemainderBackward0", formulas={"self": "grad"})(
    lambda a, *, other, dtype: _finish(_remainder(_opmath(a, dtype), _opmath(np.asarray(other),
                                                                               dtype)), dtype, a))
REMAINDER_SCALAR.derivative(lambda g, s: g)
FMOD_SCALAR = defop("fmod_scalar", "FmodBackward0", formulas={"self": "grad"})(
    lambda a, *, other, dtype: _finish(np.fmod(_opmath(a, dtype), _opmath(np.asarray(other),
                                                                          dtype)), dtype, a))
FMOD_SCALAR.derivative(lambda g, s: g)
REMAINDER_SCALAR_TENSOR = defop("remainder_scalar_tensor", "NotImplemented",
                                inputs=("self", "other"), saves=("inplace",))(
    lambda a, b, *, dtype, inplace=False: _finish(_remainder(_opmath(a, dtype), _opmath(b, dtype)),
                                                  dtype, a, b))
REMAINDER_SCALAR_TENSOR.derivative(_not_implemented("remainder"))


def _modulo(name: str, input, other, *, inplace: _bool = False):
    """Op, operands and attrs for remainder/fmod: a Python number picks the Scalar overload."""
    base = name.rstrip("_")
    if base == "fmod" and not isinstance(input, Tensor):
        raise _invalid_combination("fmod", input, other)
    a, b, shape, dt = _args(name, input, other, input_number=not inplace)

    def check():
        if dt is dtypes.bool:
            raise _unsupported(f"{base}_cpu", dt)
        _zero_division_check(b, dt)
    if not isinstance(input, Tensor):
        return REMAINDER_SCALAR_TENSOR, (a, b), {}, shape, dt, check
    if isinstance(other, Tensor):
        return (REMAINDER if base == "remainder" else FMOD), (a, b), {}, shape, dt, check
    op = REMAINDER_SCALAR if base == "remainder" else FMOD_SCALAR
    return op, (a,), {"other": _number(other)}, shape, dt, check


def _modulo_functions(base: str):
    """torch.<base> and Tensor.<base>_ for remainder and fmod (they differ only in the op)."""
    def function(input, other, *, out=None) -> Tensor:
        op, tensors, attrs, shape, dt, check = _modulo(base, input, other)
        check()
        return _out(op(*tensors, dtype=dt.np, **attrs), out)

    def inplace(input, other) -> Tensor:
        op, tensors, attrs, shape, dt, check = _modulo(base + "_", input, other, inplace=True)
        return _inplace(op, tensors[0], tensors[1:], {"dtype": dt.np, **attrs}, dtype=dt,
                        shape=shape, check=check)

    function.__name__, inplace.__name__ = base, base + "_"
    return function, inplace


remainder, remainder_ = _modulo_functions("remainder")
fmod, fmod_ = _modulo_functions("fmod")


# ---- a tensor times or over a Scalar, as ATen's own formulas call them (mul.Scalar) -----------
@defop("mul_scalar", "MulBackward1", saves=("other",), formulas={"self": "grad * other"})
def MUL_SCALAR(a, *, other):
    return a * np.asarray(other, dtype=a.dtype)


MUL_SCALAR.derivative(lambda g, s: MUL_SCALAR(g, other=s.other))


@defop("div_scalar", "DivBackward1", saves=("other",), formulas={"self": "grad / other"})
def DIV_SCALAR(a, *, other):
    return a / np.asarray(other, dtype=a.dtype)


DIV_SCALAR.derivative(lambda g, s: DIV_SCALAR(g, other=s.other))


# ---- pow: PowBackward0 (scalar exponent), 1 (tensor exponent), 2 (scalar base) ----------------
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
        return _finish(np.ones(a.shape, dtype), dtype, a)
    if exponent == 1:
        return _finish(a.copy(), dtype, a)
    x = _opmath(a, dtype)
    return _finish(np.power(x, np.asarray(exponent).astype(x.dtype)), dtype, a)


@POW_SCALAR.derivative
def _(g, s):
    e, x = s.exponent, s.self  # (unpacking checks x was not modified in place, as PyTorch does)
    if e == 0 and not isinstance(e, _bool):  # PyTorch's Scalar: False does not equal 0.0
        return _zeros_like(g)
    return g * MUL_SCALAR(x.pow(float(e) - 1), other=float(e))   # exponent * ..., mul.Scalar


@defop("pow_tensor", "PowBackward1", inputs=("self", "exponent"),
       saves=("self", "exponent", "result"),
       formulas={"self": "grad * exponent * self^(exponent - 1)",
                 "exponent": "grad * result * ln(self)"})
def POW_TENSOR(a, b, *, dtype, _broadcast=None):
    return _finish(_int_pow(_opmath(a, dtype), _opmath(b, dtype)), dtype, a, b)


@POW_TENSOR.derivative
def _(g, s):
    base, e = s.self, s.exponent
    grad_base = where(e == 0.0, _zero(g), g * (e * base.pow(e - 1)))
    log_base = base.to(s.result.dtype).log()
    grad_exp = g * where((base == 0) & (e >= 0), _zero(g), s.result * log_base)
    return grad_base, grad_exp


@defop("pow_scalar_base", "PowBackward2", inputs=("exponent",),
       saves=("self", "exponent", "result"), formulas={"exponent": "grad * result * ln(self)"})
def POW_SCALAR_BASE(e, *, self, dtype, _broadcast=None):
    if self == 1 and not isinstance(self, _bool):
        return np.ones(e.shape, dtype)
    x = _opmath(e, dtype)
    return np.asarray(_int_pow(np.broadcast_to(np.asarray(self).astype(x.dtype), x.shape), x)
                      ).astype(dtype)


@POW_SCALAR_BASE.derivative
def _(g, s):
    base, e, result = s.self, s.exponent, s.result
    if base == 0 and not isinstance(base, _bool):  # 0 ** e: no gradient where e >= 0
        return g * where(e >= 0, _zero(g), result * -math.inf)
    return g * (result * float(np.log(np.float64(base))))  # a negative base: log is nan


def _pow_scalar_exponent_check(base: Tensor, exponent) -> None:
    if (not base.dtype.is_floating_point and isinstance(exponent, (int, np.integer))
            and exponent < 0):
        raise RuntimeError("Integers to negative integer powers are not allowed.")


def _pow(name: str, input, exponent, *, inplace: _bool = False):
    """Op, tensors, attrs, dtype and shape of a pow call (checked as PyTorch does)."""
    if not isinstance(input, Tensor):                         # pow(Scalar self, Tensor exponent)
        e = _tensor(name, exponent, "exponent", 2)
        if not _is_number(input):
            raise _arg_error(name, "input", 1, input)
        dt = dtypes.result_type(scalar_tensor(_number(input)), e)
        if dt is dtypes.bool:  # a bool base is never "equal to 1", so no shortcut
            raise _unsupported("pow", dt)
        return POW_SCALAR_BASE, (e,), {"self": _number(input)}, dt, tuple(e.shape)
    if isinstance(exponent, Tensor):                          # pow(Tensor, Tensor)
        a, b, shape, dt = _args(name, input, exponent)
        if dt is dtypes.bool:
            raise _unsupported("pow", dt)
        return POW_TENSOR, (a, b), {"_broadcast": shape}, dt, shape
    if not _is_number(exponent):
        raise _arg_error(name, "exponent", 2, exponent)
    exponent = _number(exponent)                              # pow(Tensor, Scalar)
    _pow_scalar_exponent_check(input, exponent)
    dt = dtypes.result_type(input, scalar_tensor(exponent))
    return POW_SCALAR, (input,), {"exponent": exponent}, dt, tuple(input.shape)


def pow(input, exponent, *, out=None) -> Tensor:  # noqa: A001 - torch.pow
    op, tensors, attrs, dt, shape = _pow("pow", input, exponent)
    return _out(op(*tensors, dtype=dt.np, **attrs), out)


def pow_(input, exponent) -> Tensor:
    input = _tensor("pow_", input)
    op, tensors, attrs, dt, shape = _pow("pow_", input, exponent, inplace=True)
    return _inplace(op, tensors[0], tensors[1:], {"dtype": dt.np, **attrs}, dtype=dt,
                    shape=shape)


def square(input, *, out=None) -> Tensor:
    return pow(_tensor("square", input), 2, out=out)


def square_(input) -> Tensor:
    return pow_(_tensor("square_", input), 2)


def float_power(input, exponent, *, out=None) -> Tensor:
    """pow computed in float64, whatever the operands' dtypes."""
    def double(x):
        return x.double() if isinstance(x, Tensor) else float(_number(x))
    return pow(double(input), double(exponent), out=out)


# ---- clamp: ClampBackward1 (numbers), ClampBackward0 (tensors), clamp_min, clamp_max ----------
@defop("clamp", "ClampBackward1", saves=("self", "min", "max"),
       formulas={"self": "grad * (min <= self <= max)"})
def CLAMP(a, *, min, max, dtype):  # noqa: A002
    x = _cast(a, dtype)
    if min is not None:
        x = np.maximum(x, np.asarray(min).astype(dtype))
    if max is not None:
        x = np.minimum(x, np.asarray(max).astype(dtype))
    return _finish(x, dtype, a)


@CLAMP.derivative
def _(g, s):
    x = s.self
    if s.min is not None and s.max is not None:
        return _masked(g, (x >= s.min).logical_and(x <= s.max))
    return _masked(g, x >= s.min if s.min is not None else x <= s.max)


# run_inplace hands every input's array to the forward, so an in-place clamp_ with one tensor
# bound passes this stand-in for the missing one (run takes None, run_inplace does not).
_NO_BOUND = Tensor._from_array(np.zeros((), np.float64))


def _bound(t):
    return None if t is None or t is _NO_BOUND or t is _NO_BOUND._data else t


@defop("clamp_tensor", "ClampBackward0", inputs=("self", "min", "max"),
       saves=("self", "min", "max"),
       formulas={"self": "grad * (min <= self <= max)",
                 "min": "grad * (self < min < max)", "max": "grad * (self > max or max < min)"})
def CLAMP_TENSOR(a, lo, hi, *, dtype, _broadcast=None):
    lo, hi = _bound(lo), _bound(hi)
    x = _cast(a, dtype)
    if lo is not None:
        x = np.maximum(x, _cast(lo, dtype))
    if hi is not None:
        x = np.minimum(x, _cast(hi, dtype))
    return _finish(x, dtype, *(t for t in (a, lo, hi) if t is not None))


@CLAMP_TENSOR.derivative
def _(g, s):
    x, lo, hi = s.self, _bound(s.min), _bound(s.max)
    if lo is not None and hi is not None:
        return (_masked(g, (x >= lo).logical_and(x <= hi)),
                _masked(g, (x < lo).logical_and(lo < hi)),
                _masked(g, (x > hi).logical_or(hi < lo)))
    if lo is not None:
        return _masked(g, x >= lo), _masked(g, x < lo), None
    return _masked(g, x <= hi), None, _masked(g, x > hi)


def _clamp_bound(name, which):
    """clamp_min / clamp_max: a Scalar op (…Backward0) and a Tensor op (…Backward1)."""
    keep = (lambda x, b: x >= b) if which == "min" else (lambda x, b: x <= b)
    np_fn = np.maximum if which == "min" else np.minimum
    title = f"Clamp{which.capitalize()}"

    scalar = defop(name, f"{title}Backward0", saves=("self", which),
                   formulas={"self": f"grad * (self {'>=' if which == 'min' else '<='} {which})"})(
        lambda a, *, bound, dtype: _finish(np_fn(_cast(a, dtype), np.asarray(bound).astype(dtype)),
                                           dtype, a))
    scalar.saves = ("self", "bound")
    scalar.derivative(lambda g, s: _masked(g, keep(s.self, s.bound)))

    tensor = _binary(name + "_tensor", f"{title}Backward1", np_fn,
                     {"self": f"grad * (self {'>=' if which == 'min' else '<='} {which})",
                      "other": f"grad * (self {'<' if which == 'min' else '>'} {which})"},
                     lambda g, s: (_masked(g, keep(s.self, s.other)),
                                   _masked(g, ~keep(s.self, s.other))), opmath=False)
    return scalar, tensor


CLAMP_MIN, CLAMP_MIN_TENSOR = _clamp_bound("clamp_min", "min")
CLAMP_MAX, CLAMP_MAX_TENSOR = _clamp_bound("clamp_max", "max")


def _clamp_scalar_dtype(input: Tensor, bounds, inplace: _bool) -> dtypes.dtype:
    """clamp with numbers: a float input keeps its dtype; otherwise the numbers promote it, and
    an in-place clamp refuses that (naming the C++ type, as PyTorch's message does)."""
    if input.dtype.is_floating_point:
        return input.dtype
    dt = dtypes.result_type(input, *(scalar_tensor(_number(b)) for b in bounds))
    if inplace and dt is not input.dtype:
        raise RuntimeError(f"result type {dt.scalar_name} can't be cast to the desired output "
                           f"type {input.dtype.cpp}")
    return dt


def _clamp(name: str, input, min, max, *, inplace: _bool = False):  # noqa: A002
    input = _tensor(name, input)
    if inplace and is_grad_enabled() and (input.requires_grad or any(
            isinstance(b, Tensor) and b.requires_grad for b in (min, max))):
        check_inplace_allowed(input)
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    tensors = [isinstance(b, Tensor) for b in (min, max) if b is not None]
    if any(tensors) and not all(tensors):
        raise _invalid_combination(name, input, *(b for b in (min, max) if b is not None))
    if any(tensors):
        args = [input] + [b for b in (min, max) if b is not None]
        shape, dt = _broadcast(name, *args), dtypes.result_type(*args)
        if inplace:
            min, max = (_NO_BOUND if b is None else b for b in (min, max))  # noqa: A001
        return CLAMP_TENSOR, (input, min, max), {"_broadcast": shape}, dt, shape, None
    dt = _clamp_scalar_dtype(input, [b for b in (min, max) if b is not None], inplace)
    for b in (min, max):
        if b is not None:
            _check_fits(_number(b), dt)

    def check():
        if dt is dtypes.bool:
            raise _unsupported("clamp_scalar_cpu" if min is not None and max is not None else
                               f"clamp_{'min' if min is not None else 'max'}_scalar_cpu", dt)
    nan = any(b is not None and _number(b) != _number(b) for b in (min, max))
    return CLAMP, (input,), {"min": float("nan") if nan and min is not None else _number(min),
                             "max": float("nan") if nan and max is not None else _number(max)
                             }, dt, tuple(input.shape), check


def clamp(input, min=None, max=None, *, out=None) -> Tensor:  # noqa: A002
    op, tensors, attrs, dt, shape, check = _clamp("clamp", input, min, max)
    if check is not None:
        check()
    return _out(op(*tensors, dtype=dt.np, **attrs), out)


def clamp_(input, min=None, max=None) -> Tensor:  # noqa: A002
    op, tensors, attrs, dt, shape, check = _clamp("clamp_", input, min, max, inplace=True)
    return _inplace(op, tensors[0], tensors[1:], {"dtype": dt.np, **attrs}, dtype=dt,
                    shape=shape, check=check)


def _clamp_one(which: str, inplace: _bool):
    scalar_op, tensor_op = (CLAMP_MIN, CLAMP_MIN_TENSOR) if which == "min" else (
        CLAMP_MAX, CLAMP_MAX_TENSOR)
    name = f"clamp_{which}" + ("_" if inplace else "")

    def fn(input, bound, **kw):
        input = _tensor(name, input)
        if inplace and is_grad_enabled() and (input.requires_grad or (
                isinstance(bound, Tensor) and bound.requires_grad)):
            check_inplace_allowed(input)
        if isinstance(bound, Tensor):
            a, b, shape, dt = _args(name, input, bound)
            if inplace:
                return _inplace(tensor_op, a, (b,), {"dtype": dt.np, "_broadcast": shape},
                                dtype=dt, shape=shape)
            return _out(tensor_op(a, b, dtype=dt.np, _broadcast=shape), kw.get("out"))
        if not _is_number(bound):
            raise _arg_error(name, which, 2, bound)
        dt = _clamp_scalar_dtype(input, [bound], inplace)
        _check_fits(_number(bound), dt)
        if dt is dtypes.bool:
            raise _unsupported(f"clamp_{which}_scalar_cpu", dt)
        if inplace:
            return _inplace(scalar_op, input, (), {"bound": _number(bound), "dtype": dt.np},
                            dtype=dt, shape=input.shape)
        return _out(scalar_op(input, bound=_number(bound), dtype=dt.np), kw.get("out"))
    fn.__name__ = fn.__qualname__ = name
    return fn


clamp_min, clamp_min_ = _clamp_one("min", False), _clamp_one("min", True)
clamp_max, clamp_max_ = _clamp_one("max", False), _clamp_one("max", True)


# ---- where, lerp -------------------------------------------------------------------------------
@defop("where", "WhereBackward0", inputs=("condition", "self", "other"), saves=("condition",),
       non_differentiable=("condition",),
       formulas={"self": "where(condition, grad, 0)", "other": "where(condition, 0, grad)"})
def WHERE(c, a, b, *, dtype, _broadcast=None):
    return _finish(np.where(c, _cast(a, dtype), _cast(b, dtype)), dtype, c, a, b)


@WHERE.derivative
def _(g, s):
    c, zero = s.condition, _zero(g)
    return None, where(c, g, zero), where(c, zero, g)


def where(condition, input=None, other=None, *, out=None):
    if input is None and other is None:
        return _tensor("where", condition, "condition").nonzero(as_tuple=True)
    condition = _tensor("where", condition, "condition")
    a, b = _operand("where", input, "input", 2), _operand("where", other, "other", 3)
    shape = _broadcast("where", condition, a, b)
    if condition.dtype is dtypes.uint8:
        warnings.warn("where received a uint8 condition tensor. This behavior is deprecated and "
                      "will be removed in a future version of PyTorch. Use a boolean condition "
                      "instead.", UserWarning, stacklevel=2)
    elif condition.dtype is not dtypes.bool:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor "
                           f"with dtype {condition.dtype.scalar_name}")
    dt = dtypes.result_type(a, b)
    return _out(WHERE(condition, a, b, dtype=dt.np, _broadcast=shape), out)


def _where_method(self, condition, other):
    """Tensor.where(condition, other) is torch.where(condition, self, other)."""
    return where(condition, self, other)


def _lerp_forward(s, e, w):
    # PyTorch's formula: exact at both ends, stable for weights near 1
    return np.where(np.abs(w) < 0.5, s + w * (e - s), e - (e - s) * (1 - w))


LERP = defop("lerp", "LerpBackward0", inputs=("self", "end"), saves=("weight",),
             formulas={"self": "grad * (1 - weight)", "end": "grad * weight"})(
    lambda a, b, *, weight, dtype, _broadcast=None: _finish(
        _lerp_forward(_opmath(a, dtype), _opmath(b, dtype), np.asarray(weight).astype(
            _opmath(a, dtype).dtype)), dtype, a, b))
LERP.derivative(lambda g, s: (g * (1 - s.weight), g * s.weight))
LERP_TENSOR = defop("lerp_tensor", "LerpBackward1", inputs=("self", "end", "weight"),
                    saves=("self", "end", "weight"),
                    formulas={"self": "grad * (1 - weight)", "end": "grad * weight",
                              "weight": "grad * (end - self)"})(
    lambda a, b, w, *, dtype, _broadcast=None: _finish(
        _lerp_forward(_opmath(a, dtype), _opmath(b, dtype), _opmath(w, dtype)), dtype, a, b, w))
LERP_TENSOR.derivative(lambda g, s: (g * (1 - s.weight), g * s.weight, g * (s.end - s.self)))


def _lerp(name, input, end, weight, inplace=False):
    input, end = _tensor(name, input), _tensor(name, end, "end", 2)
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
        shape, dt = _broadcast(name, input, end, weight), dtypes.result_type(input, end, weight)
        if not dt.is_floating_point:
            raise _unsupported("lerp_kernel_tensor", dt)
        return LERP_TENSOR, (input, end, weight), {"_broadcast": shape}, dt, shape
    if not _is_number(weight):
        raise _invalid_combination(name, input, end, weight)
    shape, dt = _broadcast(name, input, end), input.dtype
    if not dt.is_floating_point:
        raise _unsupported("lerp_kernel_scalar", dt)
    return LERP, (input, end), {"weight": _number(weight), "_broadcast": shape}, dt, shape


def lerp(input, end, weight, *, out=None) -> Tensor:
    op, tensors, attrs, dt, shape = _lerp("lerp", input, end, weight)
    return _out(op(*tensors, dtype=dt.np, **attrs), out)


def lerp_(input, end, weight) -> Tensor:
    op, tensors, attrs, dt, shape = _lerp("lerp_", input, end, weight, inplace=True)
    return _inplace(op, tensors[0], tensors[1:], {"dtype": dt.np, **attrs}, dtype=dt,
                    shape=shape)


# ---- addcmul, addcdiv: input + value * tensor1 (* or /) tensor2 ---------------------------------
def _addc_value(value, dtype: np.dtype):
    """The Scalar `value` in the op's dtype (an integer op truncates it, as PyTorch does)."""
    return np.asarray(_number(value)).astype(dtype)


@defop("addcmul", "AddcmulBackward0", inputs=("self", "tensor1", "tensor2"),
       saves=("tensor1", "tensor2", "value"),
       formulas={"self": "grad", "tensor1": "grad * tensor2 * value",
                 "tensor2": "grad * tensor1 * value"})
def ADDCMUL(a, t1, t2, *, value, dtype, _broadcast=None):
    x, y, z = (_opmath(v, dtype) for v in (a, t1, t2))
    return _finish(x + _addc_value(value, x.dtype) * y * z, dtype, a, t1, t2)


ADDCMUL.derivative(lambda g, s: (g, g * s.tensor2 * s.value, g * s.tensor1 * s.value))


@defop("addcdiv", "AddcdivBackward0", inputs=("self", "tensor1", "tensor2"),
       saves=("tensor1", "tensor2", "value"),
       formulas={"self": "grad", "tensor1": "grad * value / tensor2",
                 "tensor2": "-grad * value * tensor1 / tensor2²"})
def ADDCDIV(a, t1, t2, *, value, dtype, _broadcast=None):
    x, y, z = (_opmath(v, dtype) for v in (a, t1, t2))
    return _finish(x + _addc_value(value, x.dtype) * (y / z), dtype, a, t1, t2)


ADDCDIV.derivative(lambda g, s: (g, g * s.value / s.tensor2,
                                 -g * s.value * s.tensor1 / (s.tensor2 * s.tensor2)))


def _addc(name: str, op, input, tensor1, tensor2, value, inplace: _bool = False):
    a = _tensor(name, input)
    t1, t2 = _tensor(name, tensor1, "tensor1", 2), _tensor(name, tensor2, "tensor2", 3)
    if inplace and is_grad_enabled() and any(t.requires_grad for t in (a, t1, t2)):
        check_inplace_allowed(a)
    shape, dt = _broadcast(name, a, t1, t2), dtypes.result_type(a, t1, t2)
    if op is ADDCDIV and not t1.dtype.is_floating_point and not t2.dtype.is_floating_point:
        raise RuntimeError("Integer division with addcdiv is no longer supported, and in a "
                           "future  release addcdiv will perform a true division of tensor1 and "
                           "tensor2. The historic addcdiv behavior can be implemented as (input "
                           "+ value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer "
                           "inputs and as (input + value * tensor1 / tensor2) for float inputs. "
                           "The future addcdiv behavior is just the latter implementation: (input "
                           "+ value * tensor1 / tensor2), for all dtypes.")
    if dt is dtypes.bool:
        raise _unsupported(f"{name.rstrip('_')}_cpu_out", dt)
    return shape, dt, (a, t1, t2), {"value": _number(value), "_broadcast": shape}


def addcmul(input, tensor1, tensor2, *, value=1, out=None) -> Tensor:
    shape, dt, tensors, attrs = _addc("addcmul", ADDCMUL, input, tensor1, tensor2, value)
    return _out(ADDCMUL(*tensors, dtype=dt.np, **attrs), out)


def addcmul_(input, tensor1, tensor2, *, value=1) -> Tensor:
    shape, dt, tensors, attrs = _addc("addcmul_", ADDCMUL, input, tensor1, tensor2, value, True)
    return _inplace(ADDCMUL, tensors[0], tensors[1:], {"dtype": dt.np, **attrs}, dtype=dt,
                    shape=shape)


def addcdiv(input, tensor1, tensor2, *, value=1, out=None) -> Tensor:
    shape, dt, tensors, attrs = _addc("addcdiv", ADDCDIV, input, tensor1, tensor2, value)
    return _out(ADDCDIV(*tensors, dtype=dt.np, **attrs), out)


def addcdiv_(input, tensor1, tensor2, *, value=1) -> Tensor:
    shape, dt, tensors, attrs = _addc("addcdiv_", ADDCDIV, input, tensor1, tensor2, value, True)
    return _inplace(ADDCDIV, tensors[0], tensors[1:], {"dtype": dt.np, **attrs}, dtype=dt,
                    shape=shape)


# ---- maximum / minimum / fmax / fmin, atan2 ---------------------------------------------------
MAXIMUM = _binary("maximum", "MaximumBackward0", np.maximum,
                  {"self": "grad where self > other (half on ties)",
                   "other": "grad where other > self (half on ties)"},
                  lambda g, s: (_masked(where(s.self == s.other, g / 2, g), ~(s.self < s.other)),
                                _masked(where(s.self == s.other, g / 2, g), ~(s.self > s.other))),
                  opmath=False)
MINIMUM = _binary("minimum", "MinimumBackward0", np.minimum,
                  {"self": "grad where self < other (half on ties)",
                   "other": "grad where other < self (half on ties)"},
                  lambda g, s: (_masked(where(s.self == s.other, g / 2, g), ~(s.self > s.other)),
                                _masked(where(s.self == s.other, g / 2, g), ~(s.self < s.other))),
                  opmath=False)
FMAX = _binary("fmax", "FmaxBackward0", np.fmax,
               {"self": "grad where self >= other or other is nan",
                "other": "grad where other > self or self is nan"},
               lambda g, s: (_masked(g, (s.self >= s.other) | s.other.isnan()),
                             _masked(g, ~((s.self >= s.other) | s.other.isnan()))), opmath=False)
FMIN = _binary("fmin", "FminBackward0", np.fmin,
               {"self": "grad where self <= other or other is nan",
                "other": "grad where other < self or self is nan"},
               lambda g, s: (_masked(g, (s.self <= s.other) | s.other.isnan()),
                             _masked(g, ~((s.self <= s.other) | s.other.isnan()))), opmath=False)
ATAN2 = _binary("atan2", "Atan2Backward0", np.arctan2,
                {"self": "grad * other / (self² + other²)",
                 "other": "-grad * self / (self² + other²)"},
                lambda g, s: (g * (s.other * (s.self * s.self + s.other * s.other).reciprocal()),
                              g * (-s.self * (s.self * s.self + s.other * s.other).reciprocal())))


def _tensor_binary(name: str, op, *, floating: _bool = False, kernel_check=None):
    """torch.<name>(input, other) over two tensors (no Python numbers), plus <name>_."""
    def prepare(fname, input, other):
        a, b = _tensor(fname, input), _tensor(fname, other, "other", 2)
        shape, dt = _broadcast(fname, a, b), dtypes.result_type(a, b)
        return a, b, shape, (_true_divide_dtype(dt) if floating else dt)

    def fn(input, other, *, out=None) -> Tensor:
        a, b, shape, dt = prepare(name, input, other)
        if kernel_check is not None:
            kernel_check(dt)
        return _out(op(a, b, dtype=dt.np, _broadcast=shape), out)

    def fn_(input, other) -> Tensor:
        a, b, shape, dt = prepare(name + "_", input, other)
        return _inplace(op, a, (b,), {"dtype": dt.np, "_broadcast": shape}, dtype=dt,
                        shape=shape, check=None if kernel_check is None else
                        lambda: kernel_check(dt))
    fn.__name__ = fn.__qualname__ = name
    fn_.__name__ = fn_.__qualname__ = name + "_"
    return fn, fn_


LOGADDEXP = _binary("logaddexp", "LogaddexpBackward0", np.logaddexp,
                    {"self": "grad / (1 + exp(other - self))",
                     "other": "grad / (1 + exp(self - other))"},
                    lambda g, s: (g / (1 + (s.other - s.self).exp()),
                                  g / (1 + (s.self - s.other).exp())))
LOGADDEXP2 = _binary("logaddexp2", "Logaddexp2Backward0", np.logaddexp2,
                     {"self": "grad / (1 + 2^(other - self))",
                      "other": "grad / (1 + 2^(self - other))"},
                     lambda g, s: (g / (1 + (s.other - s.self).exp2()),
                                   g / (1 + (s.self - s.other).exp2())))
HYPOT = _binary("hypot", "HypotBackward0", np.hypot,
                {"self": "grad * self / result", "other": "grad * other / result"},
                lambda g, s: (g * s.self / s.result, g * s.other / s.result),
                saves=("self", "other", "result"))


def _floats_only(kernel: str):
    def check(dt):
        if not dt.is_floating_point:
            raise _unsupported(kernel, dt)
    return check


logaddexp, _ = _tensor_binary("logaddexp", LOGADDEXP, kernel_check=_floats_only("logaddexp_cpu"))
logaddexp2, _ = _tensor_binary("logaddexp2", LOGADDEXP2,
                               kernel_check=_floats_only("logaddexp2_cpu"))
hypot, hypot_ = _tensor_binary("hypot", HYPOT, kernel_check=_floats_only("hypot_cpu"))


def _xlogy(x, y):
    """x * log(y), with 0 where x == 0 (unless y is nan)."""
    with np.errstate(all="ignore"):
        out = np.where(x == 0, 0, x * _precise(np.log)(y))
    return np.where(np.isnan(y), np.nan, out).astype(x.dtype)


XLOGY = _binary("xlogy", "XlogyBackward0", _xlogy,
                {"self": "grad * xlogy(self != 0, other)", "other": "grad * self / other"},
                lambda g, s: (g * xlogy((s.self != 0).to(g.dtype), s.other),
                              g * s.self / s.other))
XLOGY_SCALAR_SELF = defop("xlogy_scalar_self", "XlogyBackward1", inputs=("other",),
                          saves=("self", "other"), formulas={"other": "grad * self / other"})(
    lambda b, *, self, dtype, _broadcast=None: _finish(_xlogy(
        np.broadcast_to(np.asarray(self).astype(_opmath(b, dtype).dtype), b.shape),
        _opmath(b, dtype)), dtype, b))
XLOGY_SCALAR_SELF.derivative(lambda g, s: g * s.self / s.other)
XLOGY_SCALAR_OTHER = defop("xlogy_scalar_other", "XlogyBackward2", saves=("self", "other"),
                           formulas={"self": "grad * xlogy(self != 0, other)"})(
    lambda a, *, other, dtype: _finish(_xlogy(_opmath(a, dtype), np.asarray(other).astype(
        _opmath(a, dtype).dtype)), dtype, a))
XLOGY_SCALAR_OTHER.derivative(lambda g, s: g * xlogy((s.self != 0).to(g.dtype), s.other))


def xlogy(input, other, *, out=None) -> Tensor:
    a, b, shape, dt = _args("xlogy", input, other)
    dt = _true_divide_dtype(dt)
    if not isinstance(input, Tensor):
        return _out(XLOGY_SCALAR_SELF(b, self=_number(input), dtype=dt.np), out)
    if not isinstance(other, Tensor):
        return _out(XLOGY_SCALAR_OTHER(a, other=_number(other), dtype=dt.np), out)
    return _out(XLOGY(a, b, dtype=dt.np, _broadcast=shape), out)


def xlogy_(input, other) -> Tensor:
    a, b, shape, dt = _args("xlogy_", input, other, input_number=False)
    dt = _true_divide_dtype(dt)
    if not isinstance(other, Tensor):
        return _inplace(XLOGY_SCALAR_OTHER, a, (), {"other": _number(other), "dtype": dt.np},
                        dtype=dt, shape=shape)
    return _inplace(XLOGY, a, (b,), {"dtype": dt.np, "_broadcast": shape}, dtype=dt,
                    shape=shape)


maximum, _ = _tensor_binary("maximum", MAXIMUM)
minimum, _ = _tensor_binary("minimum", MINIMUM)
fmax, _ = _tensor_binary("fmax", FMAX)
fmin, _ = _tensor_binary("fmin", FMIN)
atan2, atan2_ = _tensor_binary("atan2", ATAN2, floating=True)


# ---- comparisons: bool results; in place they keep self's dtype (EqBackward0/1 and friends) ----
def _comparison(name: str, np_fn, aliases=()):
    title = name.capitalize()
    op = defop(name, inputs=("self", "other"))(
        lambda a, b, *, dtype, _broadcast=None: _finish(np_fn(_cast(a, dtype), _cast(b, dtype)),
                                                        None, a, b))
    inplace_scalar = defop(name + "_scalar_", f"{title}Backward0", formulas={"self": "0"})(
        lambda a, *, other, dtype: np_fn(_cast(a, dtype), np.asarray(other).astype(dtype)))
    inplace_scalar.derivative(lambda g, s: _zeros_like(g))
    inplace_tensor = defop(name + "_tensor_", f"{title}Backward1", inputs=("self", "other"),
                           formulas={"self": "0", "other": "0"})(
        lambda a, b, *, dtype, _broadcast=None: np_fn(_cast(a, dtype), _cast(b, dtype)))
    inplace_tensor.derivative(lambda g, s: (_zeros_like(g), _zeros_like(g)))

    def fn(input, other, *, out=None) -> Tensor:
        if not isinstance(input, Tensor):
            raise _invalid_combination(name, input, other)
        a, b, shape, dt = _args(name, input, other)
        return _out(op(a, b, dtype=dt.np, _broadcast=shape), out)

    def fn_(input, other) -> Tensor:
        a, b, shape, dt = _args(name + "_", input, other, input_number=False)
        if isinstance(other, Tensor):
            return _inplace(inplace_tensor, a, (b,), {"dtype": dt.np, "_broadcast": shape},
                            dtype=dtypes.bool, shape=shape)
        return _inplace(inplace_scalar, a, (), {"other": _number(other), "dtype": dt.np},
                        dtype=dtypes.bool, shape=shape)
    fn.__name__ = fn.__qualname__ = name
    fn_.__name__ = fn_.__qualname__ = name + "_"
    _publish(fn, name, *aliases, inplace=fn_)
    return fn


eq = _comparison("eq", np.equal)
ne = _comparison("ne", np.not_equal, aliases=("not_equal",))
lt = _comparison("lt", np.less, aliases=("less",))
le = _comparison("le", np.less_equal, aliases=("less_equal",))
gt = _comparison("gt", np.greater, aliases=("greater",))
ge = _comparison("ge", np.greater_equal, aliases=("greater_equal",))


# ---- logical and bitwise ops ----------------------------------------------------------------
def _logical(name: str, np_fn):
    op = defop(name, inputs=("self", "other"))(
        lambda a, b, *, _broadcast=None: _finish(np_fn(a, b), None, a, b))

    def fn(input, other, *, out=None) -> Tensor:
        a, b = _tensor(name, input), _tensor(name, other, "other", 2)
        return _out(op(a, b, _broadcast=_broadcast(name, a, b)), out)

    def fn_(input, other) -> Tensor:
        a, b = _tensor(name + "_", input), _tensor(name + "_", other, "other", 2)
        shape = _broadcast(name + "_", a, b)
        return _inplace(op, a, (b,), {"_broadcast": shape}, dtype=dtypes.bool, shape=shape,
                        leaf_check=False)
    fn.__name__ = fn.__qualname__ = name
    _publish(fn, name, inplace=fn_)
    return fn


logical_and = _logical("logical_and", np.logical_and)
logical_or = _logical("logical_or", np.logical_or)
logical_xor = _logical("logical_xor", np.logical_xor)


@defop("logical_not")
def LOGICAL_NOT(a):
    return _finish(np.logical_not(a), None, a)


def logical_not(input, *, out=None) -> Tensor:
    return _out(LOGICAL_NOT(_tensor("logical_not", input)), out)


def logical_not_(input) -> Tensor:
    input = _tensor("logical_not_", input)
    return _inplace(LOGICAL_NOT, input, (), {}, dtype=dtypes.bool, shape=input.shape)


_publish(logical_not, "logical_not", inplace=logical_not_)


def _shift(np_fn, left: _bool):
    """PyTorch's shifts: a shift by a negative amount or by the bit width or more gives 0 (left)
    or the sign fill (right), where C would be undefined."""
    def shift(a, b):
        bits = a.dtype.itemsize * 8
        width = bits - (0 if left or a.dtype.kind == "u" else 1)
        signed = b.view(np.dtype(f"i{b.dtype.itemsize}")) if b.dtype.kind == "u" else b
        out_of_range = (signed < 0) | (b >= width)
        shifted = np_fn(a, np.where(out_of_range, 0, b).astype(a.dtype))
        fill = np.zeros_like(a) if left else np_fn(a, np.asarray(width).astype(a.dtype))
        return np.where(out_of_range, fill, shifted)
    return shift


BITWISE = {
    "bitwise_and": (np.bitwise_and, "bitwise_and_cpu"),
    "bitwise_or": (np.bitwise_or, "bitwise_or_cpu"),
    "bitwise_xor": (np.bitwise_xor, "bitwise_xor_cpu"),
    "bitwise_left_shift": (_shift(np.left_shift, True), "lshift_cpu"),
    "bitwise_right_shift": (_shift(np.right_shift, False), "rshift_cpu"),
}


def _bitwise(name: str):
    np_fn, kernel = BITWISE[name]
    op = defop(name, inputs=("self", "other"))(
        lambda a, b, *, dtype, _broadcast=None: _finish(np_fn(_cast(a, dtype), _cast(b, dtype)),
                                                        dtype, a, b))
    shift = "shift" in name

    def check(dt):
        if dt.is_floating_point or (shift and dt is dtypes.bool):
            raise _unsupported(kernel, dt)

    def fn(input, other, *, out=None) -> Tensor:
        a, b, shape, dt = _args(name, input, other)
        check(dt)
        return _out(op(a, b, dtype=dt.np, _broadcast=shape), out)

    def fn_(input, other) -> Tensor:
        a, b, shape, dt = _args(name + "_", input, other, input_number=False)
        return _inplace(op, a, (b,), {"dtype": dt.np, "_broadcast": shape}, dtype=dt,
                        shape=shape, check=lambda: check(dt))
    fn.__name__ = fn.__qualname__ = name
    fn_.__name__ = fn_.__qualname__ = name + "_"
    _publish(fn, name, inplace=fn_)
    return fn, fn_


bitwise_and, bitwise_and_ = _bitwise("bitwise_and")
bitwise_or, bitwise_or_ = _bitwise("bitwise_or")
bitwise_xor, bitwise_xor_ = _bitwise("bitwise_xor")
bitwise_left_shift, bitwise_left_shift_ = _bitwise("bitwise_left_shift")
bitwise_right_shift, bitwise_right_shift_ = _bitwise("bitwise_right_shift")


@defop("bitwise_not")
def BITWISE_NOT(a):
    return _finish(np.invert(a), None, a)


def _bitwise_not_check(dt: dtypes.dtype) -> None:
    if dt.is_floating_point:
        raise _unsupported("bitwise_not_cpu", dt)


def bitwise_not(input, *, out=None) -> Tensor:
    input = _tensor("bitwise_not", input)
    _bitwise_not_check(input.dtype)
    return _out(BITWISE_NOT(input), out)


def bitwise_not_(input) -> Tensor:
    input = _tensor("bitwise_not_", input)
    return _inplace(BITWISE_NOT, input, (), {}, dtype=input.dtype, shape=input.shape,
                    check=lambda: _bitwise_not_check(input.dtype))


_publish(bitwise_not, "bitwise_not", inplace=bitwise_not_)


# ---- predicates and nan_to_num -----------------------------------------------------------------
def _predicate(name: str, float_fn, other_fn):
    op = defop(name)(lambda a: _finish(float_fn(a) if a.dtype.kind == "f" else other_fn(a),
                                       None, a))

    def fn(input) -> Tensor:
        return op(_tensor(name, input))
    fn.__name__ = fn.__qualname__ = name
    _publish(fn, name)


def _falses(a):
    return np.zeros(a.shape, bool)


_predicate("isnan", np.isnan, _falses)
_predicate("isinf", np.isinf, _falses)
_predicate("isposinf", np.isposinf, _falses)
_predicate("isneginf", np.isneginf, _falses)
_predicate("isfinite", np.isfinite, lambda a: np.ones(a.shape, bool))
_predicate("isreal", lambda a: np.ones(a.shape, bool), lambda a: np.ones(a.shape, bool))
_predicate("signbit", np.signbit, lambda a: a < 0 if a.dtype.kind == "i" else _falses(a))


@defop("nan_to_num", "NanToNumBackward0", saves=("self",),
       formulas={"self": "grad * isfinite(self)"})
def NAN_TO_NUM(a, *, nan, posinf, neginf):
    if a.dtype.kind != "f":
        return _finish(a.copy(), None, a)
    info = np.finfo(a.dtype)
    out = np.where(np.isnan(a), nan, a)
    out = np.where(np.isposinf(a), info.max if posinf is None else posinf, out)
    out = np.where(np.isneginf(a), info.min if neginf is None else neginf, out)
    return _finish(out, a.dtype, a)


NAN_TO_NUM.derivative(lambda g, s: _masked(g, s.self.isfinite()))


def nan_to_num(input, nan: float = 0.0, posinf=None, neginf=None, *, out=None) -> Tensor:
    input = _tensor("nan_to_num", input)
    return _out(NAN_TO_NUM(input, nan=nan, posinf=posinf, neginf=neginf), out)


def nan_to_num_(input, nan: float = 0.0, posinf=None, neginf=None) -> Tensor:
    input = _tensor("nan_to_num_", input)
    return _inplace(NAN_TO_NUM, input, (), {"nan": nan, "posinf": posinf, "neginf": neginf},
                    dtype=input.dtype, shape=input.shape)


_publish(nan_to_num, "nan_to_num", inplace=nan_to_num_, inplace_function=True)


# ---- equal, isclose, allclose ----------------------------------------------------------------
def equal(input, other) -> _bool:
    """Same shape and same values (compared after promotion); nan is never equal."""
    a, b = _tensor("equal", input), _tensor("equal", other, "other", 2)
    if a.shape != b.shape:
        return False
    dt = dtypes.promote_types(a.dtype, b.dtype).np
    return _bool(np.array_equal(_cast(a._data, dt), _cast(b._data, dt)))


def _format_tolerance(v) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def isclose(input, other, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: _bool = False) -> Tensor:
    """|input - other| <= atol + rtol * |other|, computed in the inputs' dtype as PyTorch does."""
    a, b = _tensor("isclose", input), _tensor("isclose", other, "other", 2)
    if a.dtype is not b.dtype:
        raise RuntimeError(f"{a.dtype.scalar_name} did not match {b.dtype.scalar_name}")
    if rtol < 0:
        raise RuntimeError(f"rtol must be greater than or equal to zero, but got "
                           f"{_format_tolerance(rtol)}")
    if atol < 0:
        raise RuntimeError(f"atol must be greater than or equal to zero, but got "
                           f"{_format_tolerance(atol)}")
    _broadcast("isclose", a, b)
    x, y = a._data, b._data
    close = x == y
    if equal_nan and x.dtype.kind == "f":
        close = close | (np.isnan(x) & np.isnan(y))
    if rtol != 0 or atol != 0:
        fdt = x.dtype if x.dtype.kind == "f" else dtypes.get_default_dtype().np
        if x.dtype == np.bool_:
            x, y = x.astype(fdt), y.astype(fdt)
        allowed = np.abs(y * np.asarray(rtol).astype(fdt)) + np.asarray(atol).astype(fdt)
        actual = np.abs(x - y)
        close = close | (np.isfinite(actual) & (actual <= allowed))
    return Tensor._from_array(_finish(close, None, a._data, b._data))


def allclose(input, other, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: _bool = False) -> _bool:
    a, b = _tensor("allclose", input), _tensor("allclose", other, "other", 2)
    return _bool(isclose(a, b, rtol, atol, equal_nan)._data.all())


# ---- publishing ---------------------------------------------------------------------------------
_publish(add, "add", inplace=add_)
_publish(sub, "sub", "subtract", inplace=sub_)
_publish(mul, "mul", "multiply", inplace=mul_)
_publish(div, "div", "divide", inplace=div_)
_publish(true_divide, "true_divide", inplace=true_divide_)
_publish(floor_divide, "floor_divide", inplace=floor_divide_)
_publish(remainder, "remainder", inplace=remainder_)
_publish(fmod, "fmod", inplace=fmod_)
_publish(rsub, "rsub", method=False)
_publish(pow, "pow", inplace=pow_)
_publish(square, "square", inplace=square_, inplace_function=True)
_publish(float_power, "float_power")
_publish(clamp, "clamp", "clip", inplace=clamp_, inplace_function=True)
_publish(clamp_min, "clamp_min", inplace=clamp_min_, inplace_function=True)
_publish(clamp_max, "clamp_max", inplace=clamp_max_, inplace_function=True)
_publish(lerp, "lerp", inplace=lerp_)
_publish(addcmul, "addcmul", inplace=addcmul_)
_publish(addcdiv, "addcdiv", inplace=addcdiv_)
_publish(maximum, "maximum")
_publish(minimum, "minimum")
_publish(fmax, "fmax")
_publish(fmin, "fmin")
_publish(atan2, "atan2", "arctan2", inplace=atan2_)
_publish(logaddexp, "logaddexp")
_publish(logaddexp2, "logaddexp2")
_publish(hypot, "hypot", inplace=hypot_)
_publish(xlogy, "xlogy", inplace=xlogy_, inplace_function=True)
_publish(logit, "logit", inplace=logit_, inplace_function=True)
_publish(equal, "equal")
expose(broadcast_shapes, method=False)
expose(dtypes.finfo, "finfo", method=False)  # dtype limits live in dtypes.py; torch.X is here
expose(dtypes.iinfo, "iinfo", method=False)
_publish(isclose, "isclose")
_publish(allclose, "allclose")
expose(where, "where", method=False)
expose(_where_method, "where", function=False)


# ---- operators: Python's operators call the ops above; a wrong operand type gives Python's
# own "unsupported operand type(s)" (the op returns NotImplemented), as in PyTorch -----------
def _operator(fn):
    def op(self, other):
        if not (isinstance(other, Tensor) or _is_number(other)):
            return NotImplemented
        return fn(self, other)
    return op


def _reflected(fn):
    return _operator(lambda self, other: fn(other, self))


def _invert(self):
    if self.dtype.is_floating_point:
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                        "tensors")
    return LOGICAL_NOT(self) if self.dtype is dtypes.bool else BITWISE_NOT(self)


OPERATORS = {
    "__add__": _operator(add), "__radd__": _operator(add),
    "__sub__": _operator(sub), "__rsub__": _operator(rsub),
    "__mul__": _operator(mul), "__rmul__": _operator(mul),
    "__truediv__": _operator(div),
    "__rtruediv__": _operator(lambda self, other: self.reciprocal() * other),
    "__floordiv__": _operator(floor_divide), "__rfloordiv__": _reflected(floor_divide),
    "__mod__": _operator(remainder), "__rmod__": _reflected(remainder),
    "__pow__": _operator(pow), "__rpow__": _reflected(pow),
    "__and__": _operator(bitwise_and), "__rand__": _operator(bitwise_and),
    "__or__": _operator(bitwise_or), "__ror__": _operator(bitwise_or),
    "__xor__": _operator(bitwise_xor), "__rxor__": _operator(bitwise_xor),
    "__lshift__": _operator(bitwise_left_shift), "__rlshift__": _reflected(bitwise_left_shift),
    "__rshift__": _operator(bitwise_right_shift),
    "__rrshift__": _reflected(bitwise_right_shift),
    "__eq__": _operator(eq), "__ne__": _operator(ne),
    "__lt__": _operator(lt), "__le__": _operator(le),
    "__gt__": _operator(gt), "__ge__": _operator(ge),
    "__iadd__": _operator(add_), "__isub__": _operator(sub_), "__imul__": _operator(mul_),
    "__itruediv__": _operator(div_), "__ifloordiv__": _operator(floor_divide_),
    "__imod__": _operator(remainder_), "__ipow__": _operator(pow_),
    "__iand__": _operator(bitwise_and_), "__ior__": _operator(bitwise_or_),
    "__ixor__": _operator(bitwise_xor_), "__ilshift__": _operator(bitwise_left_shift_),
    "__irshift__": _operator(bitwise_right_shift_),
    "__neg__": neg,
    "__pos__": positive,
    "__abs__": lambda self: self.abs(),
    "__invert__": _invert,
}
for _name, _fn in OPERATORS.items():
    expose(_fn, _name, function=False)
