"""Comparisons (bool results; in place they keep self's dtype), logical and bitwise ops,
predicates (isnan, ...), and equal / isclose / allclose. None of them has a gradient: an
in-place comparison records EqBackward0/1 and friends, whose gradient is zero."""
from __future__ import annotations

import numpy as np

from ... import dtypes
from ...tensor import Tensor
from ..arguments import invalid_combination, number, tensor_arg
from ..registry import defop
from .calls import broadcast, in_place, operands, publish, with_out
from .iteration import cast, finish, unsupported
from .selection import zeros_like


# ---- comparisons: bool results; in place they keep self's dtype (EqBackward0/1 and friends) ----
def _comparison(name: str, np_fn, aliases=()):
    title = name.capitalize()

    @defop(name, inputs=("self", "other"))
    def op(a, b, *, dtype, _broadcast=None):
        return finish(np_fn(cast(a, dtype), cast(b, dtype)), None, a, b)

    @defop(name + "_scalar_", f"{title}Backward0", formulas={"self": "0"})
    def inplace_scalar(a, *, other, dtype):
        return np_fn(cast(a, dtype), np.asarray(other).astype(dtype))

    @inplace_scalar.derivative
    def _(g, s):
        return zeros_like(g)

    @defop(name + "_tensor_", f"{title}Backward1", inputs=("self", "other"),
           formulas={"self": "0", "other": "0"}, reads={"self": (), "other": ()})
    def inplace_tensor(a, b, *, dtype, _broadcast=None):
        return np_fn(cast(a, dtype), cast(b, dtype))

    @inplace_tensor.derivative
    def _(g, s):
        return zeros_like(g), zeros_like(g)

    def fn(input, other, *, out=None) -> Tensor:
        if not isinstance(input, Tensor):
            raise invalid_combination(name, (input, other))
        a, b, shape, dt = operands(name, input, other)
        return with_out(op(a, b, dtype=dt.np, _broadcast=shape), out)

    def fn_(input, other) -> Tensor:
        a, b, shape, dt = operands(name + "_", input, other, input_number=False)
        if isinstance(other, Tensor):
            return in_place(inplace_tensor, a, (b,), {"dtype": dt.np, "_broadcast": shape},
                            dtype=dtypes.bool, shape=shape)
        return in_place(inplace_scalar, a, (), {"other": number(other), "dtype": dt.np},
                        dtype=dtypes.bool, shape=shape)
    fn.__name__ = fn.__qualname__ = name
    fn_.__name__ = fn_.__qualname__ = name + "_"
    publish(fn, name, *aliases, inplace=fn_)
    return fn


eq = _comparison("eq", np.equal)
ne = _comparison("ne", np.not_equal, aliases=("not_equal",))
lt = _comparison("lt", np.less, aliases=("less",))
le = _comparison("le", np.less_equal, aliases=("less_equal",))
gt = _comparison("gt", np.greater, aliases=("greater",))
ge = _comparison("ge", np.greater_equal, aliases=("greater_equal",))


# ---- logical and bitwise ops ----------------------------------------------------------------
def _logical(name: str, np_fn):
    @defop(name, inputs=("self", "other"))
    def op(a, b, *, _broadcast=None):
        return finish(np_fn(a, b), None, a, b)

    def fn(input, other, *, out=None) -> Tensor:
        a, b = tensor_arg(name, input), tensor_arg(name, other, "other", 2)
        return with_out(op(a, b, _broadcast=broadcast(name, a, b)), out)

    def fn_(input, other) -> Tensor:
        a, b = tensor_arg(name + "_", input), tensor_arg(name + "_", other, "other", 2)
        shape = broadcast(name + "_", a, b)
        return in_place(op, a, (b,), {"_broadcast": shape}, dtype=dtypes.bool, shape=shape,
                        leaf_check=False)
    fn.__name__ = fn.__qualname__ = name
    publish(fn, name, inplace=fn_)
    return fn


logical_and = _logical("logical_and", np.logical_and)
logical_or = _logical("logical_or", np.logical_or)
logical_xor = _logical("logical_xor", np.logical_xor)


@defop("logical_not")
def LOGICAL_NOT(a):
    return finish(np.logical_not(a), None, a)


def logical_not(input, *, out=None) -> Tensor:
    return with_out(LOGICAL_NOT(tensor_arg("logical_not", input)), out)


def logical_not_(input) -> Tensor:
    input = tensor_arg("logical_not_", input)
    return in_place(LOGICAL_NOT, input, (), {}, dtype=dtypes.bool, shape=input.shape)


publish(logical_not, "logical_not", inplace=logical_not_)


