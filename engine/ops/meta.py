"""The meta device: tensors with a shape, dtype and strides but no data (PyTorch's `meta`).

Tutorials use it to reason about shapes: build a model on meta, push a meta batch through it,
read the shapes, and no memory is spent on values. A meta tensor here is an ordinary Tensor
whose `_data` is a stand-in: a read-only NumPy array of its shape and dtype with every stride 0
(one element of memory, whatever the shape), marked so that any NumPy arithmetic on it raises.
Its real strides and storage offset live in `_meta`; its storage is a stand-in of its size.

Ops reach this module only through the registry: `registry.run` and `run_inplace` check one
module flag, `registry.META_SEEN`, set when the first meta tensor is made, so with no meta
tensor in the process an op costs nothing extra. An op on meta tensors computes its outputs'
shapes, dtypes and strides from a rule below, then records its grad_fn like any op.

The rules:
- views compute their shape, strides and storage offset as the CPU views do;
- ops whose every result dim is one of their inputs' dims (pointwise ops, reductions, softmax,
  matrix products, losses, ...) run on a scale model: each input rebuilt with small sizes
  (every distinct size above SMALL gets its own small size, in the same order) and the same
  layout, then each result dim is read back as the size it stands for. The op's own forward
  decides dtypes, which dims survive, and the layout, so no shape rule is written twice;
- the rest (conv, pooling, cat, copies, ...) have a shape rule each.
An op with no rule raises NotImplementedError in PyTorch's words for an op that has no meta
kernel; ops whose result depends on values (nonzero, unique, masked_select) raise PyTorch's.
"""
from __future__ import annotations

import math

import numpy as np

from .. import dtypes
from ..memory_format import (dense_strides_like, is_contiguous, strides_for,
                             suggest_memory_format)
from ..tensor import Tensor, UntypedStorage
from . import registry

__all__ = ["empty", "empty_strided", "from_shape_of", "layout_like", "involved", "outputs",
           "inplace_result", "to_meta", "input_grads", "no_data", "no_kernel"]

SMALL = 4   # sizes up to this stay as they are in a scale model


class MetaArray(np.ndarray):
    """The stand-in for a meta tensor's data: shape and dtype only. NumPy arithmetic on it
    raises, so no code path computes numbers from a meta tensor by accident."""

    def __array_ufunc__(self, *args, **kwargs):
        raise no_data()

    def __array_function__(self, func, types, args, kwargs):
        if func in _VALUE_SHAPED:   # a mask's indices: PyTorch's own refusal
            raise NotImplementedError(NONZERO)
        raise no_data()


_VALUE_SHAPED = (np.nonzero, np.count_nonzero, np.flatnonzero, np.argwhere)


def no_data() -> NotImplementedError:
    return NotImplementedError("Cannot copy out of meta tensor; no data!")


class MetaStorage(UntypedStorage):
    """A meta tensor's storage: its size in bytes, and no memory (its data_ptr is 0)."""

    __slots__ = ()

    def data_ptr(self) -> int:
        return 0

    def __repr__(self) -> str:
        return f"...\n[torch.storage.UntypedStorage(device=meta) of size {self.nbytes()}]"


_ZERO = {}


def standin(shape, dtype: dtypes.dtype) -> np.ndarray:
    """A read-only array of `shape` and dtype in one element of memory (every stride 0)."""
    zero = _ZERO.get(dtype)
    if zero is None:
        zero = _ZERO[dtype] = np.zeros((), dtype.np)
    return np.lib.stride_tricks.as_strided(zero, tuple(shape), (0,) * len(shape),
                                           writeable=False).view(MetaArray)


def _tensor(shape, dtype: dtypes.dtype, strides, storage_numel: int) -> Tensor:
    """A new meta tensor with its own (stand-in) storage of `storage_numel` elements."""
    registry.META_SEEN = True
    t = object.__new__(Tensor)
    t._data = standin(shape, dtype)
    t._storage_cell = MetaStorage(standin((storage_numel,), dtype))
    t.dtype = dtype
    t._base = None
    t._vc = [0]
    t._init_autograd()
    t._meta = (tuple(strides), 0)
    return t


