"""Sums added in PyTorch's order. PyTorch's CPU sum adds floats in a fixed order (SumKernel.cpp:
4 interleaved partial sums, each a 4-level cascade, over 8-lane float / 4-lane double vectors with
AVX2). Following that order makes sums agree bit for bit, so e.g. a softmax's row sums print as
PyTorch prints them. Used for contiguous inputs reduced over one block of dims, up to one
thread's grain of work. The functions below sum over axis -2 of (..., rows, columns): each column
is one of many independent sums, all computed at once, so the work is a few NumPy calls, not a
loop per sum."""
from __future__ import annotations

import functools

import numpy as np

from .common import contiguous

LANES = {np.dtype(np.float32): 8, np.dtype(np.float64): 4}
_GRAIN = 32768


def accumulate(fn, a: np.ndarray, axis, keepdims: bool, dtype) -> np.ndarray:
    """fn (np.sum, np.prod, ...) in `dtype`; half precision accumulates in float32."""
    dtype = np.dtype(dtype)
    if fn is np.sum and dtype in LANES:
        exact = cascade_sum(a.astype(dtype, copy=False), axis, keepdims)
        if exact is not None:
            return exact
    if dtype == np.float16:
        wide_sum = fn(a.astype(np.float32), axis=axis, keepdims=keepdims)
        return contiguous(np.asarray(wide_sum).astype(dtype))
    return contiguous(fn(a, axis=axis, keepdims=keepdims, dtype=dtype))


# PyTorch's CPU sum adds floats in a fixed order (SumKernel.cpp: 4 interleaved partial sums,
# each a 4-level cascade, over 8-lane float / 4-lane double vectors with AVX2). Following that
# order makes sums agree bit for bit, so e.g. a softmax's row sums print as PyTorch prints them.
# Used for contiguous inputs reduced over one block of dims, up to one thread's grain of work.
# The functions below sum over axis -2 of (..., rows, columns): each column is one of many


def cascade_sum(a: np.ndarray, axis, keepdims: bool):
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
        total = _inner_sum(x[:, :, 0], LANES[a.dtype])
    else:                   # ... or columns
        total = _outer_sum(x, LANES[a.dtype])
    return contiguous((total + a.dtype.type(0)).reshape(shape))  # out = 0 + sum


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
