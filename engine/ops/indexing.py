"""Indexing: `t[...]` and `t[...] = v`, plus gather/scatter/index_select/masked ops.

Reading `t[index]` follows PyTorch's applySlicing: the items are applied left to right, ints as
select, slices as slice (a full `:` inside a tuple is skipped), None as unsqueeze, so the graph
shows SelectBackward0/SliceBackward0/UnsqueezeBackward0 (or AliasBackward0 when nothing changed).
Integer arrays, lists and masks are collected on the way and then applied together by one
`index` op (IndexBackward0, a copy). Note that ints are applied *before* the tensor indices,
unlike NumPy, so `t[[0, 1], 0]` is `t.select(1, 0)[[0, 1]]`.

Writing `t[index] = v`: with only basic items the view gets `copy_`/`fill_` (its base's grad_fn
becomes CopySlices); with tensor items, `index_put_` (IndexPutBackward0).
"""
from __future__ import annotations

import numpy as np

from .. import dtypes
from ..memory_format import dense_strides_like, iterator_strides, strides_for
from ..tensor import Tensor, _wrap_dim
from .arguments import number
from .pointwise.iteration import check_fits
from .registry import broadcast_shapes, defop, expose, run_inplace
from .views import SELECT, UNSQUEEZE, _shape_str, compute_stride, empty_strided_np, \
    slice_dim, with_strides

_INDEX_TYPES_MESSAGE = "tensors used as indices must be long, int, byte or bool tensors"


def _is_int_like(item) -> bool:
    """An int index: Python/NumPy ints and 0-d integer tensors or arrays (applied as select)."""
    if isinstance(item, (bool, np.bool_)):
        return False
    if isinstance(item, (int, np.integer)):
        return True
    if isinstance(item, Tensor):
        return item.dim() == 0 and not item.dtype.is_floating_point and \
            item.dtype is not dtypes.bool
    return isinstance(item, np.ndarray) and item.ndim == 0 and item.dtype.kind in "iu"


def _is_bool_scalar(item) -> bool:
    if isinstance(item, (bool, np.bool_)):
        return True
    return isinstance(item, Tensor) and item.dim() == 0 and item.dtype is dtypes.bool


def _as_index_tensor(item):
    """A list, tuple or NumPy array index as PyTorch converts it: bool/uint8 stay masks,
    everything else becomes int64 (floats are truncated)."""
    if isinstance(item, Tensor):
        return item
    arr = np.array([i._data if isinstance(i, Tensor) else i for i in item]
                   if isinstance(item, (list, tuple)) else item)
    if arr.dtype.kind == "b":
        return Tensor._from_array(arr.astype(np.bool_))
    if arr.dtype == np.uint8:
        return Tensor._from_array(arr)
    if arr.dtype.kind not in "iuf" and arr.size:
        raise TypeError(f"new(): invalid data type '{arr.dtype.name}'")
    return Tensor._from_array(arr.astype(np.int64))


def _as_tuple(index) -> tuple:
    """PyTorch's wrapTuple and treatSequenceAsTuple: a short list holding slices, None,
    Ellipsis, tensors or sequences is a tuple of indices (deprecated), any other list one index."""
    if isinstance(index, range):   # a range is a sequence of ints: one index, as a list
        index = list(index)
    if isinstance(index, tuple) or isinstance(index, list) and len(index) < 32 and any(
            isinstance(i, (Tensor, list, tuple, slice, np.ndarray, range)) or i is None
            or i is Ellipsis for i in index):
        return tuple(list(i) if isinstance(i, range) else i for i in index)
    return (index,)


def _specified_dims(index: tuple) -> int:
    """How many dims of the input the items consume (None, ..., and True/False consume none)."""
    n = 0
    for item in index:
        if item is None or item is Ellipsis or _is_bool_scalar(item):
            continue
        if isinstance(item, Tensor) and item.dtype in (dtypes.bool, dtypes.uint8):
            n += item.dim()
        elif isinstance(item, (list, np.ndarray)) and not _is_int_like(item):
            t = _as_index_tensor(item)
            n += t.dim() if t.dtype in (dtypes.bool, dtypes.uint8) else 1
        else:
            n += 1
    return n


@defop("alias", "AliasBackward0", view=True, formulas={"self": "grad"})
def ALIAS(a):
    return a[...]


ALIAS.derivative(lambda g, s: g)


def _select(t: Tensor, dim: int, index: int, real_dim: int) -> Tensor:
    """An int index (applySelect): the dim in the message is the item's position."""
    index = int(index)
    if t.dim() == 0:
        if index == 0:
            raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                             "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
        raise IndexError(f"index {index} is out of bounds for dimension 0 with size 0")
    size = t.shape[dim]
    if not -size <= index < size:
        raise IndexError(f"index {index} is out of bounds for dimension {real_dim} with size "
                         f"{size}")
    return SELECT(t, dim=dim, index=index + size if index < 0 else index)