def empty_strided(shape, strides, dtype: dtypes.dtype) -> Tensor:
    shape, strides = tuple(int(n) for n in shape), tuple(int(s) for s in strides)
    numel = math.prod(shape)
    if numel * dtype.itemsize >= 2 ** 63 or any(n < 0 for n in shape):
        raise RuntimeError(f"Storage size calculation overflowed with sizes={list(shape)}")
    span = 1 + sum((n - 1) * s for n, s in zip(shape, strides)) if numel else 0
    return _tensor(shape, dtype, strides, span)


def empty(shape, dtype: dtypes.dtype, memory_format=None) -> Tensor:
    return empty_strided(shape, strides_for(tuple(shape), memory_format), dtype)


def from_shape_of(t: Tensor) -> Tensor:
    """A meta tensor with t's shape and dtype (a factory's result moved to meta)."""
    return empty(t._data.shape, t.dtype)


def _view(base: Tensor, shape, strides, offset: int) -> Tensor:
    out = base._make_view(standin(shape, base.dtype))
    out._meta = (tuple(strides), offset)
    return out


def view_dtype(t: Tensor, dtype: dtypes.dtype) -> Tensor:
    """t's bytes read as `dtype` (checked by the caller): the last dim and every stride and
    the offset scale by the ratio of the element sizes."""
    shape, strides, offset = _layout(t)
    old, new = t.dtype.itemsize, dtype.itemsize
    if old != new and shape:
        shape = shape[:-1] + (shape[-1] * old // new,)
        strides = tuple(s * old // new for s in strides[:-1]) + (1,)
        offset = offset * old // new
    out = t._make_view(standin(shape, dtype))
    out.dtype = dtype
    out._meta = (tuple(strides), offset)
    return out


def _layout(t: Tensor) -> tuple:
    """(shape, strides, storage offset) of a meta tensor."""
    strides, offset = t._meta
    return t._data.shape, strides, offset


# ---- devices ------------------------------------------------------------------------------------
def involved(tensors, attrs) -> bool:
    """Whether an op runs on the meta device: an input is there, or it copies to it."""
    if "_to_meta" in attrs:
        return True
    for t in tensors:      # a non-tensor goes on to the CPU path, which refuses it as torch does
        if isinstance(t, Tensor) and t._meta is not None:
            return True
    return False


def _check_devices(tensors) -> None:
    """PyTorch's TensorIterator check: every operand on one device, but a CPU tensor of 0 dims
    (a number) goes with any. The first operand that is not such a number sets the device."""
    expected = None
    for t in tensors:
        if t is None or (t._meta is None and t._data.ndim == 0):
            continue
        device = "meta" if t._meta is not None else "cpu"
        if expected is None:
            expected = device
        elif device != expected:
            raise RuntimeError(f"Tensor on device {device} is not on the expected device "
                               f"{expected}!")


# Matrix products and convolution check no devices when the first operand is meta: torch's
# meta kernels compute the shape from any operands. addmm compares only its bias with mat1.
_NO_DEVICE_CHECK = frozenset({"mm", "bmm", "mv", "dot", "convolution"})


def _devices_checked(op, tensors: tuple) -> None:
    first = tensors[0]
    if op.name == "copy_":   # into a meta tensor anything goes; out of one, nothing
        if first._meta is None:
            raise no_data()
    elif op.name == "addmm":
        _check_devices((tensors[1], tensors[0]))
    elif not (op.name in _NO_DEVICE_CHECK and first is not None and first._meta is not None):
        _check_devices(tensors)


# ---- outputs of an op ---------------------------------------------------------------------------
def outputs(op, tensors: tuple, attrs: dict) -> tuple:
    """The output tensors of `op` on `tensors` when one of them is on meta."""
    _devices_checked(op, tensors)
    if op.name in _REFUSED:
        raise NotImplementedError(_REFUSED[op.name])
    rule = RULES.get(op.name)
    if rule is None:
        if not _scaled(op):
            raise NotImplementedError(
                f"aten::{op.name}: attempted to run this operator with Meta tensors, but there "
                "was no fake impl or Meta kernel registered (Autograd Explorer has no meta rule "
                "for it)")
        rule = scale_model
    out = rule(op, tensors, attrs)
    return out if isinstance(out, tuple) else (out,)


def inplace_result(op, target: Tensor, others: tuple, attrs: dict) -> np.ndarray:
    """What an in-place op's result would be, as a stand-in: run_inplace checks its shape and
    dtype against the target's, as for data."""
    (result, *_) = outputs(op, (target,) + tuple(others), attrs)
    return result._data


def to_meta(op, t: Tensor, **attrs) -> Tensor:
    """t copied to the meta device (Tensor.to('meta')): op (_to_copy) recorded as usual, its
    result a meta tensor."""
    registry.META_SEEN = True
    return registry.run(op, t, _to_meta=True, **attrs)


def input_grads(node) -> tuple:
    """The gradients a grad_fn sends its inputs when the gradient arriving is on meta: each
    one has its input's shape and dtype, which is all a meta gradient has. (So no backward
    formula runs: some read values, and none would change a shape.)"""
    return tuple(None if edge[0] is None or meta is None else empty(meta[0], meta[1])
                 for edge, meta in zip(node.next_functions, node._input_meta))


# ---- the scale model ----------------------------------------------------------------------------
def scale_model(op, tensors: tuple, attrs: dict) -> tuple:
    """Run op on small copies of its inputs, then read each result's dims back as the sizes
    they stand for (see the module docstring). Only for ops in SCALED: each result dim is one
    of the inputs' dims, or 1."""
    sizes = sorted({n for t in tensors if t is not None for n in t._data.shape if n > SMALL})
    small = {n: SMALL + 1 + i for i, n in enumerate(sizes)}
    real = {v: n for n, v in small.items()}
    probes = [None if t is None else _probe(t, small) for t in tensors]
    with np.errstate(all="ignore"):
        result = op.forward(*probes, **attrs)
    results = (result,) if op.n_outputs == 1 else tuple(result)
    return tuple(_scaled_back(np.asarray(r), real) for r in results)


def _probe(t: Tensor, small: dict) -> np.ndarray:
    """A small array of ones standing for meta tensor t: the sizes mapped by `small`, the dims
    laid out in t's order, a stretched dim (stride 0) still stretched. (A CPU number, which
    goes with meta tensors, is itself.)"""
    if t._meta is None:
        return t._data
    shape, strides, _ = _layout(t)
    probe_shape = tuple(small.get(n, n) for n in shape)
    probe_strides, step = [0] * len(shape), 1
    for d in sorted(range(len(shape)), key=lambda d: (strides[d], -d)):
        if strides[d] == 0 and shape[d] > 1:
            continue
        probe_strides[d] = step
        step *= probe_shape[d]
    item = t._data.itemsize
    return np.lib.stride_tricks.as_strided(np.ones(step, t.dtype.np), probe_shape,
                                           tuple(s * item for s in probe_strides),
                                           writeable=False)


def _scaled_back(r: np.ndarray, real: dict) -> Tensor:
    shape = []
    for n in r.shape:
        if n > SMALL and n not in real:
            raise NotImplementedError("a meta result's size could not be worked out")
        shape.append(real.get(n, n))
    probe = Tensor._from_array(r)   # laid out as the CPU engine lays out this result
    return empty_strided(shape, _same_order(shape, probe), dtypes.from_numpy_dtype(r.dtype))


def _same_order(shape, probe: Tensor) -> tuple:
    """Dense strides for `shape` that order the dims as the probe's result orders its own."""
    like = probe.stride()
    if is_contiguous(probe.shape, like):
        return strides_for(tuple(shape))
    strides, step = [0] * len(shape), 1
    for d in sorted(range(len(shape)), key=lambda d: (like[d], -d)):
        strides[d] = step
        step *= max(shape[d], 1)
    return tuple(strides)


# Every result dim is one of the inputs' dims (or 1): the scale model finds the shapes. So
# too for every op of engine/ops/pointwise (see _scaled).
SCALED = frozenset({
    "add_scalar", "tanh_backward", "sigmoid_backward", "threshold", "leaky_relu", "elu",
    "gelu", "silu", "softplus", "mse_loss", "mse_loss_backward", "smooth_l1_loss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits",
    "max", "min", "max_dim", "min_dim", "amax", "amin", "aminmax", "argmax", "argmin",
    "sum", "sum_dim", "nansum", "mean", "mean_dim", "prod", "prod_dim", "all", "any",
    "var", "std", "var_mean", "std_mean", "linalg_vector_norm", "logsumexp",
    "cumsum", "cumprod", "cummax", "cummin", "logcumsumexp",
    "softmax", "log_softmax", "_softmax_backward_data", "_log_softmax_backward_data",
    "_safe_softmax", "sort", "sort_stable", "mode", "median", "median_dim", "nanmedian",
    "nanmedian_dim", "mm", "bmm", "mv", "dot", "addmm", "baddbmm", "trace", "tril", "triu",
    "fill", "fill_tensor", "zero", "copy_", "linalg_det", "linalg_inv_ex", "dist",
    "_euclidean_dist", "_cdist_forward", "roll", "linalg_cross"})
_POINTWISE = __package__ + ".pointwise"


def _scaled(op) -> bool:
    return op.name in SCALED or op.forward.__module__.startswith(_POINTWISE)


# What PyTorch raises for ops whose result's shape depends on the values.
NONZERO = ("The register_meta function for torch.nonzero() raises unimplemented by default, as "
           "a correct data-independent implementation does not exist. This implementation "
           "returns a fake value, assuming all elements of the tensor are non-zero. To enable "
           "this registration, please set "
           "'torch.fx.experimental._config.meta_nonzero_assume_all_nonzero' to True.")


def no_kernel(name: str) -> str:
    return (f"aten::{name}: attempted to run this operator with Meta tensors, but there was no "
            "fake impl or Meta kernel registered. You may have run into this message while "
            "using an operator with PT2 compilation APIs (torch.compile/torch.export); in "
            "order to use this operator with those APIs you'll need to add a fake impl. Please "
            "see the following for next steps:  "
            "https://pytorch.org/tutorials/advanced/custom_ops_landing_page.html")


_REFUSED = {"unique": no_kernel("_unique2"), "unique_dim": no_kernel("unique_dim"),
            "masked_select": no_kernel("masked_select")}


# ---- shape rules --------------------------------------------------------------------------------
RULES: dict = {}


def rule(*names: str):
    def register(fn):
        for name in names:
            RULES[name] = fn
        return fn
    return register


@rule("view", "_reshape_alias", "expand")
def _restrided(op, tensors, attrs):
    return _view(tensors[0], attrs["size"], attrs["stride"], _layout(tensors[0])[2])


@rule("as_strided")
def _as_strided(op, tensors, attrs):
    return _view(tensors[0], attrs["size"], attrs["stride"], attrs["storage_offset"])


@rule("alias")
def _alias(op, tensors, attrs):
    return _view(tensors[0], *_layout(tensors[0]))


@rule("transpose", "transpose_")
def _transpose(op, tensors, attrs):
    return _permuted(tensors[0], _swapped(tensors[0].dim(), attrs["dim0"], attrs["dim1"]))


@rule("t")
def _t(op, tensors, attrs):
    return _permuted(tensors[0], tuple(range(tensors[0].dim()))[::-1])


@rule("permute")
def _permute(op, tensors, attrs):
    return _permuted(tensors[0], attrs["dims"])


def _swapped(ndim: int, d0: int, d1: int) -> tuple:
    order = list(range(ndim))
    if ndim:
        order[d0], order[d1] = order[d1], order[d0]
    return tuple(order)


def _permuted(t: Tensor, order) -> Tensor:
    shape, strides, offset = _layout(t)
    return _view(t, [shape[d] for d in order], [strides[d] for d in order], offset)


@rule("squeeze", "squeeze_dim", "squeeze_dims", "squeeze_")
def _squeeze(op, tensors, attrs):
    shape, strides, offset = _layout(tensors[0])
    dims = attrs.get("dim", tuple(range(len(shape))))
    dims = (dims,) if isinstance(dims, int) else dims
    keep = [d for d in range(len(shape)) if not (d in dims and shape[d] == 1)]
    return _view(tensors[0], [shape[d] for d in keep], [strides[d] for d in keep], offset)


@rule("unsqueeze")
def _unsqueeze(op, tensors, attrs):
    shape, strides, offset = _layout(tensors[0])
    d = attrs["dim"]   # the stride a size-1 dim would have there (as the CPU view)
    stride = shape[d] * strides[d] if d < len(shape) else 1
    return _view(tensors[0], shape[:d] + (1,) + shape[d:], strides[:d] + (stride,) + strides[d:],
                 offset)


@rule("select")
def _select(op, tensors, attrs):
    return _selected(tensors[0], attrs["dim"], attrs["index"])


def _selected(t: Tensor, d: int, index: int) -> Tensor:
    shape, strides, offset = _layout(t)
    return _view(t, shape[:d] + shape[d + 1:], strides[:d] + strides[d + 1:],
                 offset + index * strides[d])


@rule("slice")
def _slice(op, tensors, attrs):
    return _sliced(tensors[0], attrs["dim"], attrs["start"], attrs["end"], attrs["step"])


def _sliced(t: Tensor, d: int, start: int, end: int, step: int = 1) -> Tensor:
    shape, strides, offset = _layout(t)
    shape, steps = list(shape), list(strides)
    shape[d], steps[d] = len(range(start, end, step)), strides[d] * step
    return _view(t, shape, steps, offset + start * strides[d])


@rule("unbind")
def _unbind(op, tensors, attrs):
    t, d = tensors[0], attrs["dim"]
    return tuple(_selected(t, d, i) for i in range(t.shape[d]))


@rule("split", "split_with_sizes")
def _split(op, tensors, attrs):
    return tuple(_sliced(tensors[0], attrs["dim"], b, e) for b, e in attrs["sections"])


@rule("diagonal")
def _diagonal(op, tensors, attrs):
    shape, strides, offset = _layout(tensors[0])
    k, d1, d2 = attrs["offset"], attrs["dim1"], attrs["dim2"]
    start = offset + (k * strides[d2] if k >= 0 else -k * strides[d1])
    n = max(min(shape[d1] + min(k, 0), shape[d2] - max(k, 0)), 0)
    keep = [d for d in range(len(shape)) if d not in (d1, d2)]
    return _view(tensors[0], [shape[d] for d in keep] + [n],
                 [strides[d] for d in keep] + [strides[d1] + strides[d2]], start if n else offset)


@rule("clone", "flip")
def _copy(op, tensors, attrs):
    return empty_strided(tensors[0].shape, attrs["strides"], tensors[0].dtype)


@rule("_to_copy")
def _to_copy(op, tensors, attrs):
    return empty_strided(tensors[0].shape, attrs["strides"],
                         dtypes.from_numpy_dtype(attrs["dtype"]))


@rule("_unsafe_view")
def _unsafe_view(op, tensors, attrs):
    return empty(attrs["size"], tensors[0].dtype)


@rule("cat")
def _cat(op, tensors, attrs):
    return empty_strided(attrs["shape"], attrs["strides"], dtypes.from_numpy_dtype(attrs["dtype"]))


@rule("stack")
def _stack(op, tensors, attrs):
    shape = list(tensors[0].shape)
    shape.insert(attrs["dim"], len(tensors))
    return empty_strided(shape, attrs["strides"], dtypes.from_numpy_dtype(attrs["dtype"]))


@rule("repeat")
def _repeat(op, tensors, attrs):
    repeats = attrs["repeats"]
    shape = (1,) * (len(repeats) - tensors[0].dim()) + tuple(tensors[0].shape)
    return empty([n * r for n, r in zip(shape, repeats)], tensors[0].dtype)


@rule("select_backward", "slice_backward", "as_strided_backward")
def _scatter_back(op, tensors, attrs):
    return empty(attrs["input_sizes"], tensors[0].dtype)


@rule("index")
def _index(op, tensors, attrs):
    if attrs.get("shape") is None:
        raise NotImplementedError(no_kernel("index"))
    return empty_strided(attrs["shape"], attrs["strides"], tensors[0].dtype)


@rule("unsafe_split")
def _unsafe_split(op, tensors, attrs):
    x, d, step = tensors[0], attrs["dim"], attrs["split_size"]
    shape, size = list(x.shape), x.shape[attrs["dim"]]
    return tuple(empty(shape[:d] + [min(step, size - b)] + shape[d + 1:], x.dtype)
                 for b in range(0, size, step))


@rule("embedding")
def _embedding(op, tensors, attrs):
    weight = tensors[0]
    return empty(tuple(attrs["indices"].shape) + tuple(weight.shape[1:]), weight.dtype)


@rule("nll_loss")
def _nll_loss(op, tensors, attrs):
    x = tensors[0]
    shape = () if attrs["reduction"] != "none" else tuple(attrs["target"].shape)
    return empty(shape, x.dtype)


@rule("masked_fill", "masked_fill_tensor", "scatter", "scatter_value", "scatter_add",
      "index_put_")
def _like_self(op, tensors, attrs):
    return empty_strided(tensors[0].shape, layout_like(tensors[0]), tensors[0].dtype)


@rule("gather")
def _gather(op, tensors, attrs):
    return empty(attrs["index"].shape, tensors[0].dtype)


@rule("index_select")
def _index_select(op, tensors, attrs):
    shape = list(tensors[0].shape)
    if shape:
        shape[attrs["dim"]] = attrs["index"].numel()
    return empty(shape, tensors[0].dtype)


@rule("diag_embed")
def _diag_embed(op, tensors, attrs):
    x = tensors[0]
    n = x.shape[-1] + abs(attrs["offset"])
    return empty(tuple(x.shape[:-1]) + (n, n), x.dtype)


@rule("upsample_nearest1d", "upsample_nearest2d", "upsample_nearest3d",
      "_upsample_nearest_exact1d", "_upsample_nearest_exact2d", "_upsample_nearest_exact3d",
      "upsample_linear1d", "upsample_bilinear2d", "upsample_trilinear3d")
def _upsample(op, tensors, attrs):
    x = tensors[0]
    shape = tuple(x.shape[:2]) + tuple(attrs["output_size"])
    return empty(shape, x.dtype, suggest_memory_format(x.shape, x.stride()))


@rule("native_group_norm")
def _group_norm(op, tensors, attrs):
    x = tensors[0]
    stats = (x.shape[0], attrs["group"])
    return empty(x.shape, x.dtype), empty(stats, x.dtype), empty(stats, x.dtype)


def layout_like(t: Tensor) -> tuple:
    """Dense strides in t's dim order (what empty_like gives)."""
    return dense_strides_like(t.shape, t.stride())


@rule("constant_pad_nd",
      *(f"{kind}_pad{k}d" for kind in ("reflection", "replication") for k in (1, 2, 3)))
def _constant_pad(op, tensors, attrs):
    shape = list(tensors[0].shape)
    pad = attrs["pad"] if "pad" in attrs else attrs["padding"]
    for i in range(len(pad) // 2):
        shape[-1 - i] += pad[2 * i] + pad[2 * i + 1]
    return empty(shape, tensors[0].dtype)


@rule(*(f"{kind}_pad{k}d_backward" for kind in ("reflection", "replication") for k in (1, 2, 3)))
def _mode_pad_backward(op, tensors, attrs):
    return empty(attrs["input_sizes"], tensors[0].dtype)


@rule("unfold")
def _unfold(op, tensors, attrs):
    shape, strides, offset = _layout(tensors[0])
    if not shape:
        return _view(tensors[0], (1,), (1,), offset)
    d, size, step = attrs["dimension"], attrs["size"], attrs["step"]
    new_shape, new_strides = list(shape), list(strides)
    new_shape[d], new_strides[d] = (shape[d] - size) // step + 1, strides[d] * step
    return _view(tensors[0], new_shape + [size], new_strides + [strides[d]], offset)


@rule("native_layer_norm")
def _layer_norm(op, tensors, attrs):
    x = tensors[0]
    kept = x.dim() - len(attrs["normalized_shape"])
    stats = tuple(x.shape[:kept]) + (1,) * (x.dim() - kept)
    return empty(x.shape, x.dtype), empty(stats, x.dtype), empty(stats, x.dtype)


@rule("native_batch_norm")
def _batch_norm(op, tensors, attrs):
    x = tensors[0]
    stats = (x.shape[1],) if attrs["training"] else (0,)
    return (empty_strided(x.shape, layout_like(x), x.dtype), empty(stats, x.dtype),
            empty(stats, x.dtype))


@rule("convolution")
def _convolution(op, tensors, attrs):
    x, w = tensors[0], tensors[1]
    stride, padding, dilation = attrs["stride"], attrs["padding"], attrs["dilation"]
    kernel = w.shape[2:]
    if attrs.get("transposed"):
        extra = attrs.get("output_padding") or (0,) * len(kernel)
        spatial = [(n - 1) * s - 2 * p + d * (k - 1) + e + 1 for n, s, p, d, k, e in
                   zip(x.shape[2:], stride, padding, dilation, kernel, extra)]
        channels = w.shape[1] * attrs["groups"]
    else:
        spatial = [(n + 2 * p - d * (k - 1) - 1) // s + 1 for n, s, p, d, k in
                   zip(x.shape[2:], stride, padding, dilation, kernel)]
        channels = w.shape[0]
    shape = (x.shape[0], channels, *spatial)
    return empty(shape, x.dtype, suggest_memory_format(x.shape, x.stride()))


def _pooled(x: Tensor, kernel, stride, padding, dilation, ceil_mode) -> tuple:
    """PyTorch's pooling_output_shape for each spatial dim."""
    out = []
    for n, k, s, p, d in zip(x.shape[2:], kernel, stride, padding, dilation):
        size, reach = n + 2 * p, d * (k - 1) + 1
        m = (-(-(size - reach) // s) if ceil_mode else (size - reach) // s) + 1
        if ceil_mode and (m - 1) * s >= n + p:
            m -= 1
        out.append(m)
    return tuple(x.shape[:2]) + tuple(out)


@rule("max_pool2d_with_indices", "max_pool3d_with_indices")
def _max_pool(op, tensors, attrs):
    x = tensors[0]
    shape = _pooled(x, attrs["kernel_size"], attrs["stride"], attrs["padding"],
                    attrs["dilation"], attrs["ceil_mode"])
    fmt = suggest_memory_format(x.shape, x.stride())
    return empty(shape, x.dtype, fmt), empty(shape, dtypes.int64, fmt)


@rule("avg_pool2d", "avg_pool3d")
def _avg_pool(op, tensors, attrs):
    x = tensors[0]
    kernel = attrs["kernel_size"]
    shape = _pooled(x, kernel, attrs["stride"], attrs["padding"], (1,) * len(kernel),
                    attrs["ceil_mode"])
    return empty(shape, x.dtype, suggest_memory_format(x.shape, x.stride()))


@rule("adaptive_avg_pool2d")
def _adaptive_avg(op, tensors, attrs):
    x = tensors[0]
    return empty(tuple(x.shape[:2]) + tuple(attrs["output_size"]), x.dtype)


@rule("adaptive_max_pool2d")
def _adaptive_max(op, tensors, attrs):
    x = tensors[0]
    shape = tuple(x.shape[:2]) + tuple(attrs["output_size"])
    return empty(shape, x.dtype), empty(shape, dtypes.int64)


@rule("topk", "kthvalue")
def _topk(op, tensors, attrs):
    x, d = tensors[0], attrs["dim"]
    shape = list(x.shape)
    if op.name == "topk":
        shape[d] = attrs["k"]
    elif attrs["keepdim"]:
        shape[d] = 1
    else:
        del shape[d]
    return empty(shape, x.dtype), empty(shape, dtypes.int64)
