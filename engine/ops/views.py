"""View and shape ops. A view aliases its input's storage; only the shape, strides and offset
change. Also: copies (clone, contiguous, to), copy_, and what PyTorch does when a view is
modified in place (CopySlices on the base, an as_strided history on the view)."""
from __future__ import annotations

import functools
import operator

import numpy as np

from .. import caller_warning, dtypes
from ..autograd.grad_mode import is_grad_enabled
from ..memory_format import contiguous_format, dense_strides_like, preserve_format, strides_for
from ..tensor import Tensor, _wrap_dim, check_within_base, exact_ints
from .arguments import left_out, missing_arguments
from .torch_bindings import METHOD_OVERLOADS
from .registry import OpNode, defop, expose, run_inplace

__all__ = ["copy_slices", "regenerate_view_grad_fn", "strided_view", "empty_strided_np",
           "with_strides", "int_list"]


def strided_view(storage: np.ndarray, shape, strides, offset: int) -> np.ndarray:
    """A NumPy view of `storage` with element strides and offset. Its extent is checked here:
    NumPy checks none over an empty buffer, and every view the engine makes passes through,
    so no caller's mistake (or a learner's subclass answering stride() one way, then another,
    or an object posing as a storage) can reach memory the storage does not own."""
    if type(storage) is not np.ndarray or storage.dtype.hasobject:
        raise TypeError("a tensor's storage must be a NumPy array of numbers")
    item = storage.itemsize
    shape, strides, offset = exact_ints(shape), exact_ints(strides), operator.index(offset)
    last = offset
    for n, s in zip(shape, strides):
        if n == 0:
            last = None
            break
        if s < 0 or n < 0:
            raise RuntimeError(f"as_strided: Negative strides are not supported at the moment, "
                               f"got strides: {_shape_str(strides)}")
        last += (n - 1) * s
    if last is not None and (offset < 0 or (last + 1) * item > _extent(storage)):
        raise RuntimeError(f"setStorage: sizes {_shape_str(shape)}, strides "
                           f"{_shape_str(strides)}, storage offset {offset}, and itemsize "
                           f"{item} requiring a storage size of {(last + 1) * item} are out of "
                           f"bounds for storage of size {_extent(storage)}")
    return np.ndarray(shape, storage.dtype, buffer=storage, offset=offset * item,
                      strides=tuple(s * item for s in strides))


def _extent(storage: np.ndarray) -> int:
    """The bytes `storage` really spans from its first element (a broadcast array claims more
    than it holds)."""
    if storage.ndim == 1 and storage.strides[0] == storage.itemsize:
        return storage.nbytes
    low, high = np.lib.array_utils.byte_bounds(storage)
    return high - storage.__array_interface__["data"][0]


def empty_strided_np(shape, strides, dtype) -> np.ndarray:
    """A fresh NumPy array with element strides `strides` (dense ones: no gaps)."""
    shape = tuple(shape)
    span = 1 + sum((n - 1) * s for n, s in zip(shape, strides)) if all(shape) else 0
    flat = np.empty(span, dtype=dtype)
    return strided_view(flat, shape, strides, 0)