def _slice(t: Tensor, dim: int, item: slice, skip_full: bool) -> Tensor:
    """A slice (applySlice): `0:` to the end with step 1 is skipped inside a tuple."""
    step = 1 if item.step is None else int(item.step)
    if step == 0:
        raise ValueError("slice step cannot be zero")
    if step < 0:
        raise ValueError("step must be greater than zero")
    if t.dim() == 0:
        raise IndexError("slice() cannot be applied to a 0-dim tensor.")
    start = 0 if item.start is None else int(item.start)
    if (skip_full and start == 0 and step == 1
            and (item.stop is None or int(item.stop) >= t.shape[dim])):
        return t
    return slice_dim(t, dim, item.start, item.stop, step)


def _apply_basic(t: Tensor, index: tuple, skip_full: bool = True):
    """Apply the basic items as views, left to right; return the view and the tensor indices
    found on the way as (first dim of the view it indexes, Tensor) pairs, or None.
    A k-dim mask indexes k dims, every other tensor one."""
    specified = _specified_dims(index)
    if specified > t.dim():
        raise IndexError(f"too many indices for tensor of dimension {t.dim()}")
    result, dim = t, 0
    tensors = {}
    for real_dim, item in enumerate(index):
        if item is None:
            result = UNSQUEEZE(result, dim=dim)
            dim += 1
        elif item is Ellipsis:
            dim += t.dim() - specified
        elif _is_bool_scalar(item):
            # True/False: a new dim of size 1, indexed by [0] (keep) or [] (drop)
            result = UNSQUEEZE(result, dim=dim)
            keep = bool(item.item() if isinstance(item, Tensor) else item)
            tensors[dim] = Tensor._from_array(np.zeros(int(keep), dtype=np.int64))
            dim += 1
        elif _is_int_like(item):
            result = _select(result, dim, item, real_dim)
        elif isinstance(item, slice):
            result = _slice(result, dim, item, skip_full)
            dim += 1
        elif isinstance(item, (Tensor, list, tuple, np.ndarray)):
            idx = _as_index_tensor(item)
            tensors[dim] = idx
            dim += idx.dim() if idx.dtype in (dtypes.bool, dtypes.uint8) else 1
        elif isinstance(item, str):
            raise TypeError("new(): invalid data type 'str'")
        else:
            raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or "
                             "byte Variables are valid indices (got "
                             f"{type(item).__name__})")
    if not tensors:
        return result, None
    return result, sorted(tensors.items())


# ---- advanced indexing: the `index` op -----------------------------------------------------------
def _is_mask(idx: Tensor) -> bool:
    return idx.dtype is dtypes.bool or idx.dtype is dtypes.uint8


def _pairs(t: Tensor, indices) -> list:
    """index_put_'s list of tensors (from dim 0, a mask taking its rank in dims) as pairs."""
    indices = list(indices)
    for i, idx in enumerate(indices):
        if not isinstance(idx, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type(idx).__name__}")
    if len(indices) > t.dim():
        raise IndexError(f"too many indices for tensor of dimension {t.dim()} (got "
                         f"{len(indices)})")
    pairs, dim = [], 0
    for idx in indices:
        pairs.append((dim, idx))
        dim += idx.dim() if _is_mask(idx) else 1
    return pairs


def _expand_masks(t: Tensor, pairs: list) -> list:
    """Check the tensor indices' dtypes and turn each k-dim mask into k long index arrays
    (PyTorch's checkIndexTensorTypes and expandTensors). One entry per dim: None or an array."""
    out = [None] * t.dim()
    for dim, idx in pairs:
        if _is_mask(idx):
            for k in range(idx.dim()):
                _wrap_dim(dim + k, t.dim())  # PyTorch reads self.size(dim + k) here
                if idx.shape[k] != t.shape[dim + k]:
                    raise IndexError(f"The shape of the mask {_shape_str(idx.shape)} at index {k} "
                                     f"does not match the shape of the indexed tensor "
                                     f"{_shape_str(t.shape)} at index {dim + k}")
            out[dim:dim + idx.dim()] = np.nonzero(idx._data)
        elif idx.dtype in (dtypes.int64, dtypes.int32):
            if dim >= t.dim():
                raise IndexError(f"too many indices for tensor of dimension {t.dim()}")
            out[dim] = idx._data.astype(np.int64, copy=False)
        else:
            raise IndexError(_INDEX_TYPES_MESSAGE)
    return out


