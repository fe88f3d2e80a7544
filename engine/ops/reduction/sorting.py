"""Sorting and order statistics: sort / argsort / msort, topk, kthvalue, mode, median /
nanmedian. Their gradients go back to the positions the returned indices name."""
from __future__ import annotations

import numpy as np

from ... import dtypes
from ...autograd.grad_mode import no_grad
from ...memory_format import is_non_overlapping_and_dense
from ...tensor import Tensor, _wrap_dim
from ..arguments import ABSENT
from ..registry import defop
from .common import contiguous, empty_check, publish, return_type
from .extremes import AT_INDICES, evenly, scatter_at

SCATTERED = "zeros(self.sizes()) with grad scattered back to indices along dim"


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
        return contiguous(arr)
    out = np.empty_like(like, dtype=arr.dtype)
    out[...] = arr
    return out


def _sort_op(name: str, grad_fn: str):
    """sort(dim, descending) is SortBackward0; the overload with `stable` is SortBackward1."""
    @defop(name, grad_fn, saves=("dim", "self_sym_sizes", "result1"), n_outputs=2,
           formulas={"self": SCATTERED})
    def op(a, *, dim, descending):
        if a.ndim == 0:
            return a.copy(), np.zeros((), np.int64)
        idx = _argsort(a, dim, descending)
        return (_like_input(np.take_along_axis(a, idx, axis=dim), a),
                _like_input(idx.astype(np.int64), a))

    @op.derivative
    def _(grads, s):
        return scatter_at(grads[0], s.result1, s.dim, True, s.self_sym_sizes)
    return op


SORT, SORT_STABLE = _sort_op("sort", "SortBackward0"), _sort_op("sort_stable", "SortBackward1")


def sort(input: Tensor, dim: int = -1, descending: bool = False, stable=ABSENT):
    """A stable sort (PyTorch's CPU sort is stable either way); nan sorts as the largest."""
    op = SORT if stable is ABSENT else SORT_STABLE
    return SORT_RET(op(input, dim=_wrap_dim(dim, input.dim()), descending=descending))


def argsort(input: Tensor, dim: int = -1, descending: bool = False, *,
            stable: bool = False) -> Tensor:
    with no_grad():
        return sort(input, dim, descending)[1]


def msort(input: Tensor) -> Tensor:
    return sort(input, 0)[0]


@defop("topk", "TopkBackward0", saves=("dim", "self_sym_sizes", "result1"), n_outputs=2,
       formulas={"self": SCATTERED})
def TOPK(a, *, k, dim, largest, sorted):
    if a.ndim == 0:
        return a.copy(), np.zeros((), np.int64)
    idx = np.take(_argsort(a, dim, largest), range(k), axis=dim)
    return (contiguous(np.take_along_axis(a, idx, axis=dim)),
            contiguous(idx.astype(np.int64)))


@TOPK.derivative
def _(grads, s):
    return scatter_at(grads[0], s.result1, s.dim, True, s.self_sym_sizes)


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
    return contiguous(values), contiguous(pick.astype(np.int64))


@defop("kthvalue", "KthvalueBackward0", saves=("dim", "keepdim", "self_sym_sizes", "result1"),
       n_outputs=2, formulas={"self": AT_INDICES})
def KTHVALUE(a, *, k, dim, keepdim):
    return _kth(a, dim, k - 1, keepdim)


@KTHVALUE.derivative
def _(grads, s):
    return scatter_at(grads[0], s.result1, s.dim, s.keepdim, s.self_sym_sizes)


def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False):
    d = _wrap_dim(dim, input.dim())
    if not 1 <= k <= (input.shape[d] if input.dim() else 1):
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    return KTHVALUE_RET(KTHVALUE(input, k=k, dim=d, keepdim=keepdim))


# ---- mode ---------------------------------------------------------------------------------------
MODE_RET = return_type("mode")


@defop("mode", "ModeBackward0", saves=("dim", "keepdim", "self_sym_sizes", "result1"),
       n_outputs=2, formulas={"self": AT_INDICES})
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
    return contiguous(values), contiguous(idx)


@MODE.derivative
def _(grads, s):
    return scatter_at(grads[0], s.result1, s.dim, s.keepdim, s.self_sym_sizes)


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
    """median / nanmedian over everything (…Backward0) or along dim (…Backward1)."""
    title = name.capitalize()

    @defop(name, f"{title}Backward0", saves=("self", "result"),
           formulas={"self": "grad shared evenly among the elements of self equal to result"})
    def full(a):
        return np.asarray(_lower_median(a.reshape(-1), ignore_nan))

    @full.derivative
    def _(g, s):
        return evenly(g, s.self, s.result)

    @defop(name + "_dim", f"{title}Backward1",
           saves=("dim", "keepdim", "self_sym_sizes", "result1"), n_outputs=2,
           formulas={"self": AT_INDICES})
    def by_dim(a, *, dim, keepdim):
        return _kth(a, dim, (a.shape[dim] - 1) // 2 if a.ndim else 0, keepdim, ignore_nan)

    @by_dim.derivative
    def _(grads, s):
        return scatter_at(grads[0], s.result1, s.dim, s.keepdim, s.self_sym_sizes)
    ret = MEDIAN_RET if name == "median" else NANMEDIAN_RET

    ret = MEDIAN_RET if name == "median" else NANMEDIAN_RET

    def fn(input: Tensor, dim=ABSENT, keepdim: bool = False):
        if input.dtype is dtypes.bool:
            raise NotImplementedError(f"\"{name}_cpu\" not implemented for 'Bool'")
        if dim is ABSENT:
            return full(input)
        d = _wrap_dim(dim, input.dim())
        empty_check(name, input, (d,), dim)
        return ret(by_dim(input, dim=d, keepdim=keepdim))
    fn.__name__ = fn.__qualname__ = name
    publish(fn, name, {"dim": "int"})


_median_ops("median", False)
_median_ops("nanmedian", True)

publish(sort, "sort", {"dim": "int"}, overloads=((1, 3), (0, 2)))
publish(argsort, "argsort", {"dim": "int"}, overloads=((0, 2), (1, 3)))
publish(msort, "msort", {})
publish(topk, "topk", {"k": "int", "dim": "int"})
publish(kthvalue, "kthvalue", {"k": "int", "dim": "int"})
publish(mode, "mode", {"dim": "int"})
