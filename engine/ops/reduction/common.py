"""What every reduction shares: normalized dims, putting reduced dims back for a backward
(unsqueeze unless keepdim, then expand to the input), contiguous results, return types such
as torch.return_types.max, and publishing behind PyTorch's argument checks."""
from __future__ import annotations

import math

import numpy as np

from ...tensor import Tensor, _wrap_dim
from ..arguments import ABSENT, binding, is_int
from ..pointwise.selection import where, zero, zeros_like  # noqa: F401 (for the reductions)
from ..registry import expose


def publish(impl, name: str, kinds: dict, *, overloads=(), function: bool = True,
            method: bool = True) -> None:
    """torch.<name> and Tensor.<name>, each behind `arguments.binding`'s checks."""
    if function:
        expose(binding(name, impl, kinds, overloads=overloads, method=False), name,
               method=False)
    if method:
        expose(binding(name, impl, kinds, overloads=overloads, method=True), name,
               function=False)


def normalized_dims(dim, ndim: int, *, empty_is_all: bool = True):
    """Normalized reduction dims: None for all, else a tuple of wrapped dims (checked once each).
    `()` means all dims for most reductions (PyTorch's legacy rule), nothing for all/any."""
    if dim is None or dim is ABSENT:
        return None
    dims = (dim,) if is_int(dim) else tuple(dim)
    if not dims:
        return None if empty_is_all else ()
    wrapped = tuple(_wrap_dim(int(d), ndim) for d in dims)
    for i, d in enumerate(wrapped):
        if d in wrapped[:i]:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return wrapped


def np_axis(dims, ndim: int):
    """The NumPy axis for normalized dims (a 0-dim tensor has no axis to reduce)."""
    if ndim == 0:
        return ()
    return dims


def count(shape, dims) -> int:
    return math.prod(shape[d] for d in (range(len(shape)) if dims is None else dims))


def restore(g: Tensor, sizes, dims, keepdim: bool) -> Tensor:
    """Undo a reduction's shape: unsqueeze the reduced dims, then expand to the input."""
    return expand_to(unsqueeze_reduced(g, sizes, dims, keepdim), sizes)


def expand_to(g: Tensor, sizes) -> Tensor:
    sizes = tuple(sizes)
    return g if g._data.shape == sizes else g.expand(sizes)


def unsqueeze_reduced(g: Tensor, sizes, dims, keepdim: bool) -> Tensor:
    if not keepdim and len(sizes):
        for d in sorted(range(len(sizes)) if dims is None else dims):
            g = g.unsqueeze(d)
    return g


def contiguous(x) -> np.ndarray:
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


def wide(a: np.ndarray) -> np.ndarray:
    return a.astype(np.float32) if a.dtype == np.float16 else a


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


def sum_dtype(t: Tensor, dtype) -> np.dtype:
    """sum/prod/cumsum of integers and bools give int64 unless a dtype is asked for."""
    if dtype is not None:
        return dtype.np
    return np.dtype(np.int64) if not t.dtype.is_floating_point else t.dtype.np


def empty_check(name: str, t: Tensor, dims, raw=None) -> None:
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
    raw = dims if raw is None else ((raw,) if is_int(raw) else tuple(raw))
    for d, given in zip(dims, raw):
        if t.dim() and t.shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {given} to have non-zero size.")