def with_strides(t: Tensor, strides) -> Tensor:
    """Label a fresh dense result with PyTorch's exact strides.

    The forward already laid the elements out in the right order; NumPy only renumbers the
    strides of size-1 and empty dims (which PyTorch keeps), so this changes labels, not data.
    """
    strides = tuple(strides)
    if t._meta is not None:   # (no data to relabel: only the strides it reports)
        t._meta = (strides, t._meta[1])
        return t
    have = tuple(s // t._data.itemsize for s in t._data.strides)
    if have != strides and t._base is None:
        t._data = strided_view(t._storage.array, t._data.shape, strides, 0)
    return t


def _is_int(v) -> bool:
    return isinstance(v, (int, np.integer)) or (
        isinstance(v, Tensor) and v.numel() == 1 and not v.dtype.is_floating_point)


def int_list(fn: str, arg: str, values) -> tuple:
    """A size/dims argument as ints, or the TypeError PyTorch's argument parser raises.

    `values` is what the caller passed: varargs, or one tuple/list/Size (bools count as ints).
    """
    values = tuple(values)
    if len(values) == 1 and isinstance(values[0], (tuple, list)):
        values = tuple(values[0])
    if all([type(v) is int for v in values]):   # the usual call: plain ints, nothing to check
        return values
    elif len(values) == 1 and not _is_int(values[0]):
        raise TypeError(f"{fn}(): argument '{arg}' (position 1) must be tuple of ints, not "
                        f"{type(values[0]).__name__}")
    for i, v in enumerate(values):
        if not _is_int(v):
            raise TypeError(f"{fn}(): argument '{arg}' failed to unpack the object at pos "
                            f"{i + 1} with error \"type must be tuple of ints,but got "
                            f"{type(v).__name__}\"")
    return tuple(int(v) for v in values)


def _restride(a: np.ndarray, shape, strides) -> np.ndarray:
    """Same first element, new shape and element strides, never reaching outside the memory
    `a` was cut from (NumPy's as_strided checks nothing)."""
    size = a.itemsize
    shape = exact_ints(shape)
    byte_strides = tuple([s * size for s in exact_ints(strides)])
    if a.flags.c_contiguous and a.size:   # an ndarray over a's own memory: a quarter of
        try:                   # as_strided's cost (it refuses a view reaching past a non-empty a)
            return np.ndarray(tuple(shape), a.dtype, buffer=a, strides=byte_strides)
        except (ValueError, TypeError):
            pass
    check_within_base(a, shape, byte_strides)
    return np.lib.stride_tricks.as_strided(a, tuple(shape), byte_strides,
                                           writeable=a.flags.writeable)


def _shape_str(shape) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


def infer_size(shape, numel: int) -> tuple:
    """Resolve one -1 in a requested shape, with PyTorch's errors."""
    shape = tuple(int(s) for s in shape)
    infer = [i for i, s in enumerate(shape) if s == -1]
    for i, s in enumerate(shape):
        if s == -1 and i != infer[0]:
            raise RuntimeError("only one dimension can be inferred")
        if s < -1:
            raise RuntimeError(f"invalid shape dimension {s} at index {i} of shape "
                               f"{_shape_str(shape)}")
    known = 1
    for s in shape:
        if s != -1:
            known *= s
    if infer:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{_shape_str(shape)}' is invalid for input of size {numel}")
        shape = shape[:infer[0]] + (numel // known,) + shape[infer[0] + 1:]
    elif known != numel:
        raise RuntimeError(f"shape '{_shape_str(shape)}' is invalid for input of size {numel}")
    return shape


def compute_stride(old_shape, old_stride, new_shape):
    """Strides that view old_shape/old_stride as new_shape without copying, or None.

    Dims of the old tensor are grouped into chunks that are contiguous with one another; a view
    exists when each chunk maps onto whole dims of the new shape (PyTorch's computeStride).
    """
    numel = 1
    for s in old_shape:
        numel *= s
    if not old_shape:
        return (1,) * len(new_shape)
    if numel == 0:
        return old_stride if tuple(old_shape) == tuple(new_shape) else strides_for(new_shape)
    new_stride = [0] * len(new_shape)
    view_d = len(new_shape) - 1
    chunk_base = old_stride[-1]
    tensor_numel = view_numel = 1
    for d in range(len(old_shape) - 1, -1, -1):
        tensor_numel *= old_shape[d]
        if d == 0 or (old_shape[d - 1] != 1 and old_stride[d - 1] != tensor_numel * chunk_base):
            while view_d >= 0 and (view_numel < tensor_numel or new_shape[view_d] == 1):
                new_stride[view_d] = view_numel * chunk_base
                view_numel *= new_shape[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                return None
            if d > 0:
                chunk_base = old_stride[d - 1]
                tensor_numel = view_numel = 1
    if view_d != -1:
        return None
    return tuple(new_stride)


# ---- view, reshape ------------------------------------------------------------------------------
@defop("view", "ViewBackward0", saves=("self_sym_sizes",), view=True,
       formulas={"self": "grad.reshape(self.sizes())"})
def VIEW(a, *, size, stride):
    return _restride(a, size, stride)


VIEW.derivative(lambda g, s: g.reshape(s.self_sym_sizes))


def view(input: Tensor, *shape) -> Tensor:
    if not shape:
        raise left_out("view", ["size"], METHOD_OVERLOADS, ())
    if len(shape) == 1 and isinstance(shape[0], dtypes.dtype):
        return view_dtype(input, shape[0])
    if len(shape) == 1 and not isinstance(shape[0], (tuple, list)) and not _is_int(shape[0]):
        got = type(shape[0]).__name__
        raise TypeError(f"view() received an invalid combination of arguments - got ({got}), "
                        "but expected one of:")
    size = infer_size(int_list("view", "size", shape), input.numel())
    stride = compute_stride(input.shape, input.stride(), size)
    if stride is None:
        raise RuntimeError("view size is not compatible with input tensor's size and stride (at "
                           "least one dimension spans across two contiguous subspaces). Use "
                           ".reshape(...) instead.")
    return VIEW(input, size=size, stride=stride)


def view_dtype(input: Tensor, dtype) -> Tensor:
    """Reinterpret the bytes (no autograd): the last dim grows or shrinks by the size ratio."""
    from .registry import _scalar_type_name
    old, new = input.dtype.itemsize, dtype.itemsize
    if old != new:
        what = (f"to view {_scalar_type_name(input.dtype)} as {_scalar_type_name(dtype)} "
                "(different element sizes)")
        if input.dim() == 0:
            raise RuntimeError(f"self.dim() cannot be 0 {what}")
        ratio = new // old
        if new > old and input.shape[-1] % ratio:
            raise RuntimeError(f"self.size(-1) must be divisible by {ratio} {what}, but got "
                               f"{input.shape[-1]}")
        if input.stride(-1) != 1:
            raise RuntimeError(f"self.stride(-1) must be 1 {what}, but got {input.stride(-1)}")
        if new > old and input.storage_offset() % ratio:
            raise RuntimeError(f"self.storage_offset() must be divisible by {ratio} {what}, but "
                               f"got {input.storage_offset()}")
        for d, st in enumerate(input.stride()[:-1] if new > old else ()):
            if st % ratio:
                raise RuntimeError(f"self.stride({d}) must be divisible by {ratio} {what}, but "
                                   f"got {st}")
    if input.is_meta:
        from .meta import view_dtype as meta_view_dtype
        t = meta_view_dtype(input, dtype)
    else:
        t = input._make_view(input._data.view(dtype.np))
    t.dtype = dtype
    t._base = None  # it shares storage and version counter but is not a view in autograd's sense
    return t


@defop("_reshape_alias", "ReshapeAliasBackward0", saves=("self_sym_sizes",), view=True,
       formulas={"self": "grad.reshape(self.sizes())"})
def RESHAPE_ALIAS(a, *, size, stride):
    return _restride(a, size, stride)


RESHAPE_ALIAS.derivative(lambda g, s: g.reshape(s.self_sym_sizes))


@defop("_unsafe_view", "UnsafeViewBackward0", saves=("self_sym_sizes",),
       formulas={"self": "grad.reshape(self.sizes())"})
def UNSAFE_VIEW(a, *, size):
    return a.reshape(size)


UNSAFE_VIEW.derivative(lambda g, s: g.reshape(s.self_sym_sizes))


def reshape(input: Tensor, *shape) -> Tensor:
    """PyTorch's three cases: a contiguous input is viewed (ViewBackward0); a strided one whose
    dims still line up gets the same view as `_reshape_alias`; otherwise a contiguous copy is
    viewed (UnsafeViewBackward0 over CloneBackward0)."""
    if not shape and isinstance(input, Tensor):    # torch checks the input's type first
        raise missing_arguments("reshape", ["shape"])
    shape = int_list("reshape", "shape", shape)
    if input.is_contiguous():
        return view(input, shape)
    size = infer_size(shape, input.numel())
    stride = compute_stride(input.shape, input.stride(), size)
    if stride is not None:   # (torch's meta tensors take the plain view)
        return (VIEW if input.is_meta else RESHAPE_ALIAS)(input, size=size, stride=stride)
    return UNSAFE_VIEW(clone(input, memory_format=contiguous_format), size=size)


def view_as(input: Tensor, other: Tensor) -> Tensor:
    return view(input, other.shape)


def reshape_as(input: Tensor, other: Tensor) -> Tensor:
    return reshape(input, other.shape)


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    nd = input.dim()
    start, end = _wrap_dim(start_dim, nd), _wrap_dim(end_dim, nd)
    if nd == 0:
        return reshape(input, 1)
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if start == end:
        return input
    shape = input.shape
    n = 1
    for s in shape[start:end + 1]:
        n *= s
    return reshape(input, tuple(shape[:start]) + (n,) + tuple(shape[end + 1:]))


def unflatten(input: Tensor, dim: int, sizes) -> Tensor:
    d = _wrap_dim(dim, input.dim())
    sizes = int_list("unflatten", "sizes", (sizes,))
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    try:
        sizes = infer_size(sizes, input.shape[d])
    except RuntimeError as exc:
        if "is invalid for input of size" in str(exc):
            raise RuntimeError(f"unflatten: Provided sizes {_shape_str(sizes)} don't multiply up "
                               f"to the size of dim {d} ({input.shape[d]}) in the input "
                               "tensor") from None
        raise RuntimeError(f"unflatten got an unexpected error:\n{exc}") from None
    return view(input, tuple(input.shape[:d]) + tuple(sizes) + tuple(input.shape[d + 1:]))


# ---- dims: transpose, permute, squeeze, unsqueeze, expand -------------------------------------
@defop("transpose", "TransposeBackward0", saves=("dim0", "dim1"), view=True,
       formulas={"self": "grad.transpose(dim0, dim1)"})
def TRANSPOSE(a, *, dim0, dim1):
    return a.swapaxes(dim0, dim1) if a.ndim else a[...]


TRANSPOSE.derivative(lambda g, s: g.transpose(s.dim0, s.dim1))


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    nd = input.dim()
    return TRANSPOSE(input, dim0=_wrap_dim(dim0, nd), dim1=_wrap_dim(dim1, nd))


@defop("t", "TBackward0", view=True, formulas={"self": "grad.t()"})
def T(a):
    return a.T


T.derivative(lambda g, s: g.t())


def t(input: Tensor) -> Tensor:
    if input._data.ndim > 2:   # (not input.dim(): every Linear calls t(), forward and back)
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                           f"{input.dim()}D")
    return T(input)


@defop("permute", "PermuteBackward0", saves=("dims",), view=True,
       formulas={"self": "grad.permute(argsort(dims))"})
def PERMUTE(a, *, dims):
    return a.transpose(dims)


PERMUTE.derivative(lambda g, s: g.permute(tuple(int(i) for i in np.argsort(s.dims))))


def permute(input: Tensor, *dims) -> Tensor:
    if not dims:
        raise missing_arguments("permute", ["dims"])
    dims = int_list("permute", "dims", dims)
    nd = input.dim()
    if len(dims) != nd:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does "
                           f"not match the length of the desired ordering of dimensions i.e. "
                           f"input.dim() = {nd} is not equal to len(dims) = {len(dims)}")
    wrapped = tuple(_wrap_dim(d, nd) for d in dims)
    if len(set(wrapped)) != nd:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return PERMUTE(input, dims=wrapped)


def movedim(input: Tensor, source, destination) -> Tensor:
    """permute() with `source` dims moved to `destination`, the others keeping their order."""
    if isinstance(source, int) != isinstance(destination, int):
        raise TypeError(f"movedim() received an invalid combination of arguments - got "
                        f"({type(source).__name__}, {type(destination).__name__}), but "
                        "expected one of:")
    src = (source,) if isinstance(source, int) else tuple(source)
    dst = (destination,) if isinstance(destination, int) else tuple(destination)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source "
                           f"({_shape_str(src)} dims) should contain the same number of dims as "
                           f"destination ({_shape_str(dst)} dims)")
    nd = input.dim()
    wsrc = [_wrap_dim(d, nd) for d in src]
    wdst = [_wrap_dim(d, nd) for d in dst]
    if len(set(wsrc)) != len(wsrc):
        raise RuntimeError(f"movedim: repeated dim in `source` ({_shape_str(src)})")
    if len(set(wdst)) != len(wdst):
        raise RuntimeError(f"movedim: repeated dim in `destination` ({_shape_str(dst)})")
    if nd == 0:
        from .indexing import ALIAS
        return ALIAS(input)
    order = [-1] * nd
    for s_, d_ in zip(wsrc, wdst):
        order[d_] = s_
    rest = iter(d for d in range(nd) if d not in wsrc)
    order = [next(rest) if o == -1 else o for o in order]
    return PERMUTE(input, dims=tuple(order))