def _prepare_index(t: Tensor, pairs: list):
    """Validate tensor indices against t: the NumPy index tuple, the broadcast index shape and
    the dims they index, with PyTorch's errors (make_info and the index kernel's bounds check)."""
    arrays = _expand_masks(t, pairs)
    present = [a for a in arrays if a is not None]
    try:
        shape = np.broadcast_shapes(*[a.shape for a in present])
    except ValueError:
        raise IndexError("shape mismatch: indexing tensors could not be broadcast together with "
                         "shapes " + ", ".join(_shape_str(a.shape) for a in present)) from None
    dims = [d for d, a in enumerate(arrays) if a is not None]
    sizes = [t.shape[d] for d in dims]
    if 0 in sizes and 0 not in shape:
        raise IndexError("index is out of bounds for dimension with size 0")
    # (a meta index tensor, which is no plain ndarray, has no values to check)
    if present and int(np.prod(shape)) and all(type(a) is np.ndarray for a in present):
        full = [np.broadcast_to(a, shape).reshape(-1) for a in present]
        bad = np.stack([(a < -n) | (a >= n) for a, n in zip(full, sizes)])
        if bad.any():
            pos = int(np.argmax(bad.any(axis=0)))       # first element in iteration order
            k = int(np.argmax(bad[:, pos]))             # first index tensor wrong there
            raise IndexError(f"index {int(full[k][pos])} is out of bounds for dimension {k} "
                             f"with size {sizes[k]}")
    np_index = tuple(slice(None) if a is None else a for a in arrays)
    return np_index, tuple(shape), dims, arrays


def _index_strides(t: Tensor, shape: tuple, dims: list, index_strides: list):
    """The layout PyTorch's index kernel gives its result: TensorIterator's order over the input
    restrided to the result's shape (stride 0 in the indexed dims) and the index tensors."""
    src_shape, src_strides = list(t.shape), list(t.stride())
    order = list(range(t.dim()))
    if dims != list(range(dims[0], dims[0] + len(dims))):  # not adjacent: indexed dims go first
        order = dims + [d for d in order if d not in dims]
    before = order.index(dims[0])
    rest = [d for d in order[before:] if d not in dims]
    out_shape = [src_shape[d] for d in order[:before]] + list(shape) + [src_shape[d] for d in rest]
    src = [src_strides[d] for d in order[:before]] + [0] * len(shape) + \
        [src_strides[d] for d in rest]
    operands = [src]
    for a_shape, a_strides in index_strides:
        # reshape_indexer: (1,) * before + index shape + (1,) * after, then broadcast
        viewed = (1,) * before + tuple(a_shape) + (1,) * len(rest)
        st = compute_stride(a_shape, a_strides, viewed) or strides_for(viewed)
        lead = len(out_shape) - len(viewed)
        full = [0] * lead + [0 if (n == 1 and out_shape[lead + i] != 1) else s
                             for i, (n, s) in enumerate(zip(viewed, st))]
        operands.append(full)
    return tuple(out_shape), iterator_strides(out_shape, operands)


@defop("index", "IndexBackward0", saves=("indices", "self_sym_sizes"),
       formulas={"self": "zeros(self.sizes()).index_put_(indices, grad, accumulate=True)"})
def INDEX(a, *, indices, strides=None, shape=None):
    picked = a[indices]   # (`shape`: the result's, for the meta device, which has no `a`)
    if strides is None:
        return picked
    out = empty_strided_np(picked.shape, strides, a.dtype)
    out[...] = picked
    return out


@defop("index_backward", "IndexPutBackward0", inputs=("grad_output",), saves=("indices",),
       formulas={"grad_output": "grad[indices]"})
def INDEX_BACKWARD(g, *, indices, input_sizes):
    out = np.zeros(input_sizes, dtype=g.dtype)
    np.add.at(out, indices, g)
    return out


INDEX.derivative(lambda g, s: INDEX_BACKWARD(g, indices=s.indices, input_sizes=s.self_sym_sizes))
INDEX_BACKWARD.derivative(lambda g, s: INDEX(g, indices=s.indices))


def _index(t: Tensor, pairs: list) -> Tensor:
    """t indexed by tensors, given as (dim, Tensor) pairs: the `index` op."""
    np_index, shape, dims, arrays = _prepare_index(t, pairs)
    # strides of each index tensor as the kernel sees it (a mask's columns come from nonzero)
    index_strides = []
    for _, idx in pairs:
        if _is_mask(idx):
            n = int(np.count_nonzero(idx._data))
            index_strides.extend([((n,), (1,))] * idx.dim())
        else:
            index_strides.append((tuple(idx.shape), idx.stride()))
    index_strides = [(s, st) if s == tuple(shape) else _broadcast_geometry(s, st, shape)
                     for s, st in index_strides]
    out_shape, strides = _index_strides(t, shape, dims, index_strides)
    return with_strides(INDEX(t, indices=np_index, strides=strides, shape=out_shape), strides)


def _broadcast_geometry(shape, strides, target):
    """expand_outplace of an index tensor to the common index shape."""
    lead = len(target) - len(shape)
    return tuple(target), tuple([0] * lead + [0 if (n == 1 and target[lead + i] != 1) else s
                                              for i, (n, s) in enumerate(zip(shape, strides))])


def getitem(self: Tensor, index) -> Tensor:
    # PyTorch's fast paths: a bare int selects, a bare slice is always a SliceBackward0
    if _is_int_like(index) and not isinstance(index, Tensor):
        return _select(self, 0, index, 0)
    if isinstance(index, slice):
        return _slice(self, 0, index, skip_full=False)
    result, tensors = _apply_basic(self, _as_tuple(index))
    if tensors is None:
        return ALIAS(result) if result is self else result
    return _index(result, tensors)


