"""Joining and rearranging copies: cat, stack, repeat, flip, roll, tril/triu.

Each returns a new tensor with PyTorch's layout: cat (and stack, which is cat then a view)
keeps channels_last when every input has it and is contiguous otherwise; flip keeps the input's
dim order; repeat, roll, tril and triu are contiguous.
"""
from __future__ import annotations

import numpy as np

from .. import dtypes
from ..memory_format import contiguous_format, dense_strides_like, strides_for, \
    suggest_memory_format
from ..tensor import Tensor, _wrap_dim
from .arguments import missing_arguments
from .registry import defop, expose
from .views import _shape_str, compute_stride, empty_strided_np, int_list, with_strides


def _tensor_list(fn: str, tensors) -> list:
    """The tensors to join, checked as PyTorch's argument parser checks them: the engine reads
    each one's private fields, so nothing else may stand in for one."""
    if isinstance(tensors, Tensor):
        raise TypeError(f"{fn}(): argument 'tensors' (position 1) must be tuple of Tensors, not "
                        "Tensor")
    tensors = list(tensors)
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type(t).__name__}")
    return tensors


def _legacy_empty(t: Tensor) -> bool:
    """PyTorch still lets 1-d empty tensors join anything (and skips them)."""
    return t.dim() == 1 and t.numel() == 0


# ---- cat -----------------------------------------------------------------------------------------
@defop("cat", "CatBackward0", inputs=(), saves=("dim", "sizes"),
       formulas={"tensors[i]": "grad.narrow(dim, offset_i, size_i)"})
def CAT(*arrays, dim, dtype, sizes, shape, strides):
    out = empty_strided_np(shape, strides, dtype)
    begin = 0
    for a, n in zip(arrays, sizes):
        if n is None:
            continue
        out[(slice(None),) * dim + (slice(begin, begin + n),)] = a
        begin += n
    return out


@CAT.derivative
def _(g, s):
    out, begin = [], 0
    for n in s.sizes:
        out.append(None if n is None else g.narrow(s.dim, begin, n))
        begin += n or 0
    return tuple(out)


def _output_memory_format(tensors):
    """PyTorch's compute_output_memory_format: the inputs' common suggested format."""
    fmt = None
    for t in tensors:
        f = suggest_memory_format(t.shape, t.stride())
        if f is contiguous_format or (fmt is not None and f is not fmt):
            return contiguous_format
        fmt = f
    return fmt


def _result_dtype(tensors):
    if len({t.dtype for t in tensors}) == 1:
        return tensors[0].dtype
    return dtypes.result_type(*tensors)


def cat(tensors, dim: int = 0, *, out=None) -> Tensor:
    tensors = _tensor_list("cat", tensors)
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if t.dim() == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be "
                               "concatenated")
    real = [t for t in tensors if not _legacy_empty(t)]
    ref = real[0] if real else tensors[0]
    d = _wrap_dim(dim, ref.dim()) if real else dim
    for i, t in enumerate(tensors):
        if _legacy_empty(t):
            continue
        if t.dim() != ref.dim():
            raise RuntimeError(f"Tensors must have same number of dimensions: got {ref.dim()} "
                               f"and {t.dim()}")
        for k in range(ref.dim()):
            if k != d and t.shape[k] != ref.shape[k]:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. " + (
                    f"Expected {ref.shape[k]} in dimension {k} but got {t.shape[k]} for tensor "
                    f"number {i} in the list" if ref.is_meta else   # (torch's meta words)
                    f"Expected size {ref.shape[k]} but got size {t.shape[k]} for tensor number "
                    f"{i} in the list."))
    dt = _result_dtype(tensors)
    if not real:  # only legacy empty tensors: an empty result like the first
        d, sizes, shape = 0, [0] * len(tensors), [0]
    else:
        sizes = [None if _legacy_empty(t) else t.shape[d] for t in tensors]
        shape = list(ref.shape)
        shape[d] = sum(n for n in sizes if n is not None)
    strides = strides_for(shape, _output_memory_format(tensors))
    result = CAT(*tensors, dim=d, dtype=dt.np, sizes=sizes, shape=tuple(shape), strides=strides)
    result = with_strides(result, strides)
    if out is not None:
        from .views import copy_into_out
        return copy_into_out(out, result)
    return result