def _squeeze_grad(g, s):
    return g.reshape(s.self_sym_sizes)


@defop("squeeze", "SqueezeBackward0", saves=("self_sym_sizes",), view=True,
       formulas={"self": "grad.reshape(self.sizes())"})
def SQUEEZE(a):
    return np.squeeze(a)


@defop("squeeze_dim", "SqueezeBackward1", saves=("dim", "self_sym_sizes"), view=True,
       formulas={"self": "grad.unsqueeze(dim)"})
def SQUEEZE_DIM(a, *, dim):
    return a.squeeze(dim) if a.ndim and a.shape[dim] == 1 else a[...]


@defop("squeeze_dims", "SqueezeBackward2", saves=("dim", "self_sym_sizes"), view=True,
       formulas={"self": "grad.reshape(self.sizes())"})
def SQUEEZE_DIMS(a, *, dim):
    drop = tuple(d for d in dim if a.ndim and a.shape[d] == 1)
    return a.squeeze(drop) if drop else a[...]


for _op in (SQUEEZE, SQUEEZE_DIM, SQUEEZE_DIMS):
    _op.derivative(_squeeze_grad)


def squeeze(input: Tensor, *args, dim=None) -> Tensor:
    """squeeze(), squeeze(dim) and squeeze(dims): three overloads, three grad_fns."""
    if args:
        dim = args[0] if len(args) == 1 else tuple(args)
    if dim is None:
        return SQUEEZE(input)
    nd = input.dim()
    if isinstance(dim, (tuple, list)):
        dims = tuple(_wrap_dim(d, nd) for d in int_list("squeeze", "dim", (dim,)))
        for i, d in enumerate(dims):
            if d in dims[:i]:
                raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
        return SQUEEZE_DIMS(input, dim=dims)
    return SQUEEZE_DIM(input, dim=_wrap_dim(dim, nd))


@defop("unsqueeze", "UnsqueezeBackward0", saves=("dim",), view=True,
       formulas={"self": "grad.squeeze(dim)"})