# ---- writing: t[index] = value, index_put_ -------------------------------------------------------
@defop("index_put_", "IndexPutBackward0", inputs=("self", "values"),
       saves=("indices", "values_sym_sizes", "accumulate"),
       formulas={"self": "grad.index_put(indices, 0) unless accumulate",
                 "values": "grad[indices].sum_to_size(values.sizes())"})
def INDEX_PUT(a, v, *, indices, accumulate, strides=None):
    out = a.copy() if strides is None else empty_strided_np(a.shape, strides, a.dtype)
    out[...] = a
    if accumulate:
        np.add.at(out, indices, np.broadcast_to(v, out[indices].shape).astype(a.dtype,
                                                                           copy=False))
    else:
        out[indices] = v
    return out


@INDEX_PUT.derivative
def _(g, s):
    zero = Tensor._from_array(np.zeros((), dtype=g._data.dtype))
    keep = g if s.accumulate else INDEX_PUT(g, zero, indices=s.indices, accumulate=False)
    return keep, INDEX(g, indices=s.indices).sum_to_size(s.values_sym_sizes)


def _index_put(self: Tensor, pairs: list, values: Tensor, accumulate: bool,
               inplace: bool = True) -> Tensor:
    if values.dtype is not self.dtype:
        from .registry import _scalar_type_name
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                           f"{_scalar_type_name(self.dtype)} for the destination and "
                           f"{_scalar_type_name(values.dtype)} for the source.")
    np_index, shape, dims, arrays = _prepare_index(self, pairs)
    target = self._data[np_index].shape                       # the shape of self[indices]
    expandable = len(values.shape) <= len(target) and all(
        v == t or v == 1 for v, t in zip(reversed(values.shape), reversed(target)))
    if not expandable:
        raise RuntimeError(f"shape mismatch: value tensor of shape {_shape_str(values.shape)} "
                           f"cannot be broadcast to indexing result of shape "
                           f"{_shape_str(target)}")
    attrs = {"indices": np_index, "accumulate": bool(accumulate)}
    if not inplace:  # a copy that keeps the input's layout, then the in-place write
        strides = dense_strides_like(self.shape, self.stride())
        return with_strides(INDEX_PUT(self, values, strides=strides, **attrs), strides)
    return run_inplace(INDEX_PUT, self, (values,), attrs)


def index_put_(self: Tensor, indices, values, accumulate: bool = False) -> Tensor:
    return _index_put(self, _pairs(self, indices), values, accumulate)


def index_put(input: Tensor, indices, values, accumulate: bool = False) -> Tensor:
    """Out of place: one IndexPutBackward0 over the input (no CloneBackward0)."""
    return _index_put(input, _pairs(input, indices), values, accumulate, inplace=False)


def _strip_leading_ones(shape) -> tuple:
    shape = tuple(shape)
    i = 0
    while i < len(shape) and shape[i] == 1:
        i += 1
    return shape[i:]


def _copy_to(dst: Tensor, src: Tensor) -> None:
    """PyTorch's setitem copy: same shape copy_, a 0-d value fill_, else view and expand."""
    if tuple(dst.shape) == tuple(src.shape):
        dst.copy_(src)
    elif src.dim() == 0:
        fill_(dst, src)
    else:
        src = src.view(_strip_leading_ones(src.shape))
        if tuple(src.shape) != tuple(dst.shape):
            src = src.expand(dst.shape)
        dst.copy_(src)


def _setitem_value(self: Tensor, value) -> Tensor:
    if isinstance(value, Tensor):
        return value
    if isinstance(value, (bool, int, float, np.integer, np.floating, np.bool_)):
        t = Tensor._from_array(np.array(value).astype(self.dtype.np))
        return t
    kind = type(value)
    name = kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"
    raise TypeError(f"can't assign a {name} to a torch.{self.dtype.legacy}")


def setitem(self: Tensor, index, value) -> None:
    value = _setitem_value(self, value)
    if index is False:
        return
    if index is Ellipsis:
        return _copy_to(self, value)
    if index is None or index is True:
        return _copy_to(self.unsqueeze(0), value)
    if _is_int_like(index) and not isinstance(index, Tensor):
        return _copy_to(_select(self, 0, index, 0), value)
    result, tensors = _apply_basic(self, _as_tuple(index))
    if tensors is None:
        return _copy_to(result, value)
    values = value
    stripped = _strip_leading_ones(value.shape)
    if stripped != tuple(value.shape):
        values = value.view(stripped)
    _index_put(result, tensors, values, False)


# ---- gather, scatter -----------------------------------------------------------------------------
def _check_index_dtype(op: str, index: Tensor) -> None:
    if index.dtype not in (dtypes.int64, dtypes.int32):
        raise RuntimeError(f"{op}(): Expected dtype int32/int64 for index")