def _shift(np_fn, left: bool):
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

    @defop(name, inputs=("self", "other"))
    def op(a, b, *, dtype, _broadcast=None):
        return finish(np_fn(cast(a, dtype), cast(b, dtype)), dtype, a, b)

    shift = "shift" in name

    def check(dt):
        if dt.is_floating_point or (shift and dt is dtypes.bool):
            raise unsupported(kernel, dt)

    def fn(input, other, *, out=None) -> Tensor:
        a, b, shape, dt = operands(name, input, other)
        check(dt)
        return with_out(op(a, b, dtype=dt.np, _broadcast=shape), out)

    def fn_(input, other) -> Tensor:
        a, b, shape, dt = operands(name + "_", input, other, input_number=False)
        return in_place(op, a, (b,), {"dtype": dt.np, "_broadcast": shape}, dtype=dt,
                        shape=shape, check=lambda: check(dt))
    fn.__name__ = fn.__qualname__ = name
    fn_.__name__ = fn_.__qualname__ = name + "_"
    publish(fn, name, inplace=fn_)
    return fn, fn_


bitwise_and, bitwise_and_ = _bitwise("bitwise_and")
bitwise_or, bitwise_or_ = _bitwise("bitwise_or")
bitwise_xor, bitwise_xor_ = _bitwise("bitwise_xor")
bitwise_left_shift, bitwise_left_shift_ = _bitwise("bitwise_left_shift")
bitwise_right_shift, bitwise_right_shift_ = _bitwise("bitwise_right_shift")


@defop("bitwise_not")
def BITWISE_NOT(a):
    return finish(np.invert(a), None, a)


def _bitwise_not_check(dt: dtypes.dtype) -> None:
    if dt.is_floating_point:
        raise unsupported("bitwise_not_cpu", dt)


def bitwise_not(input, *, out=None) -> Tensor:
    input = tensor_arg("bitwise_not", input)
    _bitwise_not_check(input.dtype)
    return with_out(BITWISE_NOT(input), out)


def bitwise_not_(input) -> Tensor:
    input = tensor_arg("bitwise_not_", input)
    return in_place(BITWISE_NOT, input, (), {}, dtype=input.dtype, shape=input.shape,
                    check=lambda: _bitwise_not_check(input.dtype))


publish(bitwise_not, "bitwise_not", inplace=bitwise_not_)


# ---- predicates --------------------------------------------------------------------------------
def _predicate(name: str, float_fn, other_fn):
    @defop(name)
    def op(a):
        return finish(float_fn(a) if a.dtype.kind == "f" else other_fn(a), None, a)

    def fn(input) -> Tensor:
        return op(tensor_arg(name, input))
    fn.__name__ = fn.__qualname__ = name
    publish(fn, name)


def _falses(a):
    return np.zeros(a.shape, bool)


_predicate("isnan", np.isnan, _falses)
_predicate("isinf", np.isinf, _falses)
_predicate("isposinf", np.isposinf, _falses)
_predicate("isneginf", np.isneginf, _falses)
_predicate("isfinite", np.isfinite, lambda a: np.ones(a.shape, bool))
_predicate("isreal", lambda a: np.ones(a.shape, bool), lambda a: np.ones(a.shape, bool))
_predicate("signbit", np.signbit, lambda a: a < 0 if a.dtype.kind == "i" else _falses(a))


# ---- equal, isclose, allclose ----------------------------------------------------------------
def equal(input, other) -> bool:
    """Same shape and same values (compared after promotion); nan is never equal."""
    a, b = tensor_arg("equal", input), tensor_arg("equal", other, "other", 2)
    if a.is_meta or b.is_meta:
        from ..meta import no_kernel
        raise NotImplementedError(no_kernel("equal"))
    if a.shape != b.shape:
        return False
    dt = dtypes.promote_types(a.dtype, b.dtype).np
    return bool(np.array_equal(cast(a._data, dt), cast(b._data, dt)))


def _format_tolerance(v) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def isclose(input, other, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Tensor:
    """|input - other| <= atol + rtol * |other|, computed in the inputs' dtype as PyTorch does."""
    a, b = tensor_arg("isclose", input), tensor_arg("isclose", other, "other", 2)
    if a.dtype is not b.dtype:
        raise RuntimeError(f"{a.dtype.scalar_name} did not match {b.dtype.scalar_name}")
    if rtol < 0:
        raise RuntimeError(f"rtol must be greater than or equal to zero, but got "
                           f"{_format_tolerance(rtol)}")
    if atol < 0:
        raise RuntimeError(f"atol must be greater than or equal to zero, but got "
                           f"{_format_tolerance(atol)}")
    broadcast("isclose", a, b)
    if a._meta is not None or b._meta is not None:   # no values: the answer's shape and dtype
        return eq(a, b)
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
    return Tensor._from_array(finish(close, None, a._data, b._data))


def allclose(input, other, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    a, b = tensor_arg("allclose", input), tensor_arg("allclose", other, "other", 2)
    close = isclose(a, b, rtol, atol, equal_nan)
    return bool(close.all()) if close.is_meta else bool(close._data.all())


publish(equal, "equal")
publish(isclose, "isclose")
publish(allclose, "allclose")