def UNSQUEEZE(a, *, dim):
    # the new dim's stride is what a dim of size 1 at that place would have: size * stride of
    # the dim it lands before, or 1 at the end (NumPy's expand_dims may renumber size-1 strides)
    shape, strides = list(a.shape), [s // a.itemsize for s in a.strides]
    strides.insert(dim, shape[dim] * strides[dim] if dim < a.ndim else 1)
    shape.insert(dim, 1)
    return _restride(a, shape, strides)


UNSQUEEZE.derivative(lambda g, s: g.squeeze(s.dim))


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    return UNSQUEEZE(input, dim=_wrap_dim(dim, input.dim() + 1))


@defop("expand", "ExpandBackward0", saves=("self_sym_sizes",), view=True,
       formulas={"self": "grad.sum_to_size(self.sizes())  # sum over the stretched dims"})
def EXPAND(a, *, size, stride):
    return _restride(a, size, stride)


EXPAND.derivative(lambda g, s: g.sum_to_size(s.self_sym_sizes))


def expand(input: Tensor, *sizes) -> Tensor:
    """A stretched view: size-1 dims (and new leading dims) repeat with stride 0.

    PyTorch's inferExpandGeometry, innermost dim first: a new leading dim of size 1 gets the
    stride it would have if it were real, any stretched dim gets 0.
    """
    if not sizes:
        raise missing_arguments("expand", ["size"])
    sizes = int_list("expand", "size", sizes)
    size, stride = _expanded(input._data.shape, input.stride(), sizes, input.dtype.legacy)
    return EXPAND(input, size=size, stride=stride)


@functools.lru_cache(maxsize=4096)
def _expanded(shape: tuple, strides: tuple, sizes: tuple, legacy: str) -> tuple:
    """(size, stride) of expand(sizes) on a tensor of this shape, strides and dtype (named in
    the errors): a pure function of geometry, cached, as a backward expands the same shapes
    every step (a failure raises, and is not cached)."""
    nd = len(shape)
    if len(sizes) < nd:
        raise RuntimeError(f"expand(torch.{legacy}{{{_shape_str(shape)}}}, "
                           f"size={_shape_str(sizes)}): the number of sizes provided "
                           f"({len(sizes)}) must be greater or equal to the number of dimensions "
                           f"in the tensor ({nd})")
    out_size, out_stride = [0] * len(sizes), [0] * len(sizes)
    for i in range(len(sizes) - 1, -1, -1):
        d = nd - len(sizes) + i
        have = shape[d] if d >= 0 else 1
        stride = strides[d] if d >= 0 else (
            out_size[i + 1] * out_stride[i + 1] if i + 1 < len(sizes) else 0)
        target = sizes[i]
        if target == -1:
            if d < 0:
                raise RuntimeError(f"The expanded size of the tensor (-1) isn't allowed in a "
                                   f"leading, non-existing dimension {i}")
            target = have
        if have != target:
            if have != 1:
                raise RuntimeError(f"The expanded size of the tensor ({target}) must match the "
                                   f"existing size ({have}) at non-singleton dimension {i}.  "
                                   f"Target sizes: {_shape_str(sizes)}.  Tensor sizes: "
                                   f"{_shape_str(shape)}")
            have, stride = target, 0
        out_size[i], out_stride[i] = have, stride
    if any(n < 0 for n in out_size):
        raise RuntimeError("numel: integer multiplication overflow")
    return tuple(out_size), tuple(out_stride)


def broadcast_tensors(*tensors) -> tuple:
    """Each tensor expanded to the common shape (one already of that shape is returned as is)."""
    from .registry import broadcast_shapes, op_failed
    shape = ()
    try:
        for i, t in enumerate(tensors):
            shape = tuple(t.shape) if i == 0 else broadcast_shapes(shape, tuple(t.shape))
    except RuntimeError as error:
        raise op_failed("broadcast_tensors", tensors, error) from None
    return tuple(t if tuple(t.shape) == shape else expand(t, shape) for t in tensors)


def meshgrid(*tensors, indexing: str | None = None) -> tuple:
    """Coordinate grids: each 0-d or 1-d input viewed along its own dim and expanded to all
    (ViewBackward0 under ExpandBackward0, as torch builds them); "xy" swaps the first two
    dims, NumPy's order. Without `indexing`, "ij" and torch's once-per-process warning."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        indexing = "ij"
        caller_warning.warn_once("torch.meshgrid: in an upcoming release, it will be required "
                                 "to pass the indexing argument.")
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    bad = next((t for t in tensors if t.dim() > 1), None)
    if bad is not None:
        raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but "
                           f"got a {bad.dim()}-D tensor of shape {list(bad.shape)}")
    if any(t.dtype is not tensors[0].dtype for t in tensors):
        raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    if indexing not in ("xy", "ij"):
        raise RuntimeError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but '
                           f"received: {indexing}")
    order = list(range(len(tensors)))
    if indexing == "xy" and len(tensors) >= 2:
        order[0], order[1] = 1, 0
    sizes = [tensors[k].numel() for k in order]
    grids = []
    for i, t in enumerate(tensors):
        shape = [1] * len(tensors)
        shape[order.index(i)] = -1
        grids.append(view(t, shape).expand(sizes))
    return tuple(grids)


def resize_(self: Tensor, *sizes, memory_format=None) -> Tensor:
    """Give the tensor a new shape in place (contiguous strides, same storage offset).

    Shrinking keeps the storage, so growing back shows the old values again; growing past the
    storage allocates a bigger one (zeros here, uninitialized memory in PyTorch). Unlike PyTorch,
    other tensors on the old storage do not follow it to the new memory.
    """
    if not sizes:
        raise missing_arguments("resize_", ["size"])
    sizes = int_list("resize_", "size", sizes)
    if self.requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    if any(n < 0 for n in sizes):
        raise RuntimeError("numel: integer multiplication overflow")
    if tuple(sizes) != tuple(self.shape):
        offset = self.storage_offset()
        strides = strides_for(sizes, memory_format if memory_format is not None
                              and memory_format is not preserve_format else None)
        numel = 1
        for n in sizes:
            numel *= n
        storage = self._storage.array
        if numel and offset + numel > storage.size:
            grown = np.zeros(offset + numel, dtype=storage.dtype)
            grown[:storage.size] = storage
            self._storage.array = storage = grown
        self._data = strided_view(storage.view(self._data.dtype), sizes, strides,
                                  offset if numel else 0)
    self._bump_version()
    from .. import observe
    if observe.observers:     # no grad_fn: the memory picture's version table still counts it
        observe.emit(observe.ForwardEvent("resize", (self,), (self,), None, inplace=True))
    return self


def expand_as(input: Tensor, other: Tensor) -> Tensor:
    return expand(input, other.shape)


def broadcast_to(input: Tensor, size) -> Tensor:
    return expand(input, tuple(size))


# ---- select, slice, narrow, unbind, split, chunk ----------------------------------------------
@defop("select", "SelectBackward0", saves=("dim", "index", "self_sym_sizes"), view=True,
       formulas={"self": "zeros(self.sizes()) with [dim][index] = grad"})
def SELECT(a, *, dim, index):
    return a[(slice(None),) * dim + (index, Ellipsis)]  # Ellipsis: a 0-d view, not a scalar


@defop("select_backward", "SelectBackwardBackward0", inputs=("grad_output",),
       saves=("dim", "index"), formulas={"grad_output": "grad.select(dim, index)"})
def SELECT_BACKWARD(g, *, input_sizes, dim, index):
    out = np.zeros(input_sizes, dtype=g.dtype)
    out[(slice(None),) * dim + (index,)] = g
    return out


SELECT.derivative(lambda g, s: SELECT_BACKWARD(g, input_sizes=s.self_sym_sizes, dim=s.dim,
                                               index=s.index))
SELECT_BACKWARD.derivative(lambda g, s: g.select(s.dim, s.index))


def select(input: Tensor, dim: int, index: int) -> Tensor:
    nd = input.dim()
    if nd == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(dim, nd)
    index = int(index)
    size = input.shape[d]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{_shape_str(input.shape)} at dimension {d}")
    return SELECT(input, dim=d, index=index + size if index < 0 else index)


@defop("slice", "SliceBackward0", saves=("dim", "start", "end", "step", "self_sym_sizes"),
       view=True, formulas={"self": "zeros(self.sizes()) with [dim][start:end:step] = grad"})
def SLICE(a, *, dim, start, end, step):
    # start at element `start` even when the slice is empty, with stride * step (as PyTorch)
    first = a[(slice(None),) * dim + (slice(start, None),)]
    shape, strides = list(a.shape), [s // a.itemsize for s in a.strides]
    shape[dim], strides[dim] = len(range(start, end, step)), strides[dim] * step
    return _restride(first, shape, strides)


@defop("slice_backward", "SliceBackwardBackward0", inputs=("grad_output",),
       saves=("dim", "start", "end", "step"),
       formulas={"grad_output": "grad.slice(dim, start, end, step)"})
def SLICE_BACKWARD(g, *, input_sizes, dim, start, end, step):
    out = np.zeros(input_sizes, dtype=g.dtype)
    out[(slice(None),) * dim + (slice(start, end, step),)] = g
    return out


SLICE.derivative(lambda g, s: SLICE_BACKWARD(g, input_sizes=s.self_sym_sizes, dim=s.dim,
                                             start=s.start, end=s.end, step=s.step))
SLICE_BACKWARD.derivative(lambda g, s: SLICE(g, dim=s.dim, start=s.start, end=s.end,
                                             step=s.step))


def slice_dim(input: Tensor, dim: int, start, end, step: int = 1) -> Tensor:
    """input[..., start:end:step, ...] on one dim, with Python's clamping of the bounds."""
    if step <= 0:
        raise ValueError("step must be greater than zero")
    size = input.shape[dim]
    start, end, _ = slice(start, end, step).indices(size)
    end = max(end, start)
    return SLICE(input, dim=dim, start=start, end=end, step=step)


def narrow(input: Tensor, dim: int, start, length: int) -> Tensor:
    if input.dim() == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    d = _wrap_dim(dim, input.dim())
    start = int(start)
    size = input.shape[d]
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], "
                         f"but got {start})")
    if start < 0:
        start += size
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size "
                           f"({size}).")
    return SLICE(input, dim=d, start=start, end=start + length, step=1)