def _check_bounds_along(index: np.ndarray, size: int, dim: int) -> None:
    bad = (index < 0) | (index >= size)
    if bad.any():
        raise RuntimeError(f"index {int(index[bad].reshape(-1)[0])} is out of bounds for "
                           f"dimension {dim} with size {size}")


@defop("gather", "GatherBackward0", inputs=("self",),
       saves=("dim", "index", "self_sym_sizes", "sparse_grad"),
       formulas={"self": "zeros(self.sizes()).scatter_add(dim, index, grad)"})
def GATHER(a, *, dim, index, sparse_grad):
    idx = index._data.astype(np.int64)
    if a.ndim == 0 or idx.ndim == 0:  # a 0-d input or index: at most one dim to read along
        return a.reshape(-1)[idx.reshape(-1)].reshape(idx.shape)
    # gather reads only the index's extent of the other dims (take_along_axis wants them equal)
    part = a[tuple(slice(0, n) if k != dim else slice(None) for k, n in enumerate(idx.shape))]
    return np.ascontiguousarray(np.take_along_axis(part, idx, axis=dim))


@GATHER.derivative
def _(g, s):
    from .creation import zeros
    return zeros(s.self_sym_sizes, dtype=g.dtype).scatter_add(s.dim, s.index, g)


def gather(input: Tensor, dim: int, index: Tensor, *, sparse_grad: bool = False,
           out=None) -> Tensor:
    d = _wrap_dim(dim, input.dim())
    _check_index_dtype("gather", index)
    if index.dim() != input.dim() and not (index.dim() <= 1 and input.dim() <= 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    for k in range(index.dim()):
        if k != d and index.shape[k] > input.shape[k]:
            raise RuntimeError(f"Size does not match at dimension {k} expected index "
                               f"{_shape_str(index.shape)} to be no larger than self "
                               f"{_shape_str(input.shape)} apart from dimension {d}")
    if index.numel() and index._meta is None:
        _check_bounds_along(index._data, input.shape[d] if input.dim() else 1, d)
    result = GATHER(input, dim=d, index=index, sparse_grad=sparse_grad)
    if out is not None:
        from .views import copy_into_out
        return copy_into_out(out, result)
    return result


def _scatter_np(a, index, src, dim, reduce_add: bool):
    out = a.copy()
    if index.size == 0:
        return out
    if a.ndim == 0 or index.ndim == 0:  # at most one dim: work on the flat elements
        flat, idx = out.reshape(-1), index.reshape(-1).astype(np.int64)
        values = np.asarray(src).reshape(-1)[:idx.size] if np.ndim(src) else src
        if reduce_add:
            np.add.at(flat, idx, values)
        else:
            flat[idx] = values
        return flat.reshape(a.shape)
    grids = np.indices(index.shape, sparse=True)
    full = tuple(index.astype(np.int64) if d == dim else grids[d] for d in range(a.ndim))
    values = src[tuple(slice(0, n) for n in index.shape)] if np.ndim(src) else src
    if reduce_add:
        np.add.at(out, full, values)
    else:
        out[full] = values
    return out


@defop("scatter", "ScatterBackward0", inputs=("self", "src"), saves=("dim", "index"),
       formulas={"self": "grad.scatter(dim, index, 0)", "src": "grad.gather(dim, index)"})
def SCATTER(a, src, *, dim, index):
    return _scatter_np(a, index._data, src.astype(a.dtype, copy=False), dim, False)


SCATTER.derivative(lambda g, s: (g.scatter(s.dim, s.index, 0.0), g.gather(s.dim, s.index)))


@defop("scatter_value", "ScatterBackward1", saves=("dim", "index"),
       formulas={"self": "grad.scatter(dim, index, 0)"})
def SCATTER_VALUE(a, *, dim, index, value):
    return _scatter_np(a, index._data, np.asarray(value).astype(a.dtype), dim, False)


SCATTER_VALUE.derivative(lambda g, s: g.scatter(s.dim, s.index, 0.0))


@defop("scatter_add", "ScatterAddBackward0", inputs=("self", "src"), saves=("dim", "index"),
       formulas={"self": "grad", "src": "grad.gather(dim, index)"})
def SCATTER_ADD(a, src, *, dim, index):
    return _scatter_np(a, index._data, src.astype(a.dtype, copy=False), dim, True)


SCATTER_ADD.derivative(lambda g, s: (g, g.gather(s.dim, s.index)))


def _scatter_checks(self: Tensor, dim: int, index: Tensor, src) -> int:
    d = _wrap_dim(dim, self.dim())
    _check_index_dtype("scatter", index)
    if isinstance(src, Tensor) and src.dtype is not self.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    if index.dim() != self.dim() and not (index.dim() <= 1 and self.dim() <= 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    if isinstance(src, Tensor) and src.dim() != self.dim() and src.dim() > 1:
        raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
    for k in range(index.dim()):
        too_big = (k != d and index.shape[k] > self.shape[k]) or (
            isinstance(src, Tensor) and src.dim() and index.shape[k] > src.shape[k])
        if too_big:
            if isinstance(src, Tensor):
                raise RuntimeError(f"Expected index {_shape_str(index.shape)} to be no larger "
                                   f"than self {_shape_str(self.shape)} apart from dimension {d} "
                                   f"and to be no larger size than src {_shape_str(src.shape)}")
            raise RuntimeError(f"Expected index {_shape_str(index.shape)} to be no larger than "
                               f"self {_shape_str(self.shape)} apart from dimension {d}")
    if index.numel() and index._meta is None:
        _check_bounds_along(index._data, self.shape[d] if self.dim() else 1, d)
    return d


def _scatter_args(src, value):
    src = value if src is None else src
    if src is None:
        raise TypeError("scatter() missing 1 required positional argument: 'src' or 'value'")
    return src


def scatter(input: Tensor, dim: int, index: Tensor, src=None, *, value=None,
            reduce=None) -> Tensor:
    """Out of place: a contiguous copy of input with src (or a number) written at index."""
    src = _scatter_args(src, value)
    if reduce is not None:
        raise NotImplementedError("scatter(reduce=...) is not supported here; use scatter_add")
    d = _scatter_checks(input, dim, index, src)
    if isinstance(src, Tensor):
        return SCATTER(input, src, dim=d, index=index)
    return SCATTER_VALUE(input, dim=d, index=index, value=src)


def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    if not isinstance(src, Tensor):
        raise TypeError(f"scatter_add(): argument 'src' (position 3) must be Tensor, not "
                        f"{type(src).__name__}")
    d = _scatter_checks(input, dim, index, src)
    return SCATTER_ADD(input, src, dim=d, index=index)


def scatter_(self: Tensor, dim: int, index: Tensor, src=None, *, value=None,
             reduce=None) -> Tensor:
    src = _scatter_args(src, value)
    if reduce is not None:
        raise NotImplementedError("scatter_(reduce=...) is not supported here; use scatter_add_")
    d = _scatter_checks(self, dim, index, src)
    if isinstance(src, Tensor):
        return run_inplace(SCATTER, self, (src,), {"dim": d, "index": index})
    return run_inplace(SCATTER_VALUE, self, (), {"dim": d, "index": index, "value": src})


def scatter_add_(self: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    if not isinstance(src, Tensor):
        raise TypeError(f"scatter_add_(): argument 'src' (position 3) must be Tensor, not "
                        f"{type(src).__name__}")
    d = _scatter_checks(self, dim, index, src)
    return run_inplace(SCATTER_ADD, self, (src,), {"dim": d, "index": index})


# ---- index_select, take, masked ops, nonzero -----------------------------------------------------
@defop("index_select", "IndexSelectBackward0", saves=("dim", "index", "self_sym_sizes"),
       formulas={"self": "zeros(self.sizes()).index_add(dim, index, grad)"})
def INDEX_SELECT(a, *, dim, index):
    return np.ascontiguousarray(np.take(a, index._data.reshape(-1).astype(np.int64), axis=dim))


@INDEX_SELECT.derivative
def _(g, s):
    idx = (slice(None),) * s.dim + (s.index._data.reshape(-1).astype(np.int64),)
    return INDEX_BACKWARD(g, indices=idx, input_sizes=s.self_sym_sizes)


def index_select(input: Tensor, dim: int, index: Tensor, *, out=None) -> Tensor:
    d = _wrap_dim(dim, input.dim())
    if index.dim() > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    if index.dtype not in (dtypes.int64, dtypes.int32):
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
    size = input.shape[d] if input.dim() else 1
    idx = index._data.reshape(-1)
    if index._meta is None and (idx < 0).any():
        raise RuntimeError(f"INDICES element is out of DATA bounds, id={int(idx[idx < 0][0])} "
                           f"axis_dim={size}")
    if index._meta is None and (idx >= size).any():
        raise IndexError("index out of range in self")
    result = INDEX_SELECT(input, dim=d, index=index)
    if out is not None:
        from .views import copy_into_out
        return copy_into_out(out, result)
    return result


@defop("take", "TakeBackward0", saves=("index", "self_sym_sizes"),
       formulas={"self": "zeros(self.sizes()).put_(index, grad, accumulate=True)"})
def TAKE(a, *, index):
    return np.ascontiguousarray(a.reshape(-1)[index._data] if a.ndim else
                                np.broadcast_to(a, index._data.shape))


@TAKE.derivative
def _(g, s):
    numel = int(np.prod(s.self_sym_sizes))
    flat = INDEX_BACKWARD(g, indices=(s.index._data,), input_sizes=(numel,))
    return flat.reshape(s.self_sym_sizes)


def take(input: Tensor, index: Tensor) -> Tensor:
    if index.dtype is not dtypes.int64:
        raise RuntimeError(f"take(): Expected a long tensor for index, but got "
                           f"{_scalar_name(index.dtype)}")
    n = input.numel()
    idx = index._data
    bad = (idx < -n) | (idx >= n)
    if bad.any():
        raise IndexError(f"out of range: tried to access index {int(idx[bad][0])} on a tensor "
                         f"of {n} elements.")
    return TAKE(input, index=index)


def _scalar_name(d) -> str:
    from .registry import _scalar_type_name
    return _scalar_type_name(d)


_TYPE_META_NAMES = {"float32": "float", "float64": "double", "int64": "long int", "int32": "int",
                    "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
                    "float16": "c10::Half", "bfloat16": "c10::BFloat16", "bool": "bool"}


def _mask_check(mask: Tensor) -> None:
    if mask.dtype is not dtypes.bool:
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{_TYPE_META_NAMES.get(mask.dtype.name, mask.dtype.name)}")


def _fill_value(value):
    """masked_fill's value: a number, or a 0-d tensor (which gets a gradient)."""
    if isinstance(value, Tensor) and value.dim() != 0:
        raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got "
                           f"tensor with {value.dim()} dimension(s).")
    return value


@defop("masked_fill", "MaskedFillBackward0", saves=("mask",),
       formulas={"self": "grad.masked_fill(mask, 0)"})
def MASKED_FILL(a, *, mask, value):
    out = np.array(np.broadcast_to(a, np.broadcast_shapes(a.shape, mask._data.shape)),
                   order="C")
    np.copyto(out, np.asarray(value).astype(a.dtype), where=np.broadcast_to(mask._data, out.shape))
    return out


MASKED_FILL.derivative(lambda g, s: g.masked_fill(s.mask, 0))


@defop("masked_fill_tensor", "MaskedFillBackward1", inputs=("self", "value"), saves=("mask",),
       formulas={"self": "grad.masked_fill(mask, 0)",
                 "value": "grad.masked_select(mask).sum()"})
def MASKED_FILL_TENSOR(a, v, *, mask):
    return MASKED_FILL.forward(a, mask=mask, value=v)


MASKED_FILL_TENSOR.derivative(lambda g, s: (g.masked_fill(s.mask, 0),
                                            g.masked_select(s.mask).sum()))


def masked_fill(input: Tensor, mask: Tensor, value) -> Tensor:
    _mask_check(mask)
    value = _fill_value(value)
    broadcast_shapes(mask._data.shape, input._data.shape)
    if isinstance(value, Tensor):
        return MASKED_FILL_TENSOR(input, value, mask=mask)
    return MASKED_FILL(input, mask=mask, value=value)


def masked_fill_(self: Tensor, mask: Tensor, value) -> Tensor:
    _mask_check(mask)
    value = _fill_value(value)
    shape = broadcast_shapes(mask._data.shape, self._data.shape)
    if tuple(shape) != tuple(self.shape):
        raise RuntimeError(f"output with shape {_shape_str(self.shape)} doesn't match the "
                           f"broadcast shape {_shape_str(shape)}")
    if isinstance(value, Tensor):
        return run_inplace(MASKED_FILL_TENSOR, self, (value,), {"mask": mask})
    return run_inplace(MASKED_FILL, self, (), {"mask": mask, "value": value})


@defop("masked_select", "MaskedSelectBackward0", saves=("mask", "self_sym_sizes"),
       formulas={"self": "zeros(mask.sizes()).masked_scatter(mask, grad).sum_to_size(self)"})
def MASKED_SELECT(a, *, mask):
    shape = np.broadcast_shapes(a.shape, mask._data.shape)
    return np.broadcast_to(a, shape)[np.broadcast_to(mask._data, shape)]


@MASKED_SELECT.derivative
def _(g, s):
    shape = np.broadcast_shapes(tuple(s.self_sym_sizes), tuple(s.mask.shape))
    where = np.nonzero(np.broadcast_to(s.mask._data, shape))
    full = INDEX_BACKWARD(g, indices=where, input_sizes=shape)
    return full.sum_to_size(s.self_sym_sizes)


def masked_select(input: Tensor, mask: Tensor, *, out=None) -> Tensor:
    if mask.dtype is not dtypes.bool:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    broadcast_shapes(mask._data.shape, input._data.shape)
    result = MASKED_SELECT(input, mask=mask)
    if out is not None:
        from .views import copy_into_out
        return copy_into_out(out, result)
    return result


def nonzero(input: Tensor, *, as_tuple: bool = False, out=None):
    """The indices of the non-zero elements: an (n, ndim) long tensor laid out column by column
    (strides (1, n), as PyTorch builds it), or one 1-d tensor per dim with as_tuple=True."""
    if as_tuple:  # the columns of nonzero() (a 0-d input counts as 1-d), as views
        return nonzero(input if input.dim() else input.unsqueeze(0)).unbind(1)
    data = input._data if input.dim() else input._data.reshape(1)
    idx = np.nonzero(data)
    n = len(idx[0])
    cols = idx if input.dim() else ()
    out_arr = empty_strided_np((n, len(cols)), (1, n), np.int64)
    for k, col in enumerate(cols):
        out_arr[:, k] = col
    result = with_strides(Tensor._from_array(out_arr), (1, n))
    if out is not None:
        from .views import copy_into_out
        return copy_into_out(out, result)
    return result


def argwhere(input: Tensor) -> Tensor:
    return nonzero(input)


# ---- fill_, zero_ --------------------------------------------------------------------------------
@defop("fill", "FillBackward2", formulas={"self": "zeros_like(grad)"})
def FILL(a, *, value):
    return np.full(a.shape, np.asarray(value).astype(a.dtype), dtype=a.dtype)  # -1 → 255: wraps


FILL.derivative(lambda g, s: g * 0)


@defop("fill_tensor", "FillBackward3", inputs=("self", "value"),
       formulas={"self": "zeros_like(grad)", "value": "grad.sum()"})
def FILL_TENSOR(a, v):
    return np.full(a.shape, v, dtype=a.dtype)


FILL_TENSOR.derivative(lambda g, s: (g * 0, g.sum()))


@defop("zero", "ZeroBackward0", formulas={"self": "zeros_like(grad)"})
def ZERO(a):
    return np.zeros_like(a)


ZERO.derivative(lambda g, s: g * 0)


def fill_(self: Tensor, value) -> Tensor:
    if isinstance(value, Tensor):
        if value.dim() != 0:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor "
                               f"with {value.dim()} dimensions.")
        return run_inplace(FILL_TENSOR, self, (value,), {})
    value = number(value)
    check_fits(value, self.dtype)
    return run_inplace(FILL, self, (), {"value": value})


def zero_(self: Tensor) -> Tensor:
    return run_inplace(ZERO, self, (), {})


# ---- repeat_interleave ---------------------------------------------------------------------------
def _repeated_indices(repeats: Tensor, output_size=None) -> Tensor:
    """torch.repeat_interleave(repeats): each index i repeated repeats[i] times."""
    from .linalg import _scalar_name
    if repeats.dim() != 1:
        raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
    if repeats.dtype not in (dtypes.int32, dtypes.int64):
        raise NotImplementedError(f'"repeat_interleave_cpu" not implemented for '
                                  f"'{_scalar_name(repeats)}'")
    if repeats._meta is not None:      # the counts are values a meta tensor does not have
        if output_size is None:
            raise RuntimeError("cannot repeat_interleave a meta tensor without output_size")
        from .meta import empty as meta_empty
        return meta_empty((output_size,), repeats.dtype)
    counts = repeats._data
    if counts.size and counts.min() < 0:
        raise RuntimeError("repeats can not be negative")
    if output_size is not None and output_size != int(counts.sum()):
        raise RuntimeError("allocated size does not match required size")
    return Tensor._from_array(np.repeat(np.arange(counts.size, dtype=counts.dtype), counts))


def repeat_interleave(input: Tensor, repeats=None, dim=None, *, output_size=None) -> Tensor:
    """As torch composes it: an int repeats is unsqueeze, expand, clone and a flattening view;
    a tensor of repeats is index_select with the repeated indices (dim=None flattens first)."""
    if repeats is None:
        return _repeated_indices(input, output_size)
    if dim is None:
        input, dim = input.flatten(), 0
    else:
        dim = _wrap_dim(dim, input.dim())
    if isinstance(repeats, Tensor):
        if repeats.dim() > 1:
            raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
        length = input.shape[dim] if input.dim() else 1
        if repeats.numel() == 1:
            repeats = repeats.reshape(1).expand(length)
        elif repeats.shape[0] != length:
            raise RuntimeError(f"repeats must have the same size as input along dim, but got "
                               f"repeats.size(0) = {repeats.shape[0]} and input.size({dim}) = "
                               f"{length}")
        return input.index_select(dim, _repeated_indices(repeats, output_size))
    if repeats < 0:
        raise RuntimeError("Repeats must be non-negative")
    expected = (input.shape[dim] if input.dim() else 1) * repeats
    if output_size is not None and output_size != expected:
        raise RuntimeError(f"repeat_interleave: Invalid output_size, expected {expected} but got "
                           f"{output_size}")
    sizes = list(input.unsqueeze(dim + 1).shape)
    sizes[dim + 1] = repeats
    from ..memory_format import contiguous_format
    expanded = input.unsqueeze(dim + 1).expand(sizes)
    return expanded.clone(memory_format=contiguous_format).flatten(dim, dim + 1)


for _fn in (gather, scatter, scatter_add, index_select, masked_fill, masked_select, take,
            nonzero, argwhere, index_put, repeat_interleave):
    expose(_fn)
for _fn in (scatter_, scatter_add_, masked_fill_, index_put_, fill_, zero_):
    expose(_fn, function=False)
expose(getitem, "__getitem__", function=False)
expose(setitem, "__setitem__", function=False)
