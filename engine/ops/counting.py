"""Counting values: unique and histc. Neither has a derivative in PyTorch: unique records a
node whose backward raises (Unique2Backward0, UniqueDimBackward0), histc records none."""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor, _wrap_dim
from .registry import defop, expose, writes_out


def _no_derivative(name: str):
    def backward(g, s):
        raise RuntimeError(f"the derivative for '{name}' is not implemented.")
    return backward


@defop("unique", "Unique2Backward0", n_outputs=3, formulas={"self": "not implemented"})
def UNIQUE(a):
    values, inverse, counts = np.unique(a.reshape(-1), return_inverse=True, return_counts=True)
    return values, inverse.reshape(a.shape).astype(np.int64), counts.astype(np.int64)


UNIQUE.derivative(_no_derivative("_unique2"))


@defop("unique_dim", "UniqueDimBackward0", n_outputs=3, formulas={"self": "not implemented"})
def UNIQUE_DIM(a, *, dim):
    moved = np.moveaxis(a, dim, 0)
    values, inverse, counts = np.unique(moved.reshape(moved.shape[0], -1), axis=0,
                                        return_inverse=True, return_counts=True)
    values = np.moveaxis(values.reshape((-1,) + moved.shape[1:]), 0, dim)
    return (values, inverse.reshape(-1).astype(np.int64),
            counts.astype(np.int64))


UNIQUE_DIM.derivative(_no_derivative("unique_dim"))


def unique(input: Tensor, sorted: bool = True, return_inverse: bool = False,  # noqa: A002
           return_counts: bool = False, dim=None):
    """The distinct values in ascending order (the CPU kernel sorts even for sorted=False),
    with where each element went (inverse) and how often each occurs (counts)."""
    if dim is None:
        values, inverse, counts = UNIQUE(input)
    else:
        values, inverse, counts = UNIQUE_DIM(input, dim=_wrap_dim(dim, input.dim()))
    if return_inverse and return_counts:
        return values, inverse, counts
    if return_inverse:
        return values, inverse
    if return_counts:
        return values, counts
    return values


@writes_out
def histc(input: Tensor, bins: int = 100, min=0, max=0, *, out=None) -> Tensor:  # noqa: A002
    """Counts in `bins` equal bins over [min, max] (the data's range when min == max);
    values outside are left out, a value equal to max falls in the last bin."""
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"\"histogram_cpu\" not implemented for "
                                  f"'{input.dtype.scalar_name}'")
    if bins <= 0:
        raise RuntimeError("torch.histc: bins must be > 0")
    data = input._data.reshape(-1)
    lo, hi = float(min), float(max)
    if lo == hi and data.size:
        lo, hi = float(data.min()), float(data.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if lo > hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise RuntimeError(f"torch.histc: range of [{lo:g}, {hi:g}] is not finite")
    kept = data[(data >= lo) & (data <= hi)].astype(np.float64)
    # PyTorch's bin of x: (x - min) * bins / (max - min), truncated; max itself in the last one
    pos = ((kept - lo) * bins / (hi - lo)).astype(np.int64)
    pos[pos == bins] = bins - 1
    counts = np.bincount(pos, minlength=bins).astype(input._data.dtype)
    return Tensor._from_array(counts)


expose(unique)
expose(histc)