def _wrap_dim_no_scalar(dim: int, ndim: int) -> int:
    """maybe_wrap_dim without the 0-d allowance (unbind, split, chunk)."""
    if ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    return _wrap_dim(dim, ndim)


@defop("unbind", "UnbindBackward0", saves=("dim",), view=True, n_outputs=-1,
       formulas={"self": "stack(grads, dim)"})
def UNBIND(a, *, dim):
    return tuple(a[(slice(None),) * dim + (i, ...)] for i in range(a.shape[dim]))   # views, 0-d too


def _stack_grads(grads, like_shape, dim, dtype):
    from .creation import zeros
    from .joining import stack
    parts = [g if g is not None else zeros(like_shape, dtype=dtype) for g in grads]
    return stack(parts, dim)


UNBIND.derivative(lambda g, s: _stack_grads(g, _part_shape(g), s.dim, _grad_dtype(g)))


def _part_shape(grads):
    return next(g.shape for g in grads if g is not None)


def _grad_dtype(grads):
    return next(g.dtype for g in grads if g is not None)


def unbind(input: Tensor, dim: int = 0) -> tuple:
    d = _wrap_dim_no_scalar(dim, input.dim())
    return _multi(UNBIND, input, input.shape[d], dim=d)


def _multi(op, input: Tensor, n: int, **attrs) -> tuple:
    """Run an op whose number of outputs depends on its input (unbind, split)."""
    return op(input, **attrs)


@defop("split", "SplitBackward0", saves=("dim", "split_size", "self_sym_sizes"), view=True,
       n_outputs=-1, formulas={"self": "cat(grads, dim)"})
def SPLIT(a, *, dim, split_size, sections):
    return tuple(a[(slice(None),) * dim + (slice(b, e),)] for b, e in sections)


@defop("split_with_sizes", "SplitWithSizesBackward0", saves=("dim", "split_sizes",
                                                            "self_sym_sizes"),
       view=True, n_outputs=-1, formulas={"self": "cat(grads, dim)"})
def SPLIT_SIZES(a, *, dim, split_sizes, sections):
    return tuple(a[(slice(None),) * dim + (slice(b, e),)] for b, e in sections)


def _cat_grads(grads, s, sections):
    from .creation import zeros
    from .joining import cat
    shape = list(s.self_sym_sizes)
    dtype = _grad_dtype(grads)
    parts = []
    for g, (b, e) in zip(grads, sections):
        if g is None:
            shape[s.dim] = e - b
            g = zeros(tuple(shape), dtype=dtype)
        parts.append(g)
    return cat(parts, s.dim)


def _sections(sizes) -> list:
    out, b = [], 0
    for n in sizes:
        out.append((b, b + n))
        b += n
    return out


SPLIT.derivative(lambda g, s: _cat_grads(g, s, _sections(_split_sizes(
    s.self_sym_sizes[s.dim], s.split_size))))
SPLIT_SIZES.derivative(lambda g, s: _cat_grads(g, s, _sections(s.split_sizes)))


def _split_sizes(size: int, split_size: int) -> list:
    if size == 0:
        return [0]
    return [min(split_size, size - b) for b in range(0, size, split_size)]


def split(tensor: Tensor, split_size_or_sections, dim: int = 0) -> tuple:
    """split(n): pieces of n (the last may be shorter); split([a, b, ...]): those sizes."""
    if tensor.dim() == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = _wrap_dim(dim, tensor.dim())
    size = tensor.shape[d]
    if _is_int(split_size_or_sections):
        n = int(split_size_or_sections)
        if n < 0:
            raise RuntimeError(f"split expects split_size be non-negative, but got "
                               f"split_size={n}")
        if n == 0 and size != 0:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got "
                               f"dimension size of {size}")
        sizes = _split_sizes(size, n)
        return _multi(SPLIT, tensor, len(sizes), dim=d, split_size=n,
                      sections=_sections(sizes))
    sizes = list(int_list("split_with_sizes", "split_sizes", (split_size_or_sections,)))
    for n in sizes:
        if n < 0:
            raise RuntimeError(f"split_with_sizes expects split_sizes have only non-negative "
                               f"entries, but got split_sizes={_shape_str(sizes)}")
    if sum(sizes) != size:
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {size} "
                           f"(input tensor's size at dimension {d}), but got split_sizes="
                           f"{_shape_str(sizes)}")
    return _multi(SPLIT_SIZES, tensor, len(sizes), dim=d, split_sizes=sizes,
                  sections=_sections(sizes))


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple:
    """split() into pieces of ceil(size / chunks): possibly fewer than `chunks` of them."""
    if isinstance(chunks, bool) or not isinstance(chunks, (int, np.integer)):
        raise TypeError(f"chunk(): argument 'chunks' (position 1) must be int, not "
                        f"{type(chunks).__name__}")
    if input.dim() == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = _wrap_dim(dim, input.dim())
    size = input.shape[d]
    n = -(-size // chunks)
    if n == 0 and size == 0:
        # every piece is empty: PyTorch returns `chunks` of them, split with sizes of 0
        return split(input, [0] * chunks, d)
    return split(input, n, d)


def tensor_split(input: Tensor, indices_or_sections, dim: int = 0) -> tuple:
    """Pieces cut at indices, or `sections` nearly equal pieces: each one a slice."""
    if input.dim() == 0:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a "
                           "tensor with 0 dims")
    d = _wrap_dim(dim, input.dim())
    size = input.shape[d]
    arg = indices_or_sections
    if isinstance(arg, Tensor):
        if arg.dtype is not dtypes.int64:
            raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to have dtype "
                               f"of long, but got {_scalar_name(arg.dtype)}")
        if arg.dim() > 1:
            raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to be a "
                               f"zero-dimensional or one-dimensional tensor, but got a tensor "
                               f"with {arg.dim()} dims")
        arg = int(arg.item()) if arg.dim() == 0 else [int(i) for i in arg.tolist()]
    if _is_int(arg):
        n = int(arg)
        if n <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {n}")
        bounds, b = [], 0
        for i in range(n):
            e = b + size // n + (1 if i < size % n else 0)
            bounds.append((b, e))
            b = e
    else:
        cuts = [0] + list(int_list("tensor_split", "indices", (arg,))) + [size]
        bounds = list(zip(cuts, cuts[1:]))
    return tuple(slice_dim(input, d, b, e) for b, e in bounds)


def _scalar_name(d) -> str:
    from .registry import _scalar_type_name
    return _scalar_type_name(d)


# ---- as_strided and diagonal ------------------------------------------------------------------
@defop("as_strided", "AsStridedBackward0", saves=("size", "stride", "storage_offset"),
       view=True, formulas={"self": "zeros(storage) with the strided positions += grad"})
def AS_STRIDED(a, *, size, stride, storage_offset, storage, self_geometry):
    if 0 in size:  # no element is read: NumPy still wants the offset inside the buffer
        storage_offset = min(storage_offset, storage.size)
    return strided_view(storage, size, stride, storage_offset)


