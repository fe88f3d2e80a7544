"""Joining and rearranging copies: cat, stack, repeat, flip, roll, tril/triu."""
from __future__ import annotations

import numpy as np

from .. import dtypes
from ..tensor import Tensor, _wrap_dim
from .registry import defop, expose, run


def _shape_str(shape) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


@defop("cat", "CatBackward0", inputs=(), saves=("dim", "sizes"),
       formulas={"tensors[i]": "grad.narrow(dim, offset_i, size_i)"})
def CAT(*arrays, dim, dtype, sizes):
    return np.concatenate([a.astype(dtype, copy=False) for a, n in zip(arrays, sizes)
                           if n is not None], axis=dim)


@CAT.derivative
def _(g, s):
    out, begin = [], 0
    for n in s.sizes:
        out.append(None if n is None else g.narrow(s.dim, begin, n))
        begin += n or 0
    return tuple(out)


def _legacy_empty(t: Tensor) -> bool:
    """PyTorch still lets 1-d empty tensors join anything (and skips them)."""
    return t.dim() == 1 and t.numel() == 0


def cat(tensors, dim: int = 0, *, out=None) -> Tensor:
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("torch.cat(): expected a non-empty list of Tensors")
    real = [t for t in tensors if not _legacy_empty(t)]
    if not real:
        return tensors[0].clone()
    ref = real[0]
    if ref.dim() == 0:
        raise RuntimeError("zero-dimensional tensor (at position 0) cannot be concatenated")
    d = _wrap_dim(dim, ref.dim())
    for i, t in enumerate(tensors):
        if _legacy_empty(t):
            continue
        if t.dim() != ref.dim():
            raise RuntimeError(f"Tensors must have same number of dimensions: got {ref.dim()} "
                               f"and {t.dim()}")
        for k in range(ref.dim()):
            if k != d and t.shape[k] != ref.shape[k]:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. "
                                   f"Expected size {ref.shape[k]} but got size {t.shape[k]} for "
                                   f"tensor number {i} in the list.")
    dt = dtypes.result_type(*real) if len({t.dtype for t in real}) > 1 else ref.dtype
    sizes = [None if _legacy_empty(t) else t.shape[d] for t in tensors]
    result = run(CAT, tuple(tensors), {"dim": d, "dtype": dt.np, "sizes": sizes})
    if out is not None:
        from .views import copy_into_out
        return copy_into_out(out, result)
    return result


def stack(tensors, dim: int = 0, *, out=None) -> Tensor:
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    for i, t in enumerate(tensors):
        if t.shape != tensors[0].shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{_shape_str(tensors[0].shape)} at entry 0 and "
                               f"{_shape_str(t.shape)} at entry {i}")
    d = _wrap_dim(dim, tensors[0].dim() + 1)
    result = run(STACK, tuple(tensors), {"dim": d, "dtype": dtypes.result_type(*tensors).np
                                         if len({t.dtype for t in tensors}) > 1
                                         else tensors[0].dtype.np})
    if out is not None:
        from .views import copy_into_out
        return copy_into_out(out, result)
    return result


@defop("stack", "StackBackward0", inputs=(), saves=("dim",),
       formulas={"tensors[i]": "grad.select(dim, i)"})
def STACK(*arrays, dim, dtype):
    return np.stack([a.astype(dtype, copy=False) for a in arrays], axis=dim)


STACK.derivative(lambda g, s: tuple(g.unbind(s.dim)))


def hstack(tensors) -> Tensor:
    tensors = [t if t.dim() else t.reshape(1) for t in tensors]
    return cat(tensors, 0 if tensors[0].dim() == 1 else 1)


def vstack(tensors) -> Tensor:
    return cat([t.reshape(1, -1) if t.dim() < 2 else t for t in tensors], 0)


def concat(tensors, dim: int = 0, *, out=None) -> Tensor:
    return cat(tensors, dim, out=out)


@defop("repeat", "RepeatBackward0", saves=("repeats", "self_sym_sizes"),
       formulas={"self": "grad summed over the tiles"})
def REPEAT(a, *, repeats):
    a = a.reshape((1,) * (len(repeats) - a.ndim) + a.shape)
    return np.tile(a, repeats)


@REPEAT.derivative
def _(g, s):
    sizes = s.self_sym_sizes
    lead = len(s.repeats) - len(sizes)
    padded = (1,) * lead + tuple(sizes)
    split_shape = []
    for r, n in zip(s.repeats, padded):
        split_shape += [r, n]
    summed = g.reshape(split_shape).sum(dim=tuple(range(0, 2 * len(padded), 2)))
    return summed.reshape(sizes)


def repeat(input: Tensor, *repeats) -> Tensor:
    if len(repeats) == 1 and isinstance(repeats[0], (tuple, list)):
        repeats = tuple(repeats[0])
    if len(repeats) < input.dim():
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number "
                           "of dimensions of tensor")
    return REPEAT(input, repeats=tuple(int(r) for r in repeats))


@defop("flip", "FlipBackward0", saves=("dims",), formulas={"self": "grad.flip(dims)"})
def FLIP(a, *, dims):
    return np.flip(a, dims).copy()


FLIP.derivative(lambda g, s: g.flip(s.dims))


def flip(input: Tensor, dims) -> Tensor:
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    return FLIP(input, dims=tuple(_wrap_dim(d, input.dim()) for d in dims))


def fliplr(input: Tensor) -> Tensor:
    return flip(input, (1,))


def flipud(input: Tensor) -> Tensor:
    return flip(input, (0,))


@defop("roll", "RollBackward0", saves=("shifts", "dims"), formulas={"self": "grad.roll(-shifts, dims)"})
def ROLL(a, *, shifts, dims):
    if not dims:
        return np.roll(a.reshape(-1), shifts).reshape(a.shape)
    return np.roll(a, shifts, dims)


ROLL.derivative(lambda g, s: g.roll(tuple(-x for x in s.shifts), s.dims))


def roll(input: Tensor, shifts, dims=None) -> Tensor:
    shifts = (shifts,) if isinstance(shifts, int) else tuple(shifts)
    dims = () if dims is None else ((dims,) if isinstance(dims, int) else tuple(dims))
    return ROLL(input, shifts=shifts, dims=dims)


def _triangle(name, grad_fn, np_fn):
    op = defop(name, grad_fn, saves=("diagonal",),
               formulas={"self": f"{name}(grad, diagonal)"})(
        lambda a, *, diagonal: np_fn(a, diagonal))
    op.derivative(lambda g, s: op(g, diagonal=s.diagonal))

    def fn(input: Tensor, diagonal: int = 0, *, out=None) -> Tensor:
        return op(input, diagonal=diagonal)
    fn.__name__ = name
    expose(fn, name)
    return op


_triangle("tril", "TrilBackward0", np.tril)
_triangle("triu", "TriuBackward0", np.triu)

for _fn in (cat, stack, hstack, vstack, concat, repeat, flip, fliplr, flipud, roll):
    expose(_fn, method=_fn not in (cat, stack, hstack, vstack, concat))
expose(cat, "concatenate", method=False)