# ---- stack ---------------------------------------------------------------------------------------
@defop("stack", "StackBackward0", inputs=(), saves=("dim",),
       formulas={"tensors[i]": "grad.select(dim, i)"})
def STACK(*arrays, dim, dtype, strides):
    shape = arrays[0].shape[:dim] + (len(arrays),) + arrays[0].shape[dim:]
    out = empty_strided_np(shape, strides, dtype)
    for i, a in enumerate(arrays):
        out[(slice(None),) * dim + (i,)] = a
    return out


STACK.derivative(lambda g, s: tuple(g.unbind(s.dim)))


def _stack_strides(tensors, d: int) -> tuple:
    """stack is cat along d then a view (d < ndim), or cat of the unsqueezed inputs."""
    ref = tensors[0]
    shape = list(ref.shape)
    shape.insert(d, len(tensors))
    if d < ref.dim():
        cat_shape = list(ref.shape)
        cat_shape[d] *= len(tensors)
        cat_strides = strides_for(cat_shape, _output_memory_format(tensors))
        return compute_stride(cat_shape, cat_strides, shape)
    unsqueezed = []
    for t in tensors:
        st = list(t.stride())
        st.insert(d, 1)
        unsqueezed.append(_Geometry(tuple(shape[:d]) + (1,) + tuple(shape[d + 1:]), tuple(st)))
    return strides_for(shape, _output_memory_format(unsqueezed))


class _Geometry:
    """Just a shape and strides, for the memory-format rules."""

    def __init__(self, shape, strides) -> None:
        self.shape, self._strides = shape, strides

    def stride(self):
        return self._strides


def stack(tensors, dim: int = 0, *, out=None) -> Tensor:
    tensors = _tensor_list("stack", tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    d = _wrap_dim(dim, tensors[0].dim() + 1)
    for i, t in enumerate(tensors):
        if t.shape != tensors[0].shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{_shape_str(tensors[0].shape)} at entry 0 and "
                               f"{_shape_str(t.shape)} at entry {i}")
    strides = _stack_strides(tensors, d)
    result = STACK(*tensors, dim=d, dtype=_result_dtype(tensors).np, strides=strides)
    result = with_strides(result, strides)
    if out is not None:
        from .views import copy_into_out
        return copy_into_out(out, result)
    return result


def _atleast_1d(t: Tensor) -> Tensor:
    return t.reshape(1) if t.dim() == 0 else t


def _atleast_2d(t: Tensor) -> Tensor:
    if t.dim() == 0:
        return t.reshape(1, 1)
    return t.unsqueeze(0) if t.dim() == 1 else t


def hstack(tensors, *, out=None) -> Tensor:
    tensors = [_atleast_1d(t) for t in _tensor_list("hstack", tensors)]
    if not tensors:
        raise RuntimeError("hstack expects a non-empty TensorList")
    return cat(tensors, 0 if tensors[0].dim() == 1 else 1, out=out)


def vstack(tensors, *, out=None) -> Tensor:
    tensors = [_atleast_2d(t) for t in _tensor_list("vstack", tensors)]
    if not tensors:
        raise RuntimeError("vstack expects a non-empty TensorList")
    return cat(tensors, 0, out=out)


def concat(tensors, dim: int = 0, *, out=None) -> Tensor:
    return cat(tensors, dim, out=out)


# ---- repeat, flip, roll --------------------------------------------------------------------------
@defop("repeat", "RepeatBackward0", saves=("repeats", "self_sym_sizes"),
       formulas={"self": "grad summed over the tiles"})
def REPEAT(a, *, repeats):
    a = a.reshape((1,) * (len(repeats) - a.ndim) + a.shape)
    return np.ascontiguousarray(np.tile(a, repeats))


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
    if not repeats:
        raise missing_arguments("repeat", ["repeats"])
    repeats = int_list("repeat", "repeats", repeats)
    if len(repeats) < input.dim():
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number "
                           "of dimensions of tensor")
    padded = (1,) * (len(repeats) - input.dim()) + tuple(input.shape)
    target = [n * r for n, r in zip(padded, repeats)]
    for n in target:
        if n < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {n}: "
                               f"{_shape_str(target)}")
    return with_strides(REPEAT(input, repeats=repeats), strides_for(target))