@defop("as_strided_backward", "AsStridedBackwardBackward0", inputs=("grad_output",),
       saves=("input_sizes", "input_strides", "input_offset", "size", "stride",
              "storage_offset"),
       formulas={"grad_output": "grad.as_strided(size, stride, storage_offset)"})
def AS_STRIDED_BACKWARD(g, *, input_sizes, input_strides, input_offset, size, stride,
                        storage_offset):
    # Scatter-add into a flat buffer laid out like the input's storage, then read the input.
    span = storage_offset + 1 + sum((n - 1) * s for n, s in zip(size, stride)) if g.size else 0
    span = max(span, input_offset + 1 + sum((n - 1) * s for n, s in zip(input_sizes,
                                                                          input_strides)))
    flat = np.zeros(span, dtype=g.dtype)
    idx = storage_offset + sum(np.arange(n).reshape((-1,) + (1,) * (len(size) - i - 1)) * s
                               for i, (n, s) in enumerate(zip(size, stride)))
    np.add.at(flat, np.broadcast_to(idx, tuple(size)).ravel(), g.ravel())
    return strided_view(flat, input_sizes, input_strides, input_offset).copy()


@AS_STRIDED_BACKWARD.derivative
def _(gg, s):
    # lay gg out in a buffer the way the input sat in its storage, then read the view from it
    from .creation import zeros
    sizes, strides, offset = s.input_sizes, s.input_strides, s.input_offset
    span = offset + 1 + sum((n - 1) * st for n, st in zip(sizes, strides)) if gg.numel() else 0
    span = max(span, s.storage_offset + 1 + sum((n - 1) * st for n, st in zip(s.size, s.stride)))
    flat = zeros(span, dtype=gg.dtype)
    flat.as_strided(sizes, strides, offset).copy_(gg)
    return flat.as_strided(s.size, s.stride, s.storage_offset)


@AS_STRIDED.derivative
def _(g, s):
    node_input = s.self_geometry
    return AS_STRIDED_BACKWARD(g, input_sizes=node_input[0], input_strides=node_input[1],
                               input_offset=node_input[2], size=s.size, stride=s.stride,
                               storage_offset=s.storage_offset)


AS_STRIDED.saves = AS_STRIDED.saves + ("self_geometry",)


def as_strided(input: Tensor, size, stride, storage_offset=None) -> Tensor:
    """Any view of the input's storage, checked against the storage's bounds as PyTorch does."""
    size = int_list("as_strided", "size", (size,))
    stride = int_list("as_strided", "stride", (stride,))
    offset = input.storage_offset() if storage_offset is None else int(storage_offset)
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    if any(st < 0 for st in stride):
        raise RuntimeError(f"as_strided: Negative strides are not supported at the moment, got "
                           f"strides: {_shape_str(stride)}")
    if any(n < 0 for n in size):
        raise RuntimeError(f"Storage size calculation overflowed with sizes={_shape_str(size)} "
                           f"and strides={_shape_str(stride)}")
    storage = input._storage.array      # read once: what is checked is what is viewed
    item = input._data.itemsize
    needed = 0 if 0 in size else (1 + sum((n - 1) * st for n, st in zip(size, stride))) * item
    have = storage.nbytes
    if needed and needed + offset * item > have:
        raise RuntimeError(f"setStorage: sizes {_shape_str(size)}, strides {_shape_str(stride)}, "
                           f"storage offset {offset}, and itemsize {item} requiring a storage "
                           f"size of {needed + offset * item} are out of bounds for storage of "
                           f"size {have}")
    if offset < 0:
        raise RuntimeError(f"Tensor: invalid storage offset {offset}")
    geometry = (tuple(input.shape), input.stride(), input.storage_offset())
    if input._data.dtype != storage.dtype:  # a view(dtype) of another element type
        storage = storage.view(np.uint8).view(input._data.dtype)
    return AS_STRIDED(input, size=size, stride=stride, storage_offset=offset, storage=storage,
                      self_geometry=geometry)


@defop("diagonal", "DiagonalBackward0", saves=("offset", "dim1", "dim2", "self_sym_sizes"),
       view=True, formulas={"self": "zeros(self.sizes()) with the diagonal = grad"})
def DIAGONAL(a, *, offset, dim1, dim2):
    # np.diagonal returns a read-only view; build the same (writable) strided view directly.
    # as_strided does not check bounds: two distinct dims in range keep the view inside `a`.
    offset, dim1, dim2 = exact_ints((offset, dim1, dim2))
    if dim1 == dim2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    if not (0 <= dim1 < a.ndim and 0 <= dim2 < a.ndim):
        raise IndexError(f"Dimension out of range (expected to be in range of [{-a.ndim}, "
                         f"{a.ndim - 1}], but got {dim1 if not 0 <= dim1 < a.ndim else dim2})")
    start = tuple(slice(-offset, None) if d == dim1 and offset < 0 else
                  slice(offset, None) if d == dim2 and offset > 0 else slice(None)
                  for d in range(a.ndim))
    b = a[start]
    n = max(min(b.shape[dim1], b.shape[dim2]), 0)
    keep = [d for d in range(a.ndim) if d not in (dim1, dim2)]
    return np.lib.stride_tricks.as_strided(
        b, tuple(b.shape[d] for d in keep) + (n,),
        tuple(b.strides[d] for d in keep) + (b.strides[dim1] + b.strides[dim2],))


@DIAGONAL.derivative
def _(g, s):
    from .creation import zeros
    out = zeros(s.self_sym_sizes, dtype=g.dtype)
    if g.numel():
        out.diagonal(s.offset, s.dim1, s.dim2).copy_(g)
    return out


def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    nd = input.dim()
    d1, d2 = _wrap_dim(dim1, nd), _wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return DIAGONAL(input, offset=offset, dim1=d1, dim2=d2)


# ---- unfold ------------------------------------------------------------------------------------
@defop("unfold", "UnfoldBackward0", saves=("dimension", "self_sym_sizes", "size", "step"),
       view=True, formulas={"self": "zeros(self.sizes()) with each window along dimension += "
                                    "its slice of grad"})
def UNFOLD(a, *, dimension, size, step):
    """Windows of `size` every `step` along `dimension`, as a new last dim: a view whose
    windowed dim strides step elements and whose new dim strides as `dimension` did."""
    if a.ndim == 0:
        return np.lib.stride_tricks.as_strided(a, (1,), (a.itemsize,))
    count = (a.shape[dimension] - size) // step + 1
    shape = a.shape[:dimension] + (count,) + a.shape[dimension + 1:] + (size,)
    strides = list(a.strides)
    strides[dimension] *= step
    return np.lib.stride_tricks.as_strided(a, shape, tuple(strides) + (a.strides[dimension],))


@UNFOLD.derivative
def _(g, s):
    from .creation import zeros
    out = zeros(s.self_sym_sizes, dtype=g.dtype)
    if not s.self_sym_sizes:          # a 0-dim input: its one window
        return out + g.reshape(())
    dim, size, step = s.dimension, s.size, s.step
    for i in range(g.shape[dim]):     # each window adds its slice back where it was cut
        window = g.select(dim, i).movedim(-1, dim)
        out.narrow(dim, i * step, size).add_(window)
    return out


