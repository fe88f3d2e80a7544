"""Indexing: `t[...]` and `t[...] = v`, plus gather/scatter/index_select/masked ops.

Basic indices (ints, slices, None, ...) become a chain of view ops applied left to right, as in
PyTorch, so the graph shows SelectBackward0/SliceBackward0/UnsqueezeBackward0. Integer arrays,
lists and masks then go through one IndexBackward0 (advanced indexing copies)."""
from __future__ import annotations

import numpy as np

from .. import dtypes
from ..tensor import Tensor
from .registry import broadcast_shapes, defop, expose, operand, run_inplace
from .views import SELECT, UNSQUEEZE, select, slice_dim


def _is_advanced(item) -> bool:
    return isinstance(item, (Tensor, list, np.ndarray)) or isinstance(item, (bool, np.bool_))


def _to_numpy_index(item):
    if isinstance(item, Tensor):
        if item.dtype.is_floating_point:
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        return item._data
    if isinstance(item, (list, tuple)):
        arr = np.array([i._data if isinstance(i, Tensor) else i for i in item])
        if arr.dtype.kind == "f":
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        return arr
    return item


def _normalize(index) -> tuple:
    if not isinstance(index, tuple):
        index = (index,)
    return index


def _consumed(item) -> int:
    """How many dims of the input an index item uses."""
    if item is None or item is Ellipsis or isinstance(item, (bool, np.bool_)):
        return 0
    if isinstance(item, Tensor) and item.dtype is dtypes.bool:
        return max(item.dim(), 1) if item.dim() else 0
    if isinstance(item, np.ndarray) and item.dtype == np.bool_:
        return item.ndim
    return 1


@defop("alias", "AliasBackward0", view=True, formulas={"self": "grad"})
def ALIAS(a):
    return a[...]


ALIAS.derivative(lambda g, s: g)


def _apply_basic(t: Tensor, index: tuple):
    """Apply ints/slices/None as views; return the view and the leftover advanced index."""
    if len(index) == 1 and isinstance(index[0], slice):
        s = index[0]
        if t.dim() == 0:
            raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python "
                             "or `tensor.item<T>()` in C++ to convert a 0-dim tensor to a "
                             "number")
        return slice_dim(t, 0, s.start, s.stop, 1 if s.step is None else s.step), None
    used = sum(_consumed(i) for i in index)
    if used > t.dim():
        raise IndexError(f"too many indices for tensor of dimension {t.dim()}")
    if sum(i is Ellipsis for i in index) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    result, dim, changed = t, 0, False
    advanced = []
    for item in index:
        if item is Ellipsis:
            skip = t.dim() - used
            advanced.extend([slice(None)] * skip)
            dim += skip
        elif item is None:
            result = UNSQUEEZE(result, dim=dim)
            advanced.append(slice(None))
            dim += 1
            changed = True
        elif isinstance(item, (int, np.integer)) and not isinstance(item, (bool, np.bool_)):
            size = result.shape[dim]
            if not -size <= item < size:
                raise IndexError(f"index {item} is out of bounds for dimension {dim} with size "
                                 f"{size}")
            result = SELECT(result, dim=dim, index=int(item) % size)
            changed = True
        elif isinstance(item, slice):
            if item != slice(None):
                result = slice_dim(result, dim, item.start, item.stop,
                                   1 if item.step is None else item.step)
                changed = True
            advanced.append(slice(None))
            dim += 1
        elif _is_advanced(item):
            advanced.append(item)
            dim += _consumed(item)
        else:
            raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or "
                             "byte Variables are valid indices (got "
                             f"{type(item).__name__})")
    has_advanced = any(_is_advanced(i) for i in advanced)
    if not has_advanced:
        return (result if changed else ALIAS(result)), None
    return result, tuple(advanced)


def _check_bounds(t: Tensor, idx: tuple) -> None:
    dim = 0
    for item in idx:
        arr = item
        if isinstance(arr, np.ndarray) and arr.dtype != np.bool_ and arr.size:
            size = t.shape[dim]
            bad = arr[(arr >= size) | (arr < -size)]
            if bad.size:
                raise IndexError(f"index {int(bad.reshape(-1)[0])} is out of bounds for "
                                 f"dimension {dim} with size {size}")
        elif isinstance(arr, np.ndarray) and arr.dtype == np.bool_:
            for k in range(arr.ndim):
                if arr.shape[k] != t.shape[dim + k]:
                    raise IndexError(f"The shape of the mask [{', '.join(map(str, arr.shape))}] "
                                     f"at index {k} does not match the shape of the indexed "
                                     f"tensor [{', '.join(map(str, t.shape))}] at index "
                                     f"{dim + k}")
            dim += arr.ndim
            continue
        dim += 1


@defop("index", "IndexBackward0", saves=("indices", "self_sym_sizes"),
       formulas={"self": "zeros(self.sizes()) with grad added at indices"})