def tile(input: Tensor, *sizes, dims=None) -> Tensor:
    """repeat() with dims padded by leading 1s to the input's rank (PyTorch's composite: its
    node is RepeatBackward0). The method takes the dims as varargs too, or as `dims=`."""
    if not sizes and dims is None:
        raise missing_arguments("tile", ["dims"])
    dims = int_list("tile", "dims", sizes if dims is None else (dims,))
    return repeat(input, (1,) * (input.dim() - len(dims)) + tuple(dims))


@defop("flip", "FlipBackward0", saves=("dims",), formulas={"self": "grad.flip(dims)"})
def FLIP(a, *, dims, strides):
    out = empty_strided_np(a.shape, strides, a.dtype)
    out[...] = np.flip(a, dims)
    return out


FLIP.derivative(lambda g, s: g.flip(s.dims))


def _dims_list(input: Tensor, dims, fn: str) -> tuple:
    dims = int_list(fn, "dims", (dims,))
    wrapped = tuple(_wrap_dim(d, input.dim()) for d in dims)
    for i, d in enumerate(wrapped):
        if d in wrapped[:i]:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return wrapped


def flip(input: Tensor, *dims) -> Tensor:
    """A reversed copy; it keeps the input's dim order in memory (empty_like, preserve)."""
    if not dims and isinstance(input, Tensor):     # torch checks the input's type first
        raise missing_arguments("flip", ["dims"])
    dims = _dims_list(input, dims[0] if len(dims) == 1 else dims, "flip")
    strides = dense_strides_like(input.shape, input.stride())
    return with_strides(FLIP(input, dims=dims, strides=strides), strides)


def fliplr(input: Tensor) -> Tensor:
    if input.dim() < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, (1,))


def flipud(input: Tensor) -> Tensor:
    if input.dim() < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, (0,))


@defop("roll", "RollBackward0", saves=("shifts", "dims"),
       formulas={"self": "grad.roll(-shifts, dims)"})
def ROLL(a, *, shifts, dims):
    if not dims:
        return np.roll(a.reshape(-1), shifts).reshape(a.shape)
    return np.ascontiguousarray(np.roll(a, shifts, dims))


ROLL.derivative(lambda g, s: g.roll(tuple(-x for x in s.shifts), s.dims))


def roll(input: Tensor, shifts, dims=None) -> Tensor:
    shifts = int_list("roll", "shifts", (shifts,))
    dims = () if dims is None else int_list("roll", "dims", (dims,))
    if not shifts:
        raise RuntimeError("`shifts` required")
    if not dims and len(shifts) == 1:
        return with_strides(ROLL(input, shifts=shifts, dims=()), strides_for(input.shape))
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, "
                           f"dims:{len(dims)}")
    dims = tuple(_wrap_dim(d, input.dim()) for d in dims)
    return with_strides(ROLL(input, shifts=shifts, dims=dims), strides_for(input.shape))


def _triangle(name, grad_fn, np_fn):
    op = defop(name, grad_fn, saves=("diagonal",),
               formulas={"self": f"{name}(grad, diagonal)"})(
        lambda a, *, diagonal: np.ascontiguousarray(np_fn(a, diagonal)))
    op.derivative(lambda g, s: op(g, diagonal=s.diagonal))

    def apply(input: Tensor, diagonal, out, position: int) -> Tensor:
        if isinstance(diagonal, bool) or not isinstance(diagonal, (int, np.integer)):
            raise TypeError(f"{name}(): argument 'diagonal' (position {position}) must be "
                            f"int, not {type(diagonal).__name__}")
        if input.dim() < 2:
            raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
        result = with_strides(op(input, diagonal=int(diagonal)), strides_for(input.shape))
        if out is not None:
            from .views import copy_into_out
            return copy_into_out(out, result)
        return result

    def fn(input: Tensor, diagonal: int = 0, *, out=None) -> Tensor:
        return apply(input, diagonal, out, 2)

    def method(self: Tensor, diagonal: int = 0) -> Tensor:
        return apply(self, diagonal, None, 1)
    fn.__name__ = method.__name__ = name
    expose(fn, name, method=False)
    expose(method, name, function=False)
    return op


_triangle("tril", "TrilBackward0", np.tril)
_triangle("triu", "TriuBackward0", np.triu)

for _fn in (cat, stack, hstack, vstack, concat):
    expose(_fn, method=False)
for _fn in (tile, flip, fliplr, flipud, roll):
    expose(_fn)
expose(repeat, function=False)                  # torch.repeat does not exist
expose(cat, "concatenate", method=False)