def unfold(input: Tensor, dimension: int, size: int, step: int) -> Tensor:
    for k, (name, value) in enumerate((("dimension", dimension), ("size", size),
                                        ("step", step)), start=1):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"unfold(): argument '{name}' (position {k}) must be int, not "
                            f"{type(value).__name__}")
    nd = input.dim()
    dim = _wrap_dim(dimension, nd)
    length = input.shape[dim] if nd else 1
    if size > length:
        raise RuntimeError(f"maximum size for tensor at dimension {dim} is {length} but size is "
                           f"{size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    return UNFOLD(input, dimension=dim, size=int(size), step=int(step))


# ---- copies: clone, contiguous, to, copy_ ------------------------------------------------------
def copy_strides(shape, strides, memory_format) -> tuple:
    """The strides of a copy in `memory_format`: preserve keeps a dense layout as it is and
    otherwise keeps the order of the dims (PyTorch's empty_like)."""
    if memory_format is preserve_format or memory_format is None:
        return dense_strides_like(shape, strides)
    return strides_for(shape, memory_format)


def _copy_into(a: np.ndarray, strides, dtype=None) -> np.ndarray:
    out = empty_strided_np(a.shape, strides, dtype or a.dtype)
    np.copyto(out, a, casting="unsafe")
    return out


@defop("clone", "CloneBackward0", formulas={"self": "grad"})
def CLONE(a, *, memory_format, strides):
    return _copy_into(a, strides)


CLONE.derivative(lambda g, s: g)


def clone(input: Tensor, *, memory_format=preserve_format) -> Tensor:
    strides = copy_strides(input.shape, input.stride(), memory_format)
    return with_strides(CLONE(input, memory_format=memory_format, strides=strides), strides)


def contiguous(input: Tensor, memory_format=contiguous_format) -> Tensor:
    if input.is_contiguous(memory_format=memory_format):
        return input
    if memory_format is preserve_format:
        raise RuntimeError("preserve memory format is unsupported by the contiguous operator")
    return clone(input, memory_format=memory_format)


@defop("_to_copy", "ToCopyBackward0", formulas={"self": "grad.to(self.dtype)"})
def TO_COPY(a, *, dtype, strides):
    return _copy_into(a, strides, dtype)


TO_COPY.derivative(lambda g, s: g)


def to(input: Tensor, *args, dtype=None, device=None, non_blocking=False, copy=False,
       memory_format=preserve_format) -> Tensor:
    """Tensor.to(dtype), .to(device), .to(other), .to(device, dtype): the CPU, or the meta
    device (shapes without data; nothing comes back from it).

    Nothing to change returns the input itself; anything else is one _to_copy."""
    from ..device import check_cpu, is_meta
    for a in args:
        if isinstance(a, dtypes.dtype):
            dtype = a
        elif isinstance(a, Tensor):
            dtype, device = a.dtype, a.device
        elif a is not None and not isinstance(a, bool):
            device = a
    to_meta = is_meta(device)
    if not to_meta:
        check_cpu(device)
        if device is not None and input._meta is not None:
            from .meta import no_data
            raise no_data()
    dtype = input.dtype if dtype is None else dtype
    dtypes.check_supported(dtype)
    fits = memory_format is preserve_format or input.is_contiguous(memory_format=memory_format)
    moves = to_meta and input._meta is None
    if dtype is input.dtype and fits and not copy and not moves and not _indexed(device):
        return input
    strides = copy_strides(input.shape, input.stride(), memory_format)
    if moves:
        from .meta import to_meta as copy_to_meta
        return copy_to_meta(TO_COPY, input, dtype=dtype.np, strides=strides)
    return with_strides(TO_COPY(input, dtype=dtype.np, strides=strides), strides)


def _indexed(device) -> bool:
    """Whether a device argument names an index ('cpu:0'): torch compares it with the tensor's
    device, which has none, so `.to('cpu:0')` copies where `.to('cpu')` returns the input."""
    from ..device import device as Device
    if device is None or isinstance(device, int):
        return False
    return (device if isinstance(device, Device) else Device(str(device))).index is not None


_LEGACY = {d.legacy: d for d in dtypes.ALL}


def type_(input: Tensor, dtype=None, non_blocking: bool = False, **kwargs):
    """Tensor.type(): the legacy type name, or a conversion to the given dtype or type name."""
    if dtype is None:
        return "torch." + input.dtype.legacy
    if getattr(dtype, "is_cuda", False) or isinstance(dtype, str) and ".cuda." in dtype:
        from ..cuda import NO_ATEN_CUDA
        raise RuntimeError(NO_ATEN_CUDA)
    if isinstance(dtype, str):
        name = dtype.split(".")[-1]
        if name not in _LEGACY:
            raise ValueError(f"invalid type: '{dtype}'")
        dtype = _LEGACY[name]
    elif isinstance(dtype, type) and hasattr(dtype, "_legacy_dtype"):
        dtype = dtype._legacy_dtype
    return to(input, dtype)


def type_as(input: Tensor, other: Tensor) -> Tensor:
    return to(input, other.dtype)


@defop("copy_", "CopyBackwards", inputs=("self", "src"),
       formulas={"self": "0", "src": "grad.to(src.dtype).sum_to_size(src.sizes())"})
def COPY(a, b, *, _broadcast=None):
    return np.broadcast_to(b, a.shape).astype(a.dtype, copy=False)


COPY.derivative(lambda g, s: (g * 0, g))


def copy_(self: Tensor, src, non_blocking: bool = False) -> Tensor:
    from .registry import broadcast_shapes, operand
    src = operand(src)
    shape = broadcast_shapes(self._data.shape, src._data.shape)
    if shape != self._data.shape:
        raise RuntimeError(f"output with shape {_shape_str(self.shape)} doesn't match the "
                           f"broadcast shape {_shape_str(shape)}")
    if not self.dtype.is_floating_point:  # an integer result has no gradient: no history
        from ..autograd.grad_mode import no_grad
        with no_grad():
            return run_inplace(COPY, self, (src,), {"_broadcast": shape})
    return run_inplace(COPY, self, (src,), {"_broadcast": shape})


def copy_into_out(out: Tensor, result: Tensor, name: str | None = None) -> Tensor:
    """The `out=` argument: resize an empty out, then copy (no autograd through out=). The
    refusal names the op torch's out= kernel is (`name`, else the one that made result).
    `out` must be a tensor: its private fields are read and, when it is resized, written."""
    if not isinstance(out, Tensor):
        prefix = f"{name}(): " if name else ""
        raise TypeError(f"{prefix}argument 'out' must be Tensor, not {type(out).__name__}")
    if result.requires_grad or (out.requires_grad and is_grad_enabled()):
        raise RuntimeError(f"{name or _op_name(result)}(): functions with out=... arguments "
                           "don't support automatic differentiation, but one of the arguments "
                           "requires grad.")
    if out.shape != result.shape:
        if out.numel() != 0:
            raise RuntimeError(f"output with shape {_shape_str(out.shape)} doesn't match the "
                               f"broadcast shape {_shape_str(result.shape)}")
        fresh = Tensor._from_array(np.empty(result.shape, dtype=out.dtype.np))
        out._data, out._storage = fresh._data, fresh._storage
    np.copyto(out._data, result._data, casting="unsafe")
    out._bump_version()
    return out


def _op_name(t: Tensor) -> str:
    op = getattr(t.grad_fn, "_op", None)
    return op.name if op is not None else "op"


# ---- in-place ops on views -------------------------------------------------------------------
class CopySlices(OpNode):
    """The base's grad_fn after one of its views was modified in place.

    Backward: the gradient of the base passes through unchanged except in the view's region,
    where the in-place op's own backward (fn) is applied; fn's other inputs get its other grads.
    """

    _op = None

    def __init__(self, fn, base_shape, base_strides, base_dtype, size, stride, offset) -> None:
        super().__init__()
        self.fn = fn
        self._geometry = (tuple(size), tuple(stride), offset)
        self._base_meta = (tuple(base_shape), tuple(base_strides), base_dtype)

    def apply(self, grad_outputs: tuple) -> tuple:
        from .creation import empty_strided
        grad = grad_outputs[0]
        size, stride, offset = self._geometry
        base_shape, base_strides, base_dtype = self._base_meta
        # laid out like the base, so the view's strides and offset find the same elements
        result = empty_strided(base_shape, base_strides, dtype=grad.dtype,
                               device="meta" if grad._meta is not None else None)
        result.copy_(grad)
        region = result.as_strided(size, stride, offset)
        fn_grads = self.fn.apply((region.clone(),))
        first = fn_grads[0]
        if first is None:
            region.zero_()
        else:
            region.copy_(first)
        return (result,) + tuple(fn_grads[1:])

    def release(self) -> None:
        self.fn.release()


def copy_slices(view_t: Tensor, node) -> None:
    """Make the in-place `node` on view `view_t` part of its base's history (CopySlices)."""
    base = view_t._base
    base_edge = base._edge()
    base_offset = base.storage_offset()
    cs = CopySlices(node, base.shape, base.stride(), base.dtype, view_t.shape, view_t.stride(),
                    view_t.storage_offset() - base_offset)
    cs.next_functions = (base_edge,) + tuple(node.next_functions[1:])
    cs._input_meta = ((tuple(base.shape), base.dtype),) + tuple(node._input_meta[1:])
    base._set_history(cs, 0)
    view_t._grad_fn = None
    view_t._view_version = -1  # stale: the next grad_fn access regenerates it from the base


def regenerate_view_grad_fn(view_t: Tensor):
    """A view's history after its base changed in place: as_strided of the base's new history."""
    base = view_t._base
    base_offset = base.storage_offset()
    node = AS_STRIDED.node_cls()
    node.next_functions = (base._edge(),)
    node._input_meta = ((tuple(base.shape), base.dtype),)
    node._saved = {"size": tuple(view_t.shape), "stride": view_t.stride(),
                   "storage_offset": view_t.storage_offset() - base_offset,
                   "self_geometry": (tuple(base.shape), base.stride(), 0)}
    view_t._grad_fn = node
    view_t._output_nr = 0
    view_t._view_version = view_t._vc[0]
    return node


# ---- in-place shape methods: unsqueeze_, squeeze_, t_, transpose_ ---------------------------
# The tensor itself takes the view's shape and strides over the same memory. PyTorch names their
# grad_fns apart from the out-of-place ones (the same formulas): UnsqueezeBackward1, TBackward1,
# TransposeBackward1, and SqueezeBackward3/4/5 for squeeze()/squeeze(dim)/squeeze(dims).
_INPLACE_NODE_NAMES = {"UnsqueezeBackward0": "UnsqueezeBackward1", "TBackward0": "TBackward1",
                       "TransposeBackward0": "TransposeBackward1",
                       "SqueezeBackward0": "SqueezeBackward3",
                       "SqueezeBackward1": "SqueezeBackward4",
                       "SqueezeBackward2": "SqueezeBackward5"}
_INPLACE_NODE_CLASSES: dict = {}


def _inplace_node_class(node) -> type:
    name = _INPLACE_NODE_NAMES[type(node).__name__]
    if name not in _INPLACE_NODE_CLASSES:
        _INPLACE_NODE_CLASSES[name] = type(name, (type(node),), {"__module__":
                                                                  "torch.autograd.graph"})
    return _INPLACE_NODE_CLASSES[name]


def _restride_inplace(name: str, target: Tensor, view_fn, *args) -> Tensor:
    """target becomes view_fn(target, *args), in place: same storage, new shape and strides,
    its version bumped, and (when recorded) the view's node as its grad_fn. An observer sees
    one in-place op on target, not the view made on the way."""
    from .. import observe
    from ..autograd import grad_mode
    from .registry import check_inplace_allowed
    if grad_mode._state.enabled and target.requires_grad:
        check_inplace_allowed(target)
    target._storage   # (made now, from the memory as it was: the new _data is a view of it)
    watching = observe.observers[:]
    observe.observers.clear()
    try:
        result = view_fn(target, *args)
    finally:
        observe.observers[:] = watching
    node = result._grad_fn
    target._data = result._data
    if result._meta is not None:
        target._meta = result._meta
    target._vc[0] += 1
    if node is not None:
        node.__class__ = _inplace_node_class(node)
        target._set_history(node, 0)
    if observe.observers:
        observe.emit(observe.ForwardEvent(name, (target,), (target,), node, inplace=True))
    return target


def unsqueeze_(input: Tensor, dim: int) -> Tensor:
    return _restride_inplace("unsqueeze", input, unsqueeze, dim)


def squeeze_(input: Tensor, *args, dim=None) -> Tensor:
    return _restride_inplace("squeeze", input, lambda t: squeeze(t, *args, dim=dim))


def transpose_(input: Tensor, dim0: int, dim1: int) -> Tensor:
    return _restride_inplace("transpose", input, transpose, dim0, dim1)


def _t_checked(input: Tensor) -> Tensor:
    if input.dim() > 2:
        raise RuntimeError(f"t_() expects a tensor with <= 2 dimensions, but self is "
                           f"{input.dim()}D")
    return t(input)


def t_(input: Tensor) -> Tensor:
    return _restride_inplace("t", input, _t_checked)   # (a leaf is refused before the dims)


for _fn in (unsqueeze_, squeeze_, transpose_, t_):
    expose(_fn, function=False)


for _fn in (reshape, flatten, unflatten, transpose, t, permute, movedim, squeeze, unsqueeze,
            broadcast_to, select, narrow, unbind, split, chunk, tensor_split, as_strided,
            diagonal, clone):
    expose(_fn)
for _fn in (view, view_as, reshape_as, expand, expand_as, contiguous, to, type_as, copy_):
    expose(_fn, function=False)                 # Tensor methods that torch.<name> lacks
def swapaxes(input: Tensor, axis0: int, axis1: int) -> Tensor:
    """transpose under NumPy's name, with NumPy's argument names (as torch binds it)."""
    return transpose(input, axis0, axis1)


expose(swapaxes)
for _name, _fn in (("swapdims", transpose), ("moveaxis", movedim)):
    expose(_fn, _name)
expose(type_, "type", function=False)
expose(resize_, function=False)
expose(unfold, function=False)
expose(broadcast_tensors, method=False)
expose(meshgrid, method=False)