def INDEX(a, *, indices):
    return a[indices]


@defop("index_backward", "IndexPutBackward0", inputs=("grad_output",), saves=("indices",),
       formulas={"grad_output": "grad[indices]"})
def INDEX_BACKWARD(g, *, indices, input_sizes):
    out = np.zeros(input_sizes, dtype=g.dtype)
    np.add.at(out, indices, g)
    return out


INDEX.derivative(lambda g, s: INDEX_BACKWARD(g, indices=s.indices, input_sizes=s.self_sym_sizes))
INDEX_BACKWARD.derivative(lambda g, s: INDEX(g, indices=s.indices))


def getitem(self: Tensor, index) -> Tensor:
    index = _normalize(index)
    if any(isinstance(i, (bool, np.bool_)) for i in index):
        index = tuple(np.array(i) if isinstance(i, (bool, np.bool_)) else i for i in index)
        index = tuple(None if isinstance(i, np.ndarray) and i.ndim == 0 and bool(i) else i
                      for i in index)
    result, advanced = _apply_basic(self, index)
    if advanced is None:
        return result
    np_index = tuple(_to_numpy_index(i) for i in advanced)
    _check_bounds(result, np_index)
    return INDEX(result, indices=np_index)


@defop("index_put_", "IndexPutBackward0", inputs=("self", "values"), saves=("indices",),
       formulas={"self": "grad with [indices] = 0", "values": "grad[indices]"})
def INDEX_PUT(a, v, *, indices, accumulate):
    out = a.copy()
    if accumulate:
        np.add.at(out, indices, v.astype(a.dtype, copy=False))
    else:
        out[indices] = v
    return out


@INDEX_PUT.derivative
def _(g, s):
    from .creation import zeros
    keep = g.clone()
    keep._data[s.indices] = 0
    return keep, INDEX(g, indices=s.indices)


def index_put_(self: Tensor, indices, values, accumulate: bool = False) -> Tensor:
    np_index = tuple(_to_numpy_index(i) for i in indices)
    return run_inplace(INDEX_PUT, self, (operand(values),), {"indices": np_index,
                                                               "accumulate": accumulate})


def index_put(self: Tensor, indices, values, accumulate: bool = False) -> Tensor:
    return index_put_(self.clone(), indices, values, accumulate)


def setitem(self: Tensor, index, value) -> None:
    index = _normalize(index)
    value = operand(value)
    from ..autograd.grad_mode import no_grad
    if any(_is_advanced(i) for i in index):
        with no_grad():
            target, advanced = _apply_basic(self, index)
        if advanced is None:
            target.copy_(value)
            return
        np_index = tuple(_to_numpy_index(i) for i in advanced)
        _check_bounds(target, np_index)
        if target is self:
            index_put_(self, np_index, value)
        else:
            index_put_(target, np_index, value)
        return
    from ..autograd import grad_mode
    needs_grad = grad_mode.is_grad_enabled() and (self.requires_grad or value.requires_grad)
    with grad_mode.set_grad_enabled(needs_grad):
        view, _ = _apply_basic(self, index)
    view.copy_(value)


# ---- gather, scatter, index_select, masked ops, take, nonzero ------------------------------------
@defop("gather", "GatherBackward0", inputs=("self",), saves=("dim", "index", "self",
                                                              "sparse_grad"),
       formulas={"self": "zeros(self.sizes()).scatter_add(dim, index, grad)"})
def GATHER(a, *, dim, index, sparse_grad):
    return np.take_along_axis(a, index._data, axis=dim)


@GATHER.derivative
def _(g, s):
    from .creation import zeros
    return zeros(s.self.shape, dtype=g.dtype).scatter_add(s.dim, s.index, g)


def gather(input: Tensor, dim: int, index: Tensor, *, sparse_grad: bool = False) -> Tensor:
    from ..tensor import _wrap_dim
    if index.dtype is not dtypes.int64:
        raise RuntimeError("gather(): Expected dtype int64 for index")
    return GATHER(input, dim=_wrap_dim(dim, input.dim()), index=index, sparse_grad=sparse_grad)


def _scatter_np(a, index, src, dim, reduce_add: bool):
    out = a.copy()
    idx = index
    grids = np.indices(idx.shape, sparse=True)
    full = tuple(idx if d == dim else grids[d] for d in range(a.ndim))
    values = src[tuple(slice(0, n) for n in idx.shape)] if np.ndim(src) else src
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


@defop("scatter_add", "ScatterAddBackward0", inputs=("self", "src"), saves=("dim", "index"),
       formulas={"self": "grad", "src": "grad.gather(dim, index)"})
def SCATTER_ADD(a, src, *, dim, index):
    return _scatter_np(a, index._data, src.astype(a.dtype, copy=False), dim, True)


SCATTER_ADD.derivative(lambda g, s: (g, g.gather(s.dim, s.index)))


