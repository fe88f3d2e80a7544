"""Reductions (sum, mean, var, max, norm, ...), scans, sorting and softmax.

Reduction backward formulas all start the same way: put the reduced dims back (unsqueeze
unless keepdim) and expand the gradient to the input's shape. Results of reductions are
contiguous, as PyTorch's are; sort keeps a dense input's layout (its outputs are empty_like).
Half precision accumulates in float32, as PyTorch's kernels do.
"""
from __future__ import annotations

import functools
import inspect
import math
import warnings

import numpy as np

from .. import dtypes
from ..memory_format import is_non_overlapping_and_dense
from ..tensor import Tensor, _wrap_dim
from .registry import defop, expose

__all__ = ["return_type"]


# ---- arguments: what PyTorch's Python binding accepts and how it refuses the rest ---------------
class _Absent:
    """The default of an optional `dim` that PyTorch tells apart from an explicit None (x.sum()
    is SumBackward0, x.sum(dim=None) is SumBackward1). Prints as None in signatures."""

    def __repr__(self) -> str:
        return "None"


ABSENT = _Absent()


def _type_name(value) -> str:
    t = type(value)
    return t.__name__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__name__}"


def _is_int(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _is_dims(value) -> bool:
    return value is None or _is_int(value) or (
        isinstance(value, (tuple, list)) and all(_is_int(d) for d in value))


_KINDS = {  # argument kind: (accepts, what the message says it must be)
    "int": (_is_int, "int"),
    "dims": (_is_dims, "tuple of ints"),
    "dim_tuple": (lambda v: v is not None and _is_dims(v), "tuple of ints"),
    "opt_int": (lambda v: v is None or _is_int(v), "int"),
    "int_or_tensor": (lambda v: _is_int(v) or isinstance(v, Tensor), "int"),
    "dims_or_bool": (lambda v: _is_dims(v) or isinstance(v, bool), "tuple of ints"),
}


def _binding(name: str, impl, kinds: dict, *, overloads=(), method: bool):
    """impl behind PyTorch's argument checks: `axis=` as an alias of `dim`, a missing required
    argument, and a wrongly typed one named by position (or keyword); a method does not count
    self. `overloads` are the (min, max) argument counts of PyTorch's overloads: unless exactly
    one of them fits the call, it reports "invalid combination of arguments" instead."""
    params = list(inspect.signature(impl).parameters.values())
    required = [p.name for p in params[1:] if p.default is p.empty and p.kind is not p.KEYWORD_ONLY]
    # the common call, whose checks all pass, needs neither sets nor messages: every required
    # argument positional, well typed, and no keyword that is checked or renamed (axis=)
    n_required = 1 + len(required)
    positional_checks = [(i, _KINDS[kinds[p.name]][0]) for i, p in enumerate(params)
                         if p.name in kinds]
    special_keywords = frozenset(kinds) | {"axis"}

    @functools.wraps(impl)
    def call(*args, **kwargs):
        if len(args) >= n_required and not (kwargs and special_keywords & kwargs.keys()):
            for i, accepts in positional_checks:
                if i < len(args) and not accepts(args[i]):
                    break
            else:
                return impl(*args, **kwargs)
        return checked(*args, **kwargs)

    def checked(*args, **kwargs):
        if "axis" in kwargs and "dim" not in kwargs:
            kwargs["dim"] = kwargs.pop("axis")
        given = {p.name for p in params[:len(args)]} | set(kwargs)
        for p in required:
            if p not in given:
                raise TypeError(f'{name}() missing 1 required positional arguments: "{p}"')
        slots = [(p.name, v, i) for i, (p, v) in enumerate(zip(params, args))]
        slots += [(k, v, None) for k, v in kwargs.items()]
        for arg, value, pos in slots:
            kind = kinds.get(arg)
            if kind is None or _KINDS[kind][0](value):
                continue
            n = len(args) - 1 + len(kwargs)
            if overloads and len([1 for lo, hi in overloads if lo <= n <= hi]) != 1:
                raise _combination(name, args[1:] if method else args, kwargs)
            where = f" (position {pos + (0 if method else 1)})" if pos is not None else ""
            raise TypeError(f"{name}(): argument '{arg}'{where} must be {_KINDS[kind][1]}, not "
                            f"{_type_name(value)}")
        return impl(*args, **kwargs)
    return call


def _combination(name: str, args, kwargs) -> TypeError:
    shown = ["Tensor" if isinstance(a, Tensor) else _type_name(a) for a in args]
    kw = "".join(f"{k}={_type_name(v)}, " for k, v in reversed(list(kwargs.items())))
    return TypeError(f"{name}() received an invalid combination of arguments - got "
                     f"({', '.join(shown)}{', ' if shown and kw else ''}{kw}), but expected "
                     "one of:")


def _publish(impl, name: str, kinds: dict, *, overloads=(), function: bool = True,
             method: bool = True) -> None:
    if function:
        expose(_binding(name, impl, kinds, overloads=overloads, method=False), name,
               method=False)
    if method:
        expose(_binding(name, impl, kinds, overloads=overloads, method=True), name,
               function=False)


# ---- helpers ----------------------------------------------------------------------------------
def _dims(dim, ndim: int, *, empty_is_all: bool = True):
    """Normalized reduction dims: None for all, else a tuple of wrapped dims (checked once each).
    `()` means all dims for most reductions (PyTorch's legacy rule), nothing for all/any."""
    if dim is None or dim is ABSENT:
        return None
    dims = (dim,) if _is_int(dim) else tuple(dim)
    if not dims:
        return None if empty_is_all else ()
    wrapped = tuple(_wrap_dim(int(d), ndim) for d in dims)
    for i, d in enumerate(wrapped):
        if d in wrapped[:i]:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return wrapped


def _axis(dims, ndim: int):
    """The NumPy axis for normalized dims (a 0-dim tensor has no axis to reduce)."""
    if ndim == 0:
        return ()
    return dims


def _count(shape, dims) -> int:
    return math.prod(shape[d] for d in (range(len(shape)) if dims is None else dims))


def _restore(g: Tensor, sizes, dims, keepdim: bool) -> Tensor:
    """Undo a reduction's shape: unsqueeze the reduced dims, then expand to the input."""
    return _expand(_unsqueeze(g, sizes, dims, keepdim), sizes)


def _expand(g: Tensor, sizes) -> Tensor:
    sizes = tuple(sizes)
    return g if g._data.shape == sizes else g.expand(sizes)


def _unsqueeze(g: Tensor, sizes, dims, keepdim: bool) -> Tensor:
    if not keepdim and len(sizes):
        for d in sorted(range(len(sizes)) if dims is None else dims):
            g = g.unsqueeze(d)
    return g


def _accumulate(fn, a: np.ndarray, axis, keepdims: bool, dtype) -> np.ndarray:
    """fn (np.sum, np.prod, ...) in `dtype`; half precision accumulates in float32."""
    dtype = np.dtype(dtype)
    if fn is np.sum and dtype in _LANES:
        exact = _cascade_sum(a.astype(dtype, copy=False), axis, keepdims)
        if exact is not None:
            return exact
    if dtype == np.float16:
        return _c(np.asarray(fn(a.astype(np.float32), axis=axis, keepdims=keepdims)).astype(dtype))
    return _c(fn(a, axis=axis, keepdims=keepdims, dtype=dtype))


# PyTorch's CPU sum adds floats in a fixed order (SumKernel.cpp: 4 interleaved partial sums,
# each a 4-level cascade, over 8-lane float / 4-lane double vectors with AVX2). Following that
# order makes sums agree bit for bit, so e.g. a softmax's row sums print as PyTorch prints them.
# Used for contiguous inputs reduced over one block of dims, up to one thread's grain of work.
# The functions below sum over axis -2 of (..., rows, columns): each column is one of many
# independent sums, all computed at once, so the work is a few NumPy calls, not a loop per sum.
_LANES = {np.dtype(np.float32): 8, np.dtype(np.float64): 4}
_GRAIN = 32768


def _cascade_sum(a: np.ndarray, axis, keepdims: bool):
    """The sum over axis in PyTorch's order, or None where that order is not reproduced
    (reductions over dims that are not one block, big or strided inputs)."""
    if a.ndim == 0 or a.size > _GRAIN or a.size == 0 or not a.flags.c_contiguous:
        return None
    plan = _cascade_plan(a.shape, axis, keepdims)
    if plan is None:
        return None
    before, reduced, after, shape = plan
    x = a.reshape(before, reduced, after)
    if reduced <= 4:        # up to 4 terms every path below adds them in order
        total = _in_order(x)
    elif after == 1:        # each result sums a contiguous row ...
        total = _inner_sum(x[:, :, 0], _LANES[a.dtype])
    else:                   # ... or columns
        total = _outer_sum(x, _LANES[a.dtype])
    return _c((total + a.dtype.type(0)).reshape(shape))  # out = 0 + sum


@functools.lru_cache(maxsize=4096)
def _cascade_plan(shape: tuple, axis, keepdims: bool) -> tuple | None:
    """(before, reduced, after, result shape) of a sum over axis (None: all dims), or None when
    the reduced dims are not one block. A pure function of the geometry, cached: a training
    loop sums the same shapes every step."""
    dims = range(len(shape)) if axis is None else axis
    # size-1 dims drop out of PyTorch's iteration; the rest is (before, reduced, after)
    before = reduced = after = 1
    for d, size in enumerate(shape):
        if size == 1:
            continue
        if d in dims:
            if after > 1:
                return None  # reduced dims in more than one block
            reduced *= size
        elif reduced > 1:
            after *= size
        else:
            before *= size
    out = tuple(1 if d in dims else s for d, s in enumerate(shape)) if keepdims else \
        tuple(s for d, s in enumerate(shape) if d not in dims)
    return before, reduced, after, out


def _in_order(x: np.ndarray) -> np.ndarray:
    """The rows of (..., n, w), w contiguous columns, added one after another. np.add.reduce
    loops innermost over the axis with the smallest stride, the columns, adding whole rows in
    order; with a single column that axis would be the rows, which it adds pairwise, so then
    np.add.accumulate (in order along any axis) does it."""
    if x.shape[-2] == 1:
        return x[..., 0, :]
    if x.shape[-1] > 1:
        return np.add.reduce(x, -2)
    return np.add.accumulate(x, -2)[..., -1, :]


def _inner_sum(rows: np.ndarray, lanes: int) -> np.ndarray:
    """Sum over the last, contiguous axis of (results, size): vectors of `lanes` (4 interleaved
    partial sums), then the tail added in order, then the vector's lanes. Transposed, so the
    results are columns."""
    x = np.ascontiguousarray(rows.T)
    size, results = x.shape
    if size < lanes:
        return _row_sum(x)
    nv = size // lanes
    vec = _row_sum(x[:nv * lanes].reshape(nv, lanes * results)).reshape(lanes, results)
    return _in_order(np.concatenate([x[nv * lanes:], vec]))


def _outer_sum(x: np.ndarray, lanes: int) -> np.ndarray:
    """Sum over axis -2 of (before, reduced, columns): column blocks of 4 (x lanes, when there
    are enough) add straight down; the columns left over use 4 interleaved partial sums."""
    cols = x.shape[-1]
    block = 4 * lanes if cols >= lanes else 4
    cascade = cols - cols % block
    parts = ([_multi_row_sum(x[..., :cascade])] if cascade else []) + \
        ([_row_sum(x[..., cascade:])] if cascade < cols else [])
    return parts[0] if len(parts) == 1 else np.concatenate(parts, -1)


def _row_sum(x: np.ndarray) -> np.ndarray:
    """Four interleaved partial sums (rows taken 4 at a time), the rows left over added to the
    first, then the other three."""
    n, w = x.shape[-2:]
    n4 = n // 4
    tail = x[..., n4 * 4:, :]
    if not n4:
        return _in_order(tail)
    partial = _multi_row_sum(x[..., :n4 * 4, :].reshape(x.shape[:-2] + (n4, 4 * w)))
    partial = partial.reshape(x.shape[:-2] + (4, w))
    return _in_order(np.concatenate([partial[..., :1, :], tail, partial[..., 1:, :]], -2))


def _multi_row_sum(x: np.ndarray) -> np.ndarray:
    """PyTorch's cascade: sums of `step` rows in order, each level's sums added in groups of
    `step` into the next of 4 levels (the last takes them all); what is left at each level
    joins at the end, lowest level first."""
    size = x.shape[-2]
    step = 1 << max(4, (size - 1).bit_length() // 4 if size > 1 else 0)
    left = []
    level = x
    for depth in range(4):
        n = level.shape[-2]
        full = n - n % step if depth < 3 else 0
        if full < n:
            left.append(_in_order(level[..., full:, :]))
        if not full:
            break
        level = _in_order(level[..., :full, :].reshape(
            level.shape[:-2] + (full // step, step, level.shape[-1])))
    total = left[0]
    for part in left[1:]:
        total = total + part
    return total


def _c(x) -> np.ndarray:
    """A reduction's result: a contiguous array, whatever layout its input had (NumPy may
    leave odd strides on size-1 dims, which PyTorch's contiguous strides do not have)."""
    x = np.asarray(x)
    if x.ndim < 2 or x.size == 0:
        return x if x.flags.c_contiguous else x.copy(order="C")
    step, canonical = x.itemsize, []
    for n in reversed(x.shape):
        canonical.append(step)
        step *= n
    return x if x.strides == tuple(reversed(canonical)) else x.copy(order="C")


def _wide(a: np.ndarray) -> np.ndarray:
    return a.astype(np.float32) if a.dtype == np.float16 else a


def _zeros_like(t: Tensor) -> Tensor:
    return Tensor._from_array(np.zeros(t.shape, t.dtype.np))


def _zero(t: Tensor) -> Tensor:
    return Tensor._from_array(np.zeros((), t.dtype.np))


def _where(cond, a, b):
    from .pointwise import where
    return where(cond, a, b)


def return_type(name: str, fields=("values", "indices")):
    """torch.return_types.<name>: a tuple with named fields and PyTorch's repr."""
    def __repr__(self):
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(fields, self))
        return f"torch.return_types.{name}(\n{body})"

    cls = type(name, (tuple,), {
        "__slots__": (), "__repr__": __repr__, "__module__": "torch.return_types",
        "__new__": lambda c, values: tuple.__new__(c, values),
        **{f: property(lambda self, i=i: self[i]) for i, f in enumerate(fields)}})
    return cls


def _sum_dtype(t: Tensor, dtype) -> np.dtype:
    """sum/prod/cumsum of integers and bools give int64 unless a dtype is asked for."""
    if dtype is not None:
        return dtype.np
    return np.dtype(np.int64) if not t.dtype.is_floating_point else t.dtype.np


def _empty_check(name: str, t: Tensor, dims, raw=None) -> None:
    """Reductions without an identity (max, amax, argmax, ...) refuse empty inputs; the
    message names the dim as it was passed."""
    if t.numel() != 0:
        return
    if dims is None:
        if name in ("argmax", "argmin"):
            raise IndexError(f"{name}(): Expected reduction dim to be specified for "
                             "input.numel() == 0.")
        raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() "
                           "== 0. Specify the reduction dim with the 'dim' argument.")
    raw = dims if raw is None else ((raw,) if _is_int(raw) else tuple(raw))
    for d, given in zip(dims, raw):
        if t.dim() and t.shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {given} to have non-zero size.")


# ---- sum, nansum, mean ----------------------------------------------------------------------
@defop("sum", "SumBackward0", saves=("self_sym_sizes",),
       formulas={"self": "grad.expand(self.sizes())"})
def SUM(a, *, dtype):
    return _accumulate(np.sum, a, None, False, dtype)


SUM.derivative(lambda g, s: _expand(g, s.self_sym_sizes))


@defop("sum_dim", "SumBackward1", saves=("dim", "keepdim", "self_sym_sizes"),
       formulas={"self": "grad (reduced dims restored) .expand(self.sizes())"})
def SUM_DIM(a, *, dim, keepdim, dtype):
    return _accumulate(np.sum, a, _axis(dim, a.ndim), keepdim, dtype)


SUM_DIM.derivative(lambda g, s: _restore(g, s.self_sym_sizes, s.dim, s.keepdim))


def sum(input: Tensor, dim=ABSENT, keepdim: bool = False, *, dtype=None) -> Tensor:
    """Sum of all elements (SumBackward0) or over `dim` (SumBackward1); integers give int64."""
    if dim is ABSENT:
        return SUM(input, dtype=_sum_dtype(input, dtype))
    return SUM_DIM(input, dim=_dims(dim, input.dim()), keepdim=keepdim,
                   dtype=_sum_dtype(input, dtype))


@defop("nansum", "NansumBackward0", saves=("self", "dim", "keepdim"),
       formulas={"self": "grad * self.isnan().logical_not()"})
def NANSUM(a, *, dim, keepdim, dtype):
    x = np.where(np.isnan(a), 0, a) if a.dtype.kind == "f" else a
    return _accumulate(np.sum, x, _axis(dim, a.ndim), keepdim, dtype)


NANSUM.derivative(lambda g, s: _restore(g, s.self.shape, s.dim, s.keepdim)
                  * s.self.isnan().logical_not())


def nansum(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    return NANSUM(input, dim=_dims(dim, input.dim()), keepdim=keepdim,
                  dtype=_sum_dtype(input, dtype))


def nanmean(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """nansum / (number of non-nan elements): a DivBackward0 over NansumBackward0, as in
    PyTorch."""
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"nanmean(): expected input to have floating point or complex dtype "
                           f"but got {input.dtype.scalar_name}")
    count = input.isnan().logical_not().sum(dim=dim, keepdim=keepdim)
    return nansum(input, dim, keepdim, dtype=dtype) / count


def sum_to_size(input: Tensor, *size) -> Tensor:
    """Sum the broadcast dims away: what autograd does to a gradient of a broadcast operand."""
    size = tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else size
    lead = input.dim() - len(size)
    dims = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(size)
                                      if n == 1 and input.shape[lead + i] != 1)
    out = SUM_DIM(input, dim=dims, keepdim=True, dtype=input.dtype.np) if dims else input
    return out.view(size) if lead else out


def _mean_dtype(t: Tensor, dtype) -> dtypes.dtype:
    from ..autograd.grad_mode import is_grad_enabled
    if dtype is not None and not dtype.is_floating_point and t.requires_grad \
            and is_grad_enabled():
        raise RuntimeError(f"Autograd not support dtype: {dtype.scalar_name}")
    if dtype is None and not t.dtype.is_floating_point:
        raise RuntimeError(f"mean(): could not infer output dtype. Input dtype must be either "
                           f"a floating point or complex dtype. Got: {t.dtype.scalar_name}")
    if dtype is not None and not dtype.is_floating_point:
        raise RuntimeError(f"mean(): could not infer output dtype. Optional dtype must be either "
                           f"a floating point or complex dtype. Got: {dtype.scalar_name}")
    return dtype or t.dtype


def _mean(a: np.ndarray, axis, keepdims: bool, dtype) -> np.ndarray:
    """sum / count, accumulated in float32 for half precision; an empty mean is nan."""
    x = _wide(a.astype(dtype, copy=False))
    total = _cascade_sum(x, axis, keepdims) if x.dtype in _LANES else None
    total = np.sum(x, axis=axis, keepdims=keepdims) if total is None else total
    n = a.size if axis is None else math.prod(a.shape[d] for d in axis)
    return _c(np.asarray(total / n if n else total * np.nan).astype(dtype))


@defop("mean", "MeanBackward0", saves=("self_sym_sizes", "self_sym_numel"),
       formulas={"self": "grad.expand(self.sizes()) / self.numel()"})
def MEAN(a, *, dtype):
    return _mean(a, None, False, dtype)


MEAN.derivative(lambda g, s: _expand(g, s.self_sym_sizes) / s.self_sym_numel)


@defop("mean_dim", "MeanBackward1", saves=("dim", "keepdim", "self_sym_sizes",
                                           "self_sym_numel"),
       formulas={"self": "grad (reduced dims restored) .expand(self.sizes()) / N"})
def MEAN_DIM(a, *, dim, keepdim, dtype):
    return _mean(a, _axis(dim, a.ndim), keepdim, dtype)


@MEAN_DIM.derivative
def _(g, s):
    sizes = s.self_sym_sizes
    return _restore(g, sizes, s.dim, s.keepdim) / _count(sizes, s.dim if sizes else ())


def mean(input: Tensor, dim=ABSENT, keepdim: bool = False, *, dtype=None) -> Tensor:
    out = _mean_dtype(input, dtype)
    src = input if input.dtype is out else input.to(out)
    if dim is ABSENT:
        return MEAN(src, dtype=out.np)
    return MEAN_DIM(src, dim=_dims(dim, src.dim()), keepdim=keepdim, dtype=out.np)


# ---- prod -------------------------------------------------------------------------------------
def _prod_safe_zeros_backward(g: Tensor, x: Tensor, dim: int) -> Tensor:
    """grad * (product of the other elements along dim), with exclusive cumulative products
    from both ends, so zeros need no division (PyTorch's prod_safe_zeros_backward)."""
    from .joining import cat
    if x.numel() == 0:
        return _expand(g, x.shape)
    n = x.shape[dim]
    ones = Tensor._from_array(np.ones(tuple(1 if i == dim else s for i, s in enumerate(x.shape)),
                                      g.dtype.np))
    before = cat([ones, x.narrow(dim, 0, n - 1)], dim).cumprod(dim)
    after = cat([ones, x.narrow(dim, 1, n - 1).flip(dim)], dim).cumprod(dim).flip(dim)
    return g * (before * after)


@defop("prod", "ProdBackward0", saves=("self", "result"),
       formulas={"self": "grad * (product of the other elements)"})
def PROD(a, *, dtype):
    return _accumulate(np.prod, a, None, False, dtype)


@PROD.derivative
def _(g, s):
    x, result = s.self, s.result
    if x.dim() == 0:
        return g
    if not np.any(x._data == 0):
        return g * (result / x)
    flat = x.contiguous().view(-1)
    return _prod_safe_zeros_backward(_expand(g, flat.shape), flat, 0).view(*x.shape)


@defop("prod_dim", "ProdBackward1", saves=("dim", "keepdim", "self", "result"),
       formulas={"self": "grad * (product of the other elements along dim)"})
def PROD_DIM(a, *, dim, keepdim, dtype):
    return _accumulate(np.prod, a, dim if a.ndim else (), keepdim, dtype)


@PROD_DIM.derivative
def _(g, s):
    x, result, dim = s.self, s.result, s.dim
    if x.dim() == 0:
        return g
    if not s.keepdim:
        g, result = g.unsqueeze(dim), result.unsqueeze(dim)
    if not np.any(x._data == 0):
        return g * (result / x)
    return _prod_safe_zeros_backward(g, x, dim)


def prod(input: Tensor, dim=ABSENT, keepdim: bool = False, *, dtype=None) -> Tensor:
    if dim is ABSENT:
        return PROD(input, dtype=_sum_dtype(input, dtype))
    return PROD_DIM(input, dim=_wrap_dim(dim, input.dim()), keepdim=keepdim,
                    dtype=_sum_dtype(input, dtype))


# ---- var, std, var_mean, std_mean --------------------------------------------------------------
def _var_args(name: str, dim, unbiased, correction):
    """var(input, unbiased), var(input, dim, unbiased, keepdim), var(input, dim, *, correction):
    PyTorch's three overloads, and its refusal to mix unbiased with correction."""
    if isinstance(dim, bool):  # var(input, unbiased)
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        raise _combination(name, (), {"dim": dim, "unbiased": unbiased, "correction": correction})
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    return dim, correction


def _var_forward(a: np.ndarray, dims, correction, keepdim: bool, name: str) -> np.ndarray:
    dims = dims or None  # dim=() reduces all dims forward (its backward differs, see below)
    x = _wide(a)
    axis = _axis(dims, a.ndim)
    mean = np.mean(x, axis=axis, keepdims=True) if x.size else np.zeros((1,) * x.ndim, x.dtype)
    sq = np.sum(np.square(np.abs(x - mean)), axis=axis, keepdims=keepdim)
    n = _count(a.shape, dims if a.ndim else ())
    dof = n - correction
    if dof <= 0:
        warnings.warn(f"{name}(): degrees of freedom is <= 0. Correction should be strictly less "
                      "than the reduction factor (input numel divided by output numel).",
                      UserWarning, stacklevel=5)
    return _c(np.asarray(sq / max(dof, 0)).astype(a.dtype))


def _div(a: float, b: float) -> float:
    """a / b as IEEE floats do it (b == 0 gives inf, as PyTorch's SymFloat division)."""
    return a / b if b else math.copysign(math.inf, a)


def _var_backward(g: Tensor, x: Tensor, dims, correction, keepdim: bool) -> Tensor:
    """PyTorch's var_backward, including its rule for dim=() (reduced as all dims forward, but
    counted as one element backward)."""
    if x.dim() == 0 or dims is None:
        dof = x.numel() - correction
        if dof <= 0:
            nan, inf = (Tensor._from_array(np.array(v, x.dtype.np)) for v in (math.nan, math.inf))
            return g * _where(x == x.mean(), nan, inf)
        return (2.0 / dof) * g * (x - x.mean())
    if not keepdim and x.dim() > 1:
        g = _unsqueeze(g, x.shape, dims, False)
    n = _count(x.shape, dims)
    return _div(2.0, n - correction) * g * (x - x.mean(dims, keepdim=True))


def _std_backward(g: Tensor, x: Tensor, result: Tensor, dims, correction, keepdim) -> Tensor:
    grad_var = _where(result == 0, _zero(g), g / (result * 2))
    return _var_backward(grad_var, x, dims, correction, keepdim)


@defop("var", "VarBackward0", saves=("correction", "dim", "keepdim", "self"),
       formulas={"self": "grad * 2 * (self - self.mean(dim)) / (N - correction)"})
def VAR(a, *, dim, correction, keepdim):
    return _var_forward(a, dim, correction, keepdim, "var")


VAR.derivative(lambda g, s: _var_backward(g, s.self, s.dim, s.correction, s.keepdim))


@defop("std", "StdBackward0", saves=("correction", "dim", "keepdim", "self", "result"),
       formulas={"self": "grad * (self - self.mean(dim)) / ((N - correction) * result)"})
def STD(a, *, dim, correction, keepdim):
    return np.sqrt(_var_forward(a, dim, correction, keepdim, "std"))


STD.derivative(lambda g, s: _std_backward(g, s.self, s.result, s.dim, s.correction, s.keepdim))


def _moment_mean(a, dim, keepdim):
    return _mean(a, _axis(dim or None, a.ndim), keepdim, a.dtype)


@defop("var_mean", "VarMeanBackward0", saves=("correction", "dim", "keepdim", "self"),
       n_outputs=2, differentiable_outputs=(0, 1),
       formulas={"self": "var_backward(grad_var) + mean_backward(grad_mean)"})
def VAR_MEAN(a, *, dim, correction, keepdim):
    return _var_forward(a, dim, correction, keepdim, "var_mean"), _moment_mean(a, dim, keepdim)


@defop("std_mean", "StdMeanBackward0", saves=("correction", "dim", "keepdim", "self", "result"),
       n_outputs=2, differentiable_outputs=(0, 1),
       formulas={"self": "std_backward(grad_std) + mean_backward(grad_mean)"})
def STD_MEAN(a, *, dim, correction, keepdim):
    return (np.sqrt(_var_forward(a, dim, correction, keepdim, "std_mean")),
            _moment_mean(a, dim, keepdim))


def _mean_backward(g: Tensor, x: Tensor, dims, keepdim: bool) -> Tensor:
    dims = dims or None
    return _restore(g, x.shape, dims, keepdim) / _count(x.shape, dims if x.dim() else ())


@VAR_MEAN.derivative
def _(grads, s):
    g_var, g_mean = grads
    out = None
    if g_var is not None:
        out = _var_backward(g_var, s.self, s.dim, s.correction, s.keepdim)
    if g_mean is not None:
        m = _mean_backward(g_mean, s.self, s.dim, s.keepdim)
        out = m if out is None else out + m
    return out


@STD_MEAN.derivative
def _(grads, s):
    g_std, g_mean = grads
    out = None
    if g_std is not None:
        out = _std_backward(g_std, s.self, s.result, s.dim, s.correction, s.keepdim)
    if g_mean is not None:
        m = _mean_backward(g_mean, s.self, s.dim, s.keepdim)
        out = m if out is None else out + m
    return out


def _moments(name: str, op, input: Tensor, dim, unbiased, keepdim, correction):
    dim, correction = _var_args(name, dim, unbiased, correction)
    if not input.dtype.is_floating_point:
        raise RuntimeError("std and var only support floating point and complex dtypes")
    return op(input, dim=_dims(dim, input.dim(), empty_is_all=False), correction=correction,
              keepdim=keepdim)


def var(input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *,
        correction=None) -> Tensor:
    return _moments("var", VAR, input, dim, unbiased, keepdim, correction)


def std(input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *,
        correction=None) -> Tensor:
    return _moments("std", STD, input, dim, unbiased, keepdim, correction)


def var_mean(input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *,
             correction=None) -> tuple:
    return tuple(_moments("var_mean", VAR_MEAN, input, dim, unbiased, keepdim, correction))


def std_mean(input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *,
             correction=None) -> tuple:
    return tuple(_moments("std_mean", STD_MEAN, input, dim, unbiased, keepdim, correction))


# ---- max, min, amax, amin, aminmax, argmax, argmin -------------------------------------------
def _evenly(g: Tensor, x: Tensor, result: Tensor) -> Tensor:
    """A full max/min/median's gradient is shared equally among the elements equal to it
    (the nan ones, when the result is nan)."""
    mask = x.isnan() if bool(np.isnan(result._data).any()) else x == result
    return _expand(_where(mask, g / mask.sum(), _zero(g)), x.shape)


def _full_extreme(name: str, grad_fn: str, np_fn):
    op = defop(name, grad_fn, saves=("self", "result"),
               formulas={"self": "grad shared evenly among the elements equal to result"})(
        lambda a: np.asarray(np_fn(a)))
    op.derivative(lambda g, s: _evenly(g, s.self, s.result))
    return op


MAX_ALL = _full_extreme("max", "MaxBackward1", np.max)
MIN_ALL = _full_extreme("min", "MinBackward1", np.min)


def _scatter_at(g: Tensor, idx: Tensor, dim: int, keepdim: bool, sizes) -> Tensor:
    """zeros(sizes) with g placed at idx along dim (value_selecting_reduction_backward)."""
    if not sizes:
        return g
    if not keepdim:
        g, idx = g.unsqueeze(dim), idx.unsqueeze(dim)
    return Tensor._from_array(np.zeros(sizes, g.dtype.np)).scatter(dim, idx, g)


def _dim_extreme(name: str, grad_fn: str, arg_fn):
    def forward(a, *, dim, keepdim):
        if a.ndim == 0:
            return a.copy(), np.zeros((), np.int64)
        idx = arg_fn(a, axis=dim, keepdims=True)
        values = np.take_along_axis(a, idx, axis=dim)
        if not keepdim:
            values, idx = values.squeeze(dim), idx.squeeze(dim)
        return _c(values), _c(idx.astype(np.int64))

    op = defop(name + "_dim", grad_fn, saves=("dim", "keepdim", "self_sym_sizes", "result1"),
               n_outputs=2,
               formulas={"self": "zeros(self.sizes()) with grad at indices"})(forward)
    op.derivative(lambda grads, s: _scatter_at(grads[0], s.result1, s.dim, s.keepdim,
                                               s.self_sym_sizes))
    return op


MAX_DIM = _dim_extreme("max", "MaxBackward0", np.argmax)
MIN_DIM = _dim_extreme("min", "MinBackward0", np.argmin)
MAX_RET, MIN_RET = return_type("max"), return_type("min")


def _extreme(all_op, dim_op, ret, name):
    def fn(input: Tensor, dim=ABSENT, keepdim: bool = False, *, out=None):
        if isinstance(dim, Tensor):  # torch.max(a, b) is maximum
            from .pointwise import maximum, minimum
            return (maximum if name == "max" else minimum)(input, dim)
        if dim is ABSENT:
            _empty_check(name, input, None)
            return all_op(input)
        d = _wrap_dim(dim, input.dim())
        _empty_check(name, input, (d,), dim)
        return ret(dim_op(input, dim=d, keepdim=keepdim))
    fn.__name__ = fn.__qualname__ = name
    return fn


max_ = _extreme(MAX_ALL, MAX_DIM, MAX_RET, "max")
min_ = _extreme(MIN_ALL, MIN_DIM, MIN_RET, "min")


def _amax_backward(g: Tensor, x: Tensor, result: Tensor, dims, keepdim: bool) -> Tensor:
    """grad shared evenly among the elements equal to the result along dims."""
    mask = x == _unsqueeze(result, x.shape, dims, keepdim)
    count = mask.sum(dims if dims is not None else tuple(range(x.dim())), keepdim=True) \
        if x.dim() else mask.sum()
    return (_unsqueeze(g, x.shape, dims, keepdim) / count) * mask


def _amax_op(name: str, grad_fn: str, np_fn):
    op = defop(name, grad_fn, saves=("dim", "keepdim", "result", "self"),
               formulas={"self": "grad shared evenly among the maxima along dim"})(
        lambda a, *, dim, keepdim: _c(np_fn(a, axis=_axis(dim, a.ndim), keepdims=keepdim)))
    op.derivative(lambda g, s: _amax_backward(g, s.self, s.result, s.dim, s.keepdim))
    return op


AMAX = _amax_op("amax", "AmaxBackward0", np.max)
AMIN = _amax_op("amin", "AminBackward0", np.min)


def amax(input: Tensor, dim=(), keepdim: bool = False) -> Tensor:
    dims = _dims(dim, input.dim())
    _empty_check("amax", input, dims, dim)
    return AMAX(input, dim=dims, keepdim=keepdim)


def amin(input: Tensor, dim=(), keepdim: bool = False) -> Tensor:
    dims = _dims(dim, input.dim())
    _empty_check("amin", input, dims, dim)
    return AMIN(input, dim=dims, keepdim=keepdim)


AMINMAX_RET = return_type("aminmax", ("min", "max"))


@defop("aminmax", "AminmaxBackward0", saves=("dim", "keepdim", "self", "result", "result1"),
       n_outputs=2, differentiable_outputs=(0, 1),
       formulas={"self": "amin_backward(grad_min) + amax_backward(grad_max)"})
def AMINMAX(a, *, dim, keepdim):
    axis = _axis(dim, a.ndim)
    return _c(np.min(a, axis=axis, keepdims=keepdim)), _c(np.max(a, axis=axis, keepdims=keepdim))


@AMINMAX.derivative
def _(grads, s):
    out = None
    for g, result in zip(grads, (s.result, s.result1)):
        if g is not None:
            part = _amax_backward(g, s.self, result, s.dim, s.keepdim)
            out = part if out is None else out + part
    return out


def aminmax(input: Tensor, *, dim=None, keepdim: bool = False):
    dims = None if dim is None else (_wrap_dim(dim, input.dim()),)
    _empty_check("aminmax", input, dims)
    return AMINMAX_RET(AMINMAX(input, dim=dims, keepdim=keepdim))


def _arg(name: str, np_fn):
    op = defop(name)(lambda a, *, dim, keepdim: _arg_forward(np_fn, a, dim, keepdim))

    def fn(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
        if input.dtype is dtypes.bool:
            raise RuntimeError(f"{name}(): does not support bool input")
        d = None if dim is None else _wrap_dim(dim, input.dim())
        _empty_check(name, input, None if d is None else (d,), dim)
        return op(input, dim=d, keepdim=keepdim)
    fn.__name__ = fn.__qualname__ = name
    _publish(fn, name, {"dim": "opt_int"})


def _arg_forward(np_fn, a, dim, keepdim):
    if dim is None or a.ndim == 0:
        flat = np.asarray(np_fn(a.reshape(-1))).astype(np.int64)
        return flat.reshape((1,) * a.ndim) if keepdim else flat
    return _c(np_fn(a, axis=dim, keepdims=keepdim).astype(np.int64))


# ---- norm -------------------------------------------------------------------------------------
def _fmt(v) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def _trailing_contiguous(a: np.ndarray, axis: tuple) -> bool:
    """Are the reduced dims the last ones, and laid out one after another in memory?"""
    k = len(axis)
    if sorted(axis) != list(range(a.ndim - k, a.ndim)) or k == 0:
        return False
    step = a.itemsize
    for n, stride in zip(reversed(a.shape[a.ndim - k:]), reversed(a.strides[a.ndim - k:])):
        if n != 1 and stride != step:
            return False
        step *= n
    return True


def _all(axis, ndim: int) -> tuple:
    return tuple(range(ndim)) if axis is None else tuple(axis)


def _reduced_shape(shape: tuple, axis: tuple, keepdim: bool) -> tuple:
    return tuple(1 if i in axis else n for i, n in enumerate(shape) if keepdim or i not in axis)


def _inner_sum_of_squares(rows: np.ndarray) -> np.ndarray:
    """Each row's sum of squares in float32 as torch's 2-norm kernel adds them along a contiguous
    run: 8 lanes collect the squares of whole groups of 8 and are then added in order; of the
    rest, groups of 4 squares are added in order and the last few fused in (fma)."""
    n = rows.shape[1]
    squares = rows * rows
    whole = n - n % 8
    total = np.zeros(rows.shape[0], np.float32)
    if whole:
        lanes = np.add.reduce(squares[:, :whole].reshape(rows.shape[0], -1, 8), axis=1)
        for j in range(8):
            total = total + lanes[:, j]
    fours = whole + (n - whole) // 4 * 4
    for i in range(whole, fours):
        total = total + squares[:, i]
    for i in range(fours, n):   # fma(x, x, total): exact in float64, rounded once
        total = (rows[:, i].astype(np.float64) ** 2 + total).astype(np.float32)
    return total


@defop("linalg_vector_norm", "LinalgVectorNormBackward0",
       saves=("dim", "keepdim", "ord", "result", "self"),
       formulas={"self": "grad * self * |self|^(ord-2) / result^(ord-1)"})
def NORM(a, *, ord, dim, keepdim, dtype):
    x = np.abs(_wide(a.astype(dtype, copy=False)))
    axis = _axis(dim, a.ndim)
    if ord == math.inf:
        out = np.max(x, axis=axis, keepdims=keepdim)
    elif ord == -math.inf:
        out = np.min(x, axis=axis, keepdims=keepdim)
    elif ord == 0:
        out = np.sum(x != 0, axis=axis, keepdims=keepdim)
    elif ord == 1:
        out = np.sum(x, axis=axis, keepdims=keepdim)
    elif ord == 2 and x.dtype == np.float32 and _trailing_contiguous(a, _all(axis, a.ndim)):
        axes = _all(axis, a.ndim)
        rows = x.reshape((-1, math.prod(a.shape[a.ndim - len(axes):])))
        out = np.sqrt(_inner_sum_of_squares(rows)).reshape(_reduced_shape(a.shape, axes, keepdim))
    elif ord == 2:
        out = np.sqrt(np.sum(x * x, axis=axis, keepdims=keepdim))
    else:
        out = np.power(np.sum(np.power(x, ord), axis=axis, keepdims=keepdim), 1.0 / ord)
    return _c(np.asarray(out).astype(dtype))


@NORM.derivative
def _(g, s):
    """PyTorch's norm_backward, formula by formula (ord 0 has no gradient)."""
    x, p, dims, norm = s.self, s.ord, s.dim, s.result
    if not s.keepdim and x.dim() != 0 and dims is not None:  # no dim: the grad broadcasts
        g, norm = _unsqueeze(g, x.shape, dims, False), _unsqueeze(norm, x.shape, dims, False)
    zero = _zero(g)
    if p == 0:
        return None
    if p == 1:
        return x.sgn() * g
    if p == 2:
        return g * _where(norm == 0, zero, x / norm)
    if math.isinf(p):
        absx = x.abs()
        mask = absx.eq(norm).logical_or(absx.isnan())
        count = mask.sum(dims if dims is not None else tuple(range(x.dim())), keepdim=True) \
            if x.dim() else mask.sum()
        return x.sgn() * ((g / count) * mask)
    if p < 1:
        scaled = x.sgn() * _where(x == 0, zero, x.abs().pow(p - 1))
        return scaled * g * norm.pow(1 - p)
    scale = _where(norm == 0, zero, g / norm.pow(p - 1))
    return (x.sgn() * x.abs().pow(p - 1) if p < 2 else x * x.abs().pow(p - 2)) * scale


def vector_norm(input: Tensor, ord=2, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {input.dtype.scalar_name}")
    if dtype is not None and dtypes.promote_types(input.dtype, dtype) is not dtype:
        raise RuntimeError(f"linalg.vector_norm: the dtype of the input ({input.dtype.scalar_name}"
                           f") should be convertible without narrowing to the specified dtype "
                           f"({dtype.scalar_name})")
    dims = _dims(dim, input.dim())
    if input.numel() == 0 and (ord < 0 or ord == math.inf):
        if dims is None:
            raise RuntimeError(f"linalg.vector_norm cannot compute the {_fmt(ord)} norm on an "
                               "empty tensor because the operation does not have an identity")
        raw = (dim,) if _is_int(dim) else tuple(dim)
        for d, wrapped in zip(raw, dims):
            if input.shape[wrapped] == 0:
                raise RuntimeError(f"linalg.vector_norm cannot compute the {_fmt(ord)} norm on "
                                   f"the dimension {d}because this dimension is empty and the "
                                   "operation does not have an identity")
    return NORM(input, ord=float(ord), dim=dims, keepdim=keepdim,
                dtype=(dtype or input.dtype).np)


def norm(input: Tensor, p="fro", dim=None, keepdim: bool = False, out=None,
         dtype=None) -> Tensor:
    """torch.norm: a vector norm over dim (all dims by default); 'fro' over at most 2 dims."""
    if isinstance(p, str):
        if p == "fro" and (dim is None or _is_int(dim) or len(dim) <= 2):
            return vector_norm(input, 2, dim, keepdim, dtype=dtype)
        dims = list(range(input.dim())) if dim is None else list(dim)
        if p not in ("fro", "nuc"):
            raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
        if len(dims) != 2:
            raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got "
                               f"{' '.join(str(d) for d in dims)}")
        raise NotImplementedError("the nuclear norm is not supported by Autograd Explorer's "
                                  "engine (it needs an SVD)")
    return vector_norm(input, 2.0 if p is None else p, dim, keepdim, dtype=dtype)


def _tensor_norm(self: Tensor, p="fro", dim=None, keepdim: bool = False, dtype=None) -> Tensor:
    return norm(self, p, dim, keepdim, dtype=dtype)


# ---- logsumexp ------------------------------------------------------------------------------
@defop("logsumexp", "LogsumexpBackward0", saves=("dim", "keepdim", "result", "self"),
       formulas={"self": "grad * exp(self - result)"})
def LOGSUMEXP(a, *, dim, keepdim):
    x = _wide(a)
    axis = _axis(dim, a.ndim)
    if x.size == 0:
        return _c(np.log(np.sum(np.exp(x), axis=axis, keepdims=keepdim)).astype(a.dtype))
    m = np.max(x, axis=axis, keepdims=True)
    m = np.where(np.abs(m) == np.inf, 0, m)   # an infinite max is not shifted out
    out = np.asarray(np.log(np.sum(np.exp(x - m), axis=axis, keepdims=keepdim)))
    return _c((out + m.reshape(out.shape)).astype(a.dtype))


@LOGSUMEXP.derivative
def _(g, s):
    x, result = s.self, s.result
    if not s.keepdim and x.dim():
        g = _unsqueeze(g, x.shape, s.dim, False)
        result = _unsqueeze(result, x.shape, s.dim, False)
    return g * (x - result).exp()


def logsumexp(input: Tensor, dim, keepdim: bool = False) -> Tensor:
    src = input if input.dtype.is_floating_point else input.to(dtypes.get_default_dtype())
    dims = _dims(dim, input.dim())
    if dims is None and input.dim() and input.numel() and not keepdim:  # PyTorch's quirk: dim=()
        raise RuntimeError(f"output with shape [] doesn't match the broadcast shape "
                           f"[{', '.join('1' * input.dim())}]")
    return LOGSUMEXP(src, dim=dims, keepdim=keepdim)


# ---- scans ------------------------------------------------------------------------------------
def _reversed_cumsum(t: Tensor, dim: int) -> Tensor:
    return t.flip(dim).cumsum(dim).flip(dim)


@defop("cumsum", "CumsumBackward0", saves=("dim",),
       formulas={"self": "grad.flip(dim).cumsum(dim).flip(dim)"})
def CUMSUM(a, *, dim, dtype):
    if a.ndim == 0:
        return a.astype(dtype)
    if np.dtype(dtype) == np.float16:
        return _c(np.cumsum(a.astype(np.float32), axis=dim).astype(dtype))
    return _c(np.cumsum(a, axis=dim, dtype=dtype))


CUMSUM.derivative(lambda g, s: _reversed_cumsum(g, s.dim) if g.dim() else g)


def cumsum(input: Tensor, dim: int, *, dtype=None) -> Tensor:
    return CUMSUM(input, dim=_wrap_dim(dim, input.dim()), dtype=_sum_dtype(input, dtype))


def _scan_(name: str, op, input: Tensor, dim: int, dtype) -> Tensor:
    """cumsum_ / cumprod_: the scan written back into input (in its own dtype)."""
    from ..autograd.grad_mode import is_grad_enabled
    from .pointwise import _inplace
    from .registry import check_inplace_allowed
    if is_grad_enabled() and input.requires_grad:
        check_inplace_allowed(input)
    if input.dtype is dtypes.bool:
        raise NotImplementedError(f"\"{name}_out_cpu\" not implemented for 'Bool'")
    out = dtype or input.dtype
    return _inplace(op, input, (), {"dim": _wrap_dim(dim, input.dim()), "dtype": out.np},
                    dtype=out, shape=input.shape)


def cumsum_(input: Tensor, dim: int, *, dtype=None) -> Tensor:
    return _scan_("cumsum", CUMSUM, input, dim, dtype)


def cumprod_(input: Tensor, dim: int, *, dtype=None) -> Tensor:
    return _scan_("cumprod", CUMPROD, input, dim, dtype)


def _cumprod_grad_with_zeros(g: np.ndarray, x: np.ndarray, dim: int) -> np.ndarray:
    """d/dx_k of sum_i g_i * prod_{j<=i} x_j, exactly, zeros included:
    (product of x before k) * S_k, where S_k = g_k + x_{k+1} * S_{k+1}."""
    g, x = np.moveaxis(g, dim, -1), np.moveaxis(x, dim, -1)
    before = np.cumprod(np.concatenate([np.ones_like(x[..., :1]), x[..., :-1]], -1), -1)
    s = np.zeros_like(g)
    s[..., -1] = g[..., -1]
    for k in range(x.shape[-1] - 2, -1, -1):
        s[..., k] = g[..., k] + x[..., k + 1] * s[..., k + 1]
    return np.moveaxis(before * s, -1, dim)


@defop("cumprod", "CumprodBackward0", saves=("dim", "self", "result"),
       formulas={"self": "sum over later positions i of grad_i * result_i / self"})
def CUMPROD(a, *, dim, dtype):
    if a.ndim == 0:
        return a.astype(dtype)
    if np.dtype(dtype) == np.float16:
        return _c(np.cumprod(a.astype(np.float32), axis=dim).astype(dtype))
    return _c(np.cumprod(a, axis=dim, dtype=dtype))


@CUMPROD.derivative
def _(g, s):
    x, dim, result = s.self, s.dim, s.result
    if x.numel() <= 1 or x.shape[dim] == 1:
        return g
    if not np.any(x._data == 0):
        return _reversed_cumsum(g * result, dim) / x
    return Tensor._from_array(_cumprod_grad_with_zeros(g._data, x._data.astype(g.dtype.np),
                                                       dim))


def cumprod(input: Tensor, dim: int, *, dtype=None) -> Tensor:
    return CUMPROD(input, dim=_wrap_dim(dim, input.dim()), dtype=_sum_dtype(input, dtype))


def diff(input: Tensor, n: int = 1, dim: int = -1, prepend=None, append=None) -> Tensor:
    """The n-th forward difference along dim: x[1:] - x[:-1], n times (a SubBackward0 of two
    slices, as in PyTorch; logical_xor for bool)."""
    if input.dim() == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    d = _wrap_dim(dim, input.dim())
    if prepend is not None or append is not None:
        from .joining import cat
        input = cat([t for t in (prepend, input, append) if t is not None], d)
    for _ in range(n):
        length = input.shape[d]
        if length == 0:
            break
        later, earlier = input.narrow(d, 1, length - 1), input.narrow(d, 0, length - 1)
        input = later.logical_xor(earlier) if input.dtype is dtypes.bool else later - earlier
    return input


def _cum_extreme(name: str, better):
    """cummax / cummin: running extreme and where it was last reached (nan sticks)."""
    ret = return_type(name)

    def forward(a, *, dim):
        if a.ndim == 0:
            return a.copy(), np.zeros((), np.int64)
        x = np.moveaxis(a, dim, -1)
        values, idx = np.empty_like(x), np.zeros(x.shape, np.int64)
        values[..., 0] = x[..., 0]
        for k in range(1, x.shape[-1]):
            cur, prev = x[..., k], values[..., k - 1]
            take = (np.isnan(cur) | (~np.isnan(prev) & better(cur, prev))) \
                if a.dtype.kind == "f" else better(cur, prev)
            values[..., k] = np.where(take, cur, prev)
            idx[..., k] = np.where(take, k, idx[..., k - 1])
        return (_c(np.moveaxis(values, -1, dim)),
                _c(np.moveaxis(idx, -1, dim)))

    op = defop(name, name.capitalize() + "Backward0", saves=("dim", "self", "result1"),
               n_outputs=2,
               formulas={"self": "zeros(self.sizes()).scatter_add(dim, indices, grad)"})(forward)
    op.derivative(lambda grads, s: grads[0] if s.self.dim() == 0 else _zeros_like(
        grads[0]).scatter_add(s.dim, s.result1, grads[0]))

    def fn(input: Tensor, dim: int):
        if input.dim() == 0 and dim not in (0, -1):
            raise IndexError(f"{name}(): Expected reduction dim -1 or 0 for scalar but got {dim}")
        return ret(op(input, dim=_wrap_dim(dim, input.dim())))
    fn.__name__ = fn.__qualname__ = name
    _publish(fn, name, {"dim": "int"})


_cum_extreme("cummax", np.greater_equal)
_cum_extreme("cummin", np.less_equal)


@defop("logcumsumexp", "LogcumsumexpBackward0", saves=("dim", "self", "result"),
       formulas={"self": "sum over later positions i of grad_i * exp(self - result_i)"})
def LOGCUMSUMEXP(a, *, dim):
    if a.ndim == 0:
        return a.copy()
    return _c(np.logaddexp.accumulate(_wide(a), axis=dim).astype(a.dtype))


@LOGCUMSUMEXP.derivative
def _(g, s):
    """PyTorch's formula: positive and negative parts of grad in log space."""
    x, result, dim = s.self, s.result, s.dim
    if g.dim() == 0 or g.numel() == 0:
        return g
    lowest = Tensor._from_array(np.array(np.finfo(g.dtype.np).min, g.dtype.np))

    def reverse_logcumsumexp(t):
        return t.flip(dim).logcumsumexp(dim).flip(dim)
    log_abs = g.abs().log()
    pos = _where(g > 0, log_abs, lowest)
    neg = _where(g < 0, log_abs, lowest)
    return (reverse_logcumsumexp(pos - result) + x).exp() - \
        (reverse_logcumsumexp(neg - result) + x).exp()


def logcumsumexp(input: Tensor, dim: int) -> Tensor:
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"\"logcumsumexp_out_cpu\" not implemented for "
                                  f"'{input.dtype.scalar_name}'")
    return LOGCUMSUMEXP(input, dim=_wrap_dim(dim, input.dim()))


# ---- sort, argsort, msort, topk, kthvalue ---------------------------------------------------
SORT_RET, TOPK_RET, KTHVALUE_RET = return_type("sort"), return_type("topk"), \
    return_type("kthvalue")


def _argsort(a: np.ndarray, axis: int, descending: bool) -> np.ndarray:
    """A stable sort; nan sorts above everything (last ascending, first descending)."""
    if not descending:
        return np.argsort(a, axis=axis, kind="stable")
    n = a.shape[axis]
    flipped = np.argsort(np.flip(a, axis), axis=axis, kind="stable")
    return np.flip(n - 1 - flipped, axis)


def _like_input(arr: np.ndarray, like: np.ndarray) -> np.ndarray:
    """arr in the layout empty_like(like) has: a dense input's strides, else contiguous."""
    strides = tuple(s // like.itemsize for s in like.strides)
    if like.ndim < 2 or like.flags.c_contiguous or \
            not is_non_overlapping_and_dense(like.shape, strides):
        return _c(arr)
    out = np.empty_like(like, dtype=arr.dtype)
    out[...] = arr
    return out


def _sort_forward(a, *, dim, descending):
    if a.ndim == 0:
        return a.copy(), np.zeros((), np.int64)
    idx = _argsort(a, dim, descending)
    return (_like_input(np.take_along_axis(a, idx, axis=dim), a),
            _like_input(idx.astype(np.int64), a))


# sort(dim, descending) is SortBackward0; the overload with `stable` is SortBackward1.
SORT, SORT_STABLE = (
    defop(name, grad_fn, saves=("dim", "self_sym_sizes", "result1"), n_outputs=2,
          formulas={"self": "zeros(self.sizes()) with grad scattered back to indices"})(
        _sort_forward) for name, grad_fn in (("sort", "SortBackward0"),
                                             ("sort_stable", "SortBackward1")))
for _op in (SORT, SORT_STABLE):
    _op.derivative(lambda grads, s: _scatter_at(grads[0], s.result1, s.dim, True,
                                                s.self_sym_sizes))


def sort(input: Tensor, dim: int = -1, descending: bool = False, stable=ABSENT):
    """A stable sort (PyTorch's CPU sort is stable either way); nan sorts as the largest."""
    op = SORT if stable is ABSENT else SORT_STABLE
    return SORT_RET(op(input, dim=_wrap_dim(dim, input.dim()), descending=descending))


def argsort(input: Tensor, dim: int = -1, descending: bool = False, *,
            stable: bool = False) -> Tensor:
    from ..autograd.grad_mode import no_grad
    with no_grad():
        return sort(input, dim, descending)[1]


def msort(input: Tensor) -> Tensor:
    return sort(input, 0)[0]


@defop("topk", "TopkBackward0", saves=("dim", "self_sym_sizes", "result1"), n_outputs=2,
       formulas={"self": "zeros(self.sizes()) with grad scattered back to indices"})
def TOPK(a, *, k, dim, largest, sorted):
    if a.ndim == 0:
        return a.copy(), np.zeros((), np.int64)
    idx = np.take(_argsort(a, dim, largest), range(k), axis=dim)
    return (_c(np.take_along_axis(a, idx, axis=dim)),
            _c(idx.astype(np.int64)))


TOPK.derivative(lambda grads, s: _scatter_at(grads[0], s.result1, s.dim, True,
                                             s.self_sym_sizes))


def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True,
         sorted: bool = True):
    d = _wrap_dim(dim, input.dim())
    if input.dtype is dtypes.bool:
        raise RuntimeError("topk does not support bool dtypes on CPU")
    if not 0 <= k <= (input.shape[d] if input.dim() else 1):
        raise RuntimeError("selected index k out of range")
    return TOPK_RET(TOPK(input, k=k, dim=d, largest=largest, sorted=sorted))


def _kth(a: np.ndarray, dim: int, k: int, keepdim: bool, ignore_nan: bool = False):
    """The k-th smallest (0-based) along dim and its index; nan counts as the largest, or
    (nanmedian) is skipped."""
    if a.ndim == 0:
        return a.copy(), np.zeros((), np.int64)
    idx = _argsort(a, dim, False)
    if a.dtype.kind == "f" and not ignore_nan:  # a nan in the slice is its median (kth)
        valid = np.sum(~np.isnan(a), axis=dim, keepdims=True)
        pick = np.take_along_axis(idx, np.where(valid < a.shape[dim], valid, k), axis=dim)
    elif ignore_nan:
        valid = np.sum(~np.isnan(a), axis=dim, keepdims=True) if a.dtype.kind == "f" else \
            np.full(idx.take([0], axis=dim).shape, a.shape[dim])
        kk = np.where(valid > 0, (valid - 1) // 2, 0)
        pick = np.take_along_axis(idx, kk, axis=dim)
    else:
        pick = idx.take([k], axis=dim)
    values = np.take_along_axis(a, pick, axis=dim)
    if not keepdim:
        values, pick = values.squeeze(dim), pick.squeeze(dim)
    return _c(values), _c(pick.astype(np.int64))


@defop("kthvalue", "KthvalueBackward0", saves=("dim", "keepdim", "self_sym_sizes", "result1"),
       n_outputs=2, formulas={"self": "zeros(self.sizes()) with grad at indices"})
def KTHVALUE(a, *, k, dim, keepdim):
    return _kth(a, dim, k - 1, keepdim)


KTHVALUE.derivative(lambda grads, s: _scatter_at(grads[0], s.result1, s.dim, s.keepdim,
                                                 s.self_sym_sizes))


def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False):
    d = _wrap_dim(dim, input.dim())
    if not 1 <= k <= (input.shape[d] if input.dim() else 1):
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    return KTHVALUE_RET(KTHVALUE(input, k=k, dim=d, keepdim=keepdim))


# ---- mode ---------------------------------------------------------------------------------------
MODE_RET = return_type("mode")


@defop("mode", "ModeBackward0", saves=("dim", "keepdim", "self_sym_sizes", "result1"),
       n_outputs=2, formulas={"self": "zeros(self.sizes()) with grad at indices"})
def MODE(a, *, dim, keepdim):
    """The most frequent value along dim (the smallest on a tie) and its last position."""
    if a.ndim == 0:
        return a.copy(), np.zeros((), np.int64)
    x = np.moveaxis(a, dim, -1)
    values = np.empty(x.shape[:-1], a.dtype)
    idx = np.empty(x.shape[:-1], np.int64)
    for pos in np.ndindex(*x.shape[:-1]):
        row = x[pos]
        uniq, counts = np.unique(row, return_counts=True)
        best = uniq[np.argmax(counts)]
        values[pos] = best
        idx[pos] = np.flatnonzero((row == best) | (np.isnan(row) & np.isnan(best)))[-1]
    if keepdim:
        values, idx = np.expand_dims(values, dim), np.expand_dims(idx, dim)
    return _c(values), _c(idx)


MODE.derivative(lambda grads, s: _scatter_at(grads[0], s.result1, s.dim, s.keepdim,
                                             s.self_sym_sizes))


def mode(input: Tensor, dim: int = -1, keepdim: bool = False):
    return MODE_RET(MODE(input, dim=_wrap_dim(dim, input.dim()), keepdim=keepdim))


# ---- median, nanmedian -----------------------------------------------------------------------
MEDIAN_RET, NANMEDIAN_RET = return_type("median"), return_type("nanmedian")


def _lower_median(flat: np.ndarray, ignore_nan: bool) -> np.ndarray:
    if flat.dtype.kind == "f":
        if ignore_nan:
            flat = flat[~np.isnan(flat)]
        elif np.isnan(flat).any():
            return np.array(np.nan, flat.dtype)
    if flat.size == 0:
        return np.array(np.nan, flat.dtype)
    return np.sort(flat)[(flat.size - 1) // 2].copy()


def _median_ops(name: str, ignore_nan: bool):
    title = name.capitalize()
    full = defop(name, f"{title}Backward0", saves=("self", "result"),
                 formulas={"self": "grad shared evenly among the elements equal to result"})(
        lambda a: np.asarray(_lower_median(a.reshape(-1), ignore_nan)))
    full.derivative(lambda g, s: _evenly(g, s.self, s.result))
    by_dim = defop(name + "_dim", f"{title}Backward1",
                   saves=("dim", "keepdim", "self_sym_sizes", "result1"), n_outputs=2,
                   formulas={"self": "zeros(self.sizes()) with grad at indices"})(
        lambda a, *, dim, keepdim: _kth(a, dim, (a.shape[dim] - 1) // 2 if a.ndim else 0,
                                        keepdim, ignore_nan))
    by_dim.derivative(lambda grads, s: _scatter_at(grads[0], s.result1, s.dim, s.keepdim,
                                                   s.self_sym_sizes))
    ret = MEDIAN_RET if name == "median" else NANMEDIAN_RET

    def fn(input: Tensor, dim=ABSENT, keepdim: bool = False):
        if input.dtype is dtypes.bool:
            raise NotImplementedError(f"\"{name}_cpu\" not implemented for 'Bool'")
        if dim is ABSENT:
            return full(input)
        d = _wrap_dim(dim, input.dim())
        _empty_check(name, input, (d,), dim)
        return ret(by_dim(input, dim=d, keepdim=keepdim))
    fn.__name__ = fn.__qualname__ = name
    _publish(fn, name, {"dim": "int"})


_median_ops("median", False)
_median_ops("nanmedian", True)


# ---- all, any, count_nonzero ----------------------------------------------------------------
def _logical_reduction(name: str, np_fn):
    op = defop(name)(lambda a, *, dim, keepdim: _c(
        np_fn(a, axis=_axis(dim, a.ndim), keepdims=keepdim)) if dim != () else _c(a != 0))

    def fn(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
        result = op(input, dim=_dims(dim, input.dim(), empty_is_all=False), keepdim=keepdim)
        return result if input.dtype is not dtypes.uint8 else result.to(dtypes.uint8)
    fn.__name__ = fn.__qualname__ = name
    _publish(fn, name, {"dim": "dims"}, overloads=((0, 0), (1, 2), (0, 2)))


_logical_reduction("all", np.all)
_logical_reduction("any", np.any)


def count_nonzero(input: Tensor, dim=None) -> Tensor:
    dims = _dims(dim, input.dim())
    return Tensor._from_array(_c(np.asarray(np.count_nonzero(
        input._data, axis=_axis(dims, input.dim())), dtype=np.int64)))


def _exp(x: np.ndarray) -> np.ndarray:
    """exp rounded from float64 for float32 (NumPy's float32 exp is often an ulp off)."""
    return _in_float64(np.exp, x) if x.dtype == np.float32 else np.exp(x)


def _log(x: np.ndarray) -> np.ndarray:
    return _in_float64(np.log, x) if x.dtype == np.float32 else np.log(x)


def _in_float64(fn, x: np.ndarray) -> np.ndarray:
    wide = np.array(x, np.float64)      # a copy of its own, so fn can work in place
    return fn(wide, out=wide).astype(np.float32)


# ---- softmax, log_softmax ------------------------------------------------------------------
@defop("softmax", "SoftmaxBackward0", saves=("dim", "result"),
       formulas={"self": "result * (grad - (grad * result).sum(dim, keepdim=True))"})
def SOFTMAX(a, *, dim):
    x = _wide(a)
    axis = dim if a.ndim else None
    e = _exp(x - np.maximum.reduce(x, axis, keepdims=True)) if x.size else x
    total = np.add.reduce(e, axis, keepdims=True)
    if a.ndim and dim == a.ndim - 1:  # PyTorch's last-dim kernel scales by 1 / sum
        return _c((e * (1 / total)).astype(a.dtype, copy=False))
    return _c(np.asarray(e / total).astype(a.dtype, copy=False))


@defop("_softmax_backward_data", "SoftmaxBackwardDataBackward0",
       inputs=("grad_output", "output"), saves=("grad_output", "output", "dim"),
       formulas={"grad_output": "_softmax_backward_data(grad, output, dim)",
                 "output": "grad * (grad_output - (grad_output * output).sum(dim, keepdim=True))"
                           " - grad_output * (grad * output).sum(dim, keepdim=True)"})
def SOFTMAX_BACKWARD(g, out, *, dim):
    """softmax's gradient as one op, as PyTorch records it: output * (grad - the sum of
    grad * output over dim), each step rounded to the dtype as the separate ops would."""
    product = np.asarray(g * out)
    total = _accumulate(np.sum, product, (dim,) if g.ndim else None, True, g.dtype)
    return _c(np.asarray(out * (g - total)))


@SOFTMAX_BACKWARD.derivative
def _(g, s):
    go, out, dim = s.grad_output, s.output, s.dim
    return (SOFTMAX_BACKWARD(g, out, dim=dim),
            g * (go - (go * out).sum(dim, keepdim=True)) - go * (g * out).sum(dim, keepdim=True))


SOFTMAX.derivative(lambda g, s: SOFTMAX_BACKWARD(g, s.result, dim=s.dim))


@defop("log_softmax", "LogSoftmaxBackward0", saves=("dim", "result"),
       formulas={"self": "grad - exp(result) * grad.sum(dim, keepdim=True)"})
def LOG_SOFTMAX(a, *, dim):
    x = _wide(a)
    axis = dim if a.ndim else None
    shifted = x - np.maximum.reduce(x, axis, keepdims=True) if x.size else x
    total = np.add.reduce(_exp(shifted), axis, keepdims=True)
    return _c(np.asarray(shifted - _log(total)).astype(a.dtype, copy=False))


@defop("_log_softmax_backward_data", "LogSoftmaxBackwardDataBackward0",
       inputs=("grad_output", "output"), saves=("grad_output", "output", "dim"),
       formulas={"grad_output": "grad - (grad * exp(output)).sum(dim, keepdim=True)",
                 "output": "-grad_output.sum(dim, keepdim=True) * exp(output) * grad"})
def LOG_SOFTMAX_BACKWARD(g, out, *, dim):
    """log_softmax's gradient as one op, as PyTorch records it: grad - exp(output) * the sum
    of grad over dim (summed in PyTorch's order, each step rounded to the dtype)."""
    total = _accumulate(np.sum, g, (dim,) if g.ndim else None, True, g.dtype)
    return _c(np.asarray(g - _exp(out) * total))


@LOG_SOFTMAX_BACKWARD.derivative
def _(g, s):
    e = s.output.exp()
    return g - (g * e).sum(s.dim, keepdim=True), -s.grad_output.sum(s.dim, keepdim=True) * e * g


LOG_SOFTMAX.derivative(lambda g, s: LOG_SOFTMAX_BACKWARD(g, s.result, dim=s.dim))


def _softmax(name: str, op, input: Tensor, dim, dtype) -> Tensor:
    src = input.to(dtype) if dtype is not None else input
    d = _wrap_dim(dim, src.dim())
    if not src.dtype.is_floating_point:
        last = "lastdim_" if src.dim() == 0 or d == src.dim() - 1 else ""
        raise NotImplementedError(f"\"{name}_{last}kernel_impl\" not implemented for "
                                  f"'{src.dtype.scalar_name}'")
    return op(src, dim=d)


def softmax(input: Tensor, dim: int, dtype=None, *, _stacklevel: int = 3) -> Tensor:
    return _softmax("softmax", SOFTMAX, input, dim, dtype)


def log_softmax(input: Tensor, dim: int, dtype=None, *, _stacklevel: int = 3) -> Tensor:
    return _softmax("log_softmax", LOG_SOFTMAX, input, dim, dtype)


# ---- publishing: torch.X and Tensor.X behind PyTorch's argument checks -------------------------
# The (min, max) argument counts (besides self) of PyTorch's overloads of each op.
DTYPE_OR_DIM = ((0, 1), (1, 3))       # sum(*, dtype) / sum(dim, keepdim=False, *, dtype)
VAR_OVERLOADS = ((0, 1), (1, 3), (0, 3))
_publish(sum, "sum", {"dim": "dims"}, overloads=DTYPE_OR_DIM)
_publish(nansum, "nansum", {"dim": "dims"})
_publish(mean, "mean", {"dim": "dims"}, overloads=DTYPE_OR_DIM)
_publish(prod, "prod", {"dim": "int"}, overloads=DTYPE_OR_DIM)
_publish(var, "var", {"dim": "dims_or_bool"}, overloads=VAR_OVERLOADS)
_publish(std, "std", {"dim": "dims_or_bool"}, overloads=VAR_OVERLOADS)
_publish(var_mean, "var_mean", {"dim": "dims_or_bool"}, overloads=VAR_OVERLOADS, method=False)
_publish(std_mean, "std_mean", {"dim": "dims_or_bool"}, overloads=VAR_OVERLOADS, method=False)
_publish(max_, "max", {"dim": "int_or_tensor"}, overloads=((0, 0), (1, 2), (1, 1)))
_publish(min_, "min", {"dim": "int_or_tensor"}, overloads=((0, 0), (1, 2), (1, 1)))
_publish(amax, "amax", {"dim": "dims"})
_publish(amin, "amin", {"dim": "dims"})
_publish(aminmax, "aminmax", {})
_arg("argmax", np.argmax)
_arg("argmin", np.argmin)
_publish(norm, "norm", {}, method=False)
_publish(_tensor_norm, "norm", {}, function=False)
_publish(logsumexp, "logsumexp", {"dim": "dim_tuple"})
_publish(cumsum, "cumsum", {"dim": "int"})
_publish(cumsum_, "cumsum_", {"dim": "int"}, function=False)
_publish(cumprod_, "cumprod_", {"dim": "int"}, function=False)
_publish(nanmean, "nanmean", {"dim": "dims"})
_publish(diff, "diff", {"n": "int", "dim": "int"})
_publish(cumprod, "cumprod", {"dim": "int"})
_publish(logcumsumexp, "logcumsumexp", {"dim": "int"})
_publish(sort, "sort", {"dim": "int"}, overloads=((1, 3), (0, 2)))
_publish(argsort, "argsort", {"dim": "int"}, overloads=((0, 2), (1, 3)))
_publish(msort, "msort", {})
_publish(topk, "topk", {"k": "int", "dim": "int"})
_publish(kthvalue, "kthvalue", {"k": "int", "dim": "int"})
_publish(mode, "mode", {"dim": "int"})
_publish(count_nonzero, "count_nonzero", {"dim": "dims"})
_publish(softmax, "softmax", {"dim": "int"})
_publish(log_softmax, "log_softmax", {"dim": "int"})
expose(sum_to_size, function=False)