def scatter(input: Tensor, dim: int, index: Tensor, src=None, *, value=None,
            reduce=None) -> Tensor:
    from ..tensor import _wrap_dim
    src = operand(value if src is None else src)
    return SCATTER(input, src, dim=_wrap_dim(dim, input.dim()), index=index)


def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    from ..tensor import _wrap_dim
    return SCATTER_ADD(input, src, dim=_wrap_dim(dim, input.dim()), index=index)


def scatter_(self: Tensor, dim: int, index: Tensor, src=None, *, value=None,
             reduce=None) -> Tensor:
    from ..tensor import _wrap_dim
    src = operand(value if src is None else src)
    return run_inplace(SCATTER, self, (src,), {"dim": _wrap_dim(dim, self.dim()),
                                               "index": index})


def scatter_add_(self: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    from ..tensor import _wrap_dim
    return run_inplace(SCATTER_ADD, self, (src,), {"dim": _wrap_dim(dim, self.dim()),
                                                   "index": index})


def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:
    from ..tensor import _wrap_dim
    d = _wrap_dim(dim, input.dim())
    return INDEX_SELECT(input, dim=d, index=index)


@defop("index_select", "IndexSelectBackward0", saves=("dim", "index", "self_sym_sizes"),
       formulas={"self": "zeros(self.sizes()).index_add(dim, index, grad)"})
def INDEX_SELECT(a, *, dim, index):
    return np.take(a, index._data.reshape(-1), axis=dim)


@INDEX_SELECT.derivative
def _(g, s):
    idx = (slice(None),) * s.dim + (s.index._data.reshape(-1),)
    return INDEX_BACKWARD(g, indices=idx, input_sizes=s.self_sym_sizes)


@defop("masked_fill", "MaskedFillBackward0", inputs=("self",), saves=("mask",),
       formulas={"self": "grad.masked_fill(mask, 0)"})
def MASKED_FILL(a, *, mask, value, _broadcast=None):
    return np.where(mask._data, np.asarray(value, dtype=a.dtype), a)


MASKED_FILL.derivative(lambda g, s: g.masked_fill(s.mask, 0))


def _mask_check(mask: Tensor) -> None:
    if mask.dtype is not dtypes.bool:
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{mask.dtype.name}" if mask.dtype is not dtypes.uint8 else
                           "masked_fill_ only supports boolean masks, but got mask with dtype "
                           "unsigned char")


def masked_fill(input: Tensor, mask: Tensor, value) -> Tensor:
    _mask_check(mask)
    value = value.item() if isinstance(value, Tensor) else value
    broadcast_shapes(input._data.shape, mask._data.shape)
    return MASKED_FILL(input, mask=mask, value=value)


def masked_fill_(self: Tensor, mask: Tensor, value) -> Tensor:
    _mask_check(mask)
    value = value.item() if isinstance(value, Tensor) else value
    return run_inplace(MASKED_FILL, self, (), {"mask": mask, "value": value})


def masked_select(input: Tensor, mask: Tensor) -> Tensor:
    shape = broadcast_shapes(input._data.shape, mask._data.shape)
    return getitem(input.expand(shape), mask.expand(shape))


def take(input: Tensor, index: Tensor) -> Tensor:
    return getitem(input.reshape(-1), index)


def nonzero(input: Tensor, *, as_tuple: bool = False):
    idx = np.nonzero(input._data) if input.dim() else np.nonzero(input._data.reshape(1))
    if as_tuple:
        return tuple(Tensor._from_array(i.astype(np.int64)) for i in idx)
    return Tensor._from_array(np.stack(idx, axis=1).astype(np.int64) if idx else
                              np.zeros((int(bool(input._data)), 0), np.int64))


def argwhere(input: Tensor) -> Tensor:
    return nonzero(input)


@defop("fill", "FillBackward2", formulas={"self": "0"})
def FILL(a, *, value):
    return np.full(a.shape, value, dtype=a.dtype)


FILL.derivative(lambda g, s: g * 0)


@defop("zero", "ZeroBackward0", formulas={"self": "0"})
def ZERO(a):
    return np.zeros_like(a)


ZERO.derivative(lambda g, s: g * 0)


def fill_(self: Tensor, value) -> Tensor:
    if isinstance(value, Tensor):
        return self.copy_(value)
    return run_inplace(FILL, self, (), {"value": value})


def zero_(self: Tensor) -> Tensor:
    return run_inplace(ZERO, self, (), {})


for _fn in (gather, scatter, scatter_add, index_select, masked_fill, masked_select, take,
            nonzero, argwhere, index_put):
    expose(_fn)
for _fn in (scatter_, scatter_add_, masked_fill_, index_put_, fill_, zero_):
    expose(_fn, function=False)
expose(getitem, "__getitem__", function=False)
expose(setitem, "__setitem__", function=False)
expose(select, "select")
