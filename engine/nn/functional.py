"""torch.nn.functional: argument handling around the registry's nn ops, and the composites
PyTorch itself builds from smaller ops (dropout, l1_loss, cross_entropy with probabilities)."""
from __future__ import annotations

import math

import warnings

import numpy as np

from .. import dtypes
from ..autograd.grad_mode import no_grad
from ..ops import conv_pool, loss_grads, nn_ops  # noqa: F401  (loss_grads: registered)
from ..ops.arguments import tensor_arg
from ..ops.pointwise import DIV_SCALAR, MUL_SCALAR, RELU, SIGMOID, TANH
from ..ops.registry import broadcast_shapes, run_inplace
from ..tensor import Tensor
from .resample import interpolate, upsample  # noqa: F401  (torch.nn.functional's)
from .attention import multi_head_attention_forward, scaled_dot_product_attention  # noqa: F401

__all__ = ["linear", "bilinear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
           "conv_transpose2d", "conv_transpose3d", "max_pool1d", "max_pool2d", "max_pool3d",
           "avg_pool1d", "avg_pool2d", "avg_pool3d", "adaptive_avg_pool1d",
           "adaptive_avg_pool2d", "adaptive_max_pool2d", "batch_norm", "instance_norm",
           "threshold",
           "layer_norm", "dropout", "embedding", "one_hot", "pad", "relu", "relu_", "leaky_relu",
           "elu", "selu", "celu", "gelu", "silu", "softplus", "sigmoid", "tanh", "softmax",
           "log_softmax", "mse_loss", "l1_loss", "smooth_l1_loss", "cross_entropy", "nll_loss",
           "binary_cross_entropy", "binary_cross_entropy_with_logits", "normalize", "hardtanh",
           "relu6", "logsigmoid", "softmin", "cosine_similarity", "group_norm", "dropout2d",
           "interpolate", "upsample", "scaled_dot_product_attention",
           "multi_head_attention_forward"]


def _pair(v) -> tuple:
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


# ---- linear -----------------------------------------------------------------------------------
def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """x @ W.T + b. A 2-d input, or a contiguous one flattened to 2-d, is one addmm
    (AddmmBackward0 over TBackward0), as in PyTorch, which checks the bias's dtype against the
    weight's first."""
    for position, (name, t) in enumerate((("input", input), ("weight", weight), ("bias", bias))):
        if t is not None or name != "bias":
            tensor_arg("linear", t, name, position + 1)
    if bias is not None and bias.dtype is not weight.dtype:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got "
                           f"{_scalar_name(bias)} and {_scalar_name(weight)}")
    if bias is not None and input.dtype is not weight.dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got "
                           f"{_scalar_name(input)} and {_scalar_name(weight)}")
    if input.dim() == 2 and bias is not None:
        return nn_ops.addmm(bias, input, weight.t())
    if input.dim() == 2:
        return input.mm(weight.t())
    if input.dim() > 2 and bias is not None and input.is_contiguous():   # else matmul, add
        flat = input.view(-1, input.shape[-1])
        return nn_ops.addmm(bias, flat, weight.t()).view(*input.shape[:-1], weight.shape[0])
    out = input.matmul(weight.t())
    return out if bias is None else out + bias


def _scalar_name(t: Tensor) -> str:
    return t.dtype.legacy[:-len("Tensor")]


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    out = ((input1.unsqueeze(1).unsqueeze(-1) * weight.unsqueeze(0)).sum(-2)
           * input2.unsqueeze(1)).sum(-1)
    return out if bias is None else out + bias


# ---- convolution and pooling ------------------------------------------------------------------
def _ntuple(v, n: int) -> tuple:
    return tuple(v) if isinstance(v, (tuple, list)) else (v,) * n


def _conv_check(input: Tensor, weight: Tensor, groups: int, dims: int, transposed: bool,
                geometry: tuple) -> None:
    """PyTorch's convolution checks, in its order. `geometry` is (stride, padding, dilation,
    output_padding): a negative or zero step would make the kernel's window view read outside
    the input, so these are checked before any array is touched."""
    kind = f"conv_transpose{dims}d" if transposed else f"conv{dims}d"
    if input.dim() not in (dims + 1, dims + 2):
        raise RuntimeError(f"Expected {dims + 1}D (unbatched) or {dims + 2}D (batched) input "
                           f"to {kind}, but got input of size: {list(input.shape)}")
    stride, padding, dilation, output_padding = geometry
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    if any(p < 0 for p in output_padding):
        raise RuntimeError("negative output_padding is not supported")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d < 0 for d in dilation):
        raise RuntimeError("dilation should be greater than zero")
    channels = input.shape[-dims - 1]
    expected = weight.shape[0] if transposed else weight.shape[1] * groups
    batched = [1] * (input.dim() == dims + 1) + list(input.shape)   # torch checks it batched
    if channels != expected:
        if transposed:
            raise RuntimeError(f"Given transposed=1, weight of size {list(weight.shape)}, "
                               f"expected input{batched} to have {weight.shape[0]} "
                               f"channels, but got {channels} channels instead")
        raise RuntimeError(
            f"Given groups={groups}, weight of size {list(weight.shape)}, expected input"
            f"{batched} to have {expected} channels, but got {channels} channels instead")
    if transposed and any(o >= s and o >= d for o, s, d in zip(output_padding, stride, dilation)):
        names = ("depth", "height", "width")[-max(dims, 2):]
        lead = ((0,), (1,), (1,)) if dims == 1 else ((), (), ())   # a 1-d one runs as 2-d
        shown = [(what, lead[k] + tuple(values)) for k, (what, values) in enumerate(
            (("output_padding", output_padding), ("stride", stride), ("dilation", dilation)))]
        raise RuntimeError("output padding must be smaller than either stride or dilation, but "
                           "got " + " ".join(f"{what}_{n}: {v}" for what, values in shown
                                             for n, v in zip(names, values)))
    padded = [n + 2 * p for n, p in zip(input.shape[-dims:], padding)]
    kernel = [d * (k - 1) + 1 for k, d in zip(weight.shape[2:], dilation)]
    if not transposed and any(n < k for n, k in zip(padded, kernel)):
        raise RuntimeError(
            f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
            f"Kernel size: ({' x '.join(map(str, kernel))}). Kernel size can't be greater than "
            "actual input size")
    if 0 in dilation:   # PyTorch's kernels check this last; a 1-d conv runs as a 2-d one
        shown = (1,) + dilation if dims == 1 else dilation
        if transposed:
            names = ("depth", "height", "width")[-len(shown):]
            raise RuntimeError("dilation should be greater than zero, but got " + ", ".join(
                f"dilation_{n}: {d}" for n, d in zip(names, shown)))
        raise RuntimeError(f"dilation should be greater than zero, but got {list(shown)}")


def _same_padding(padding, kernel, dilation) -> tuple:
    if padding == "valid":
        return (0,) * len(kernel)
    if padding == "same":
        return tuple(d * (k - 1) // 2 for k, d in zip(kernel, dilation))
    return _ntuple(padding, len(kernel))


def _conv_nd(dims: int, input, weight, bias, stride, padding, dilation, groups,
             transposed=False, output_padding=0):
    stride, dilation = _ntuple(stride, dims), _ntuple(dilation, dims)
    padding = _same_padding(padding, weight.shape[2:], dilation)
    output_padding = _ntuple(output_padding, dims)
    _conv_check(input, weight, groups, dims, transposed,
                (stride, padding, dilation, output_padding))
    if input.dim() == dims + 1:
        return _conv_nd(dims, input.unsqueeze(0), weight, bias, stride, padding, dilation,
                        groups, transposed, output_padding).squeeze(0)
    return conv_pool.CONV(input, weight, bias, stride=stride, padding=padding,
                          dilation=dilation, groups=groups, transposed=transposed,
                          output_padding=output_padding)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups: int = 1) -> Tensor:
    return _conv_nd(1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups: int = 1) -> Tensor:
    return _conv_nd(2, input, weight, bias, stride, padding, dilation, groups)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups: int = 1) -> Tensor:
    return _conv_nd(3, input, weight, bias, stride, padding, dilation, groups)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0,
                     groups: int = 1, dilation=1) -> Tensor:
    return _conv_nd(1, input, weight, bias, stride, padding, dilation, groups, True,
                    output_padding)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0,
                     groups: int = 1, dilation=1) -> Tensor:
    return _conv_nd(2, input, weight, bias, stride, padding, dilation, groups, True,
                    output_padding)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0,
                     groups: int = 1, dilation=1) -> Tensor:
    return _conv_nd(3, input, weight, bias, stride, padding, dilation, groups, True,
                    output_padding)


def _pool_args(dims, kernel_size, stride, padding, dilation=1):
    """(kernel, stride, padding, dilation) as tuples, checked as PyTorch checks them."""
    kernel = _ntuple(kernel_size, dims)
    stride = kernel if stride is None or stride == [] else _ntuple(stride, dims)
    padding, dilation = _ntuple(padding, dims), _ntuple(dilation, dims)
    _pool_check(kernel, stride, padding, dilation)
    return kernel, stride, padding, dilation


def _pool_check(kernel, stride, padding, dilation) -> None:
    """PyTorch's pooling checks, in its order (pooling_output_shape per dim, then the shape
    check): a window that steps backwards or by zero would read outside the input."""
    for k, s, p, d in zip(kernel, stride, padding, dilation):
        if s == 0:
            raise RuntimeError("stride should not be zero")
        if p < 0:
            raise RuntimeError(f"pad must be non-negative, but got pad: {p}")
        if p > int(((k - 1) * d + 1) / 2):   # C++ division: truncated toward zero
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got "
                               f"pad={p}, kernel_size={k} and dilation={d}")
    names = ("T", "H", "W")[-len(kernel):]
    for what, label, values in (("kernel size", "k", kernel), ("stride", "d", stride),
                                ("dilation", "dilation", dilation)):
        if any(v <= 0 for v in values):
            raise RuntimeError(f"{what} should be greater than zero, but got " + " ".join(
                f"{label}{n}: {v}" for n, v in zip(names, values)))


def _windows_fit(input: Tensor, dims: int, kernel, stride, padding, dilation,
                 ceil_mode: bool) -> None:
    """PyTorch's refusal of a pool with no window along some dim."""
    sizes = input.shape[-dims:]
    out = [conv_pool.pool_output_size(*args, ceil_mode)
           for args in zip(sizes, kernel, stride, padding, dilation)]
    if min(out) < 1:
        plane = input.shape[-dims - 1]
        raise RuntimeError(f"Given input size: ({'x'.join(map(str, (plane, *sizes)))}). "
                           f"Calculated output size: ({'x'.join(map(str, (plane, *out)))}). "
                           "Output size is too small")


def _batched(input: Tensor, dims: int, fn):
    """Pooling accepts unbatched input (C, *spatial): add the batch dim and drop it again."""
    if input.dim() == dims + 1:
        out = fn(input.unsqueeze(0))
        return tuple(o.squeeze(0) for o in out) if isinstance(out, tuple) else out.squeeze(0)
    return fn(input)


def _max_pool(dims: int, op, input, kernel_size, stride, padding, dilation, ceil_mode,
              return_indices):
    kernel, stride, padding, dilation = _pool_args(dims, kernel_size, stride, padding, dilation)
    _windows_fit(input, dims, kernel, stride, padding, dilation, ceil_mode)
    out = _batched(input, dims, lambda x: op(x, kernel_size=kernel, stride=stride,
                                             padding=padding, dilation=dilation,
                                             ceil_mode=ceil_mode))
    return out if return_indices else out[0]


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    return _max_pool(2, conv_pool.MAX_POOL, input, kernel_size, stride, padding, dilation,
                     ceil_mode, return_indices)


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    return _max_pool(3, conv_pool.MAX_POOL_3D, input, kernel_size, stride, padding, dilation,
                     ceil_mode, return_indices)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """As in PyTorch: a 2-d pool over a height of 1 (with max_pool1d's own argument checks
    when no indices are asked for)."""
    one = lambda v: v[0] if isinstance(v, (tuple, list)) else v  # noqa: E731
    if not return_indices:
        step = one(kernel_size if stride is None or stride == [] else stride)
        _max_pool1d_check(one(kernel_size), step, one(padding), one(dilation))
        out = conv_pool.pool_output_size(input.shape[-1], one(kernel_size), step, one(padding),
                                         one(dilation), ceil_mode)
        if out < 1:
            raise RuntimeError(f"max_pool1d() Invalid computed output size: {out}")
    out = max_pool2d(input.unsqueeze(-2), (1, one(kernel_size)),
                     None if stride is None else (1, one(stride)), (0, one(padding)),
                     (1, one(dilation)), ceil_mode, return_indices)
    if return_indices:
        return out[0].squeeze(-2), out[1].squeeze(-2)
    return out.squeeze(-2)


def _max_pool1d_check(kernel: int, stride: int, padding: int, dilation: int) -> None:
    for what, value in (("kernel_size", kernel), ("stride", stride)):
        if value <= 0:
            raise RuntimeError(f"max_pool1d() {what} must be greater than zero, but got {value}")
    if padding < 0:
        raise RuntimeError(f"max_pool1d() padding must be non-negative, but got {padding}")
    if padding > kernel // 2:
        raise RuntimeError(f"max_pool1d() padding should be at most half of kernel size, but got "
                           f"padding={padding} and kernel_size={kernel}")
    if dilation <= 0:
        raise RuntimeError(f"max_pool1d() dilation must be greater than zero, but got {dilation}")


def _avg_pool(dims: int, op, input, kernel_size, stride, padding, ceil_mode,
              count_include_pad, divisor_override) -> Tensor:
    kernel, stride, padding, _ = _pool_args(dims, kernel_size, stride, padding)
    if dims == 3 and any(n < k for n, k in zip(input.shape[-3:], kernel)):
        raise RuntimeError("input image (T: {} H: {} W: {}) smaller than kernel size (kT: {} "
                           "kH: {} kW: {})".format(*input.shape[-3:], *kernel))
    _windows_fit(input, dims, kernel, stride, padding, (1,) * dims, ceil_mode)
    return _batched(input, dims, lambda x: op(
        x, kernel_size=kernel, stride=stride, padding=padding, ceil_mode=ceil_mode,
        count_include_pad=count_include_pad, divisor_override=divisor_override))


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None) -> Tensor:
    return _avg_pool(2, conv_pool.AVG_POOL, input, kernel_size, stride, padding, ceil_mode,
                     count_include_pad, divisor_override)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None) -> Tensor:
    return _avg_pool(3, conv_pool.AVG_POOL_3D, input, kernel_size, stride, padding, ceil_mode,
                     count_include_pad, divisor_override)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True) -> Tensor:
    one = lambda v: v[0] if isinstance(v, (tuple, list)) else v  # noqa: E731
    return avg_pool2d(input.unsqueeze(-2), (1, one(kernel_size)),
                      None if stride is None else (1, one(stride)), (0, one(padding)),
                      ceil_mode, count_include_pad).squeeze(-2)


def adaptive_avg_pool2d(input, output_size) -> Tensor:
    size = tuple(input.shape[-2 + i] if s is None else s
                 for i, s in enumerate(_ntuple(output_size, 2)))
    if size == (1, 1):
        return input.mean((-1, -2), keepdim=True)   # PyTorch takes this path too
    return _batched(input, 2, lambda x: conv_pool.ADAPTIVE_AVG(x, output_size=size))


def adaptive_avg_pool1d(input, output_size) -> Tensor:
    size = output_size[0] if isinstance(output_size, (tuple, list)) else output_size
    return _batched(input, 1, lambda x: conv_pool.ADAPTIVE_AVG(
        x.unsqueeze(-2), output_size=(1, size)).squeeze(-2))


def adaptive_max_pool2d(input, output_size, return_indices=False):
    size = tuple(input.shape[-2 + i] if s is None else s
                 for i, s in enumerate(_ntuple(output_size, 2)))
    out = _batched(input, 2, lambda x: conv_pool.ADAPTIVE_MAX(x, output_size=size))
    return out if return_indices else out[0]


# ---- normalization, dropout, embedding -------------------------------------------------------
def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    if training:
        size = input.numel() // input.shape[1]
        if size == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input "
                             f"size {input.shape}")
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        if t is not None and t.numel() != input.shape[1]:
            raise RuntimeError(f"{name} should contain {input.shape[1]} elements not "
                               f"{t.numel()}")
    return nn_ops.BATCH_NORM(input, weight, bias, running_mean=running_mean,
                             running_var=running_var, training=training, momentum=momentum,
                             eps=eps)[0]


def instance_norm(input: Tensor, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats: bool = True, momentum: float = 0.1,
                  eps: float = 1e-5) -> Tensor:
    """Batch norm over each (sample, channel) pair: fold N into C, as PyTorch does."""
    n, c = input.shape[:2]
    folded = input.reshape((1, n * c) + tuple(input.shape[2:]))
    rep = (lambda t: None if t is None else t.repeat(n))
    out = batch_norm(folded, rep(running_mean), rep(running_var), rep(weight), rep(bias),
                     use_input_stats, momentum, eps)
    return out.view(input.shape)


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalize each sample's channels in num_groups groups (each over its channels and
    positions), then scale and shift per channel."""
    if input.dim() < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received "
                           f"{input.dim()}")
    n, c = input.shape[:2]
    if n * c // num_groups * math.prod(input.shape[2:]) == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input "
                         f"size {[n * c // num_groups, num_groups] + list(input.shape[2:])}")
    if c % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups,"
                           f" but got input of shape {list(input.shape)} and "
                           f"num_groups={num_groups}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t.dim() != 1 or t.numel() != c):
            raise RuntimeError(f"Expected {name} to be a vector of size equal to the number of "
                               f"channels in input, but got {name} of shape {list(t.shape)} and "
                               f"input of shape {list(input.shape)}")
    return nn_ops.GROUP_NORM(input, weight, bias, group=num_groups, eps=eps)[0]


def layer_norm(input: Tensor, normalized_shape, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if tuple(input.shape[-len(shape):]) != shape:
        raise RuntimeError(f"Given normalized_shape={list(shape)}, expected input with shape "
                           f"[*, {', '.join(map(str, shape))}], but got input of size"
                           f"{list(input.shape)}")
    return nn_ops.LAYER_NORM(input, weight, bias, normalized_shape=shape, eps=eps)[0]


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability p and scale the rest by 1/(1-p) (train mode only)."""
    _check_probability(p)
    return _dropout(input, p, training, inplace, feature=False)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels (input[n, c]) with probability p, with torch's warnings for inputs
    that are not (N, C, H, W) or (N, C, L)."""
    _check_probability(p)
    if input.dim() not in (3, 4):
        warnings.warn(f"dropout2d: Received a {input.dim()}-D input to dropout2d, which is "
                      "deprecated and will result in an error in a future release. To retain "
                      "the behavior and silence this warning, please use dropout instead. Note "
                      "that dropout2d exists to provide channel-wise dropout on inputs with 2 "
                      "spatial dimensions, a channel dimension, and an optional batch dimension "
                      "(i.e. 3D or 4D inputs).", stacklevel=2)
    if input.dim() == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that "
                      "channel-wise 1D dropout behavior is desired - input is interpreted as "
                      "shape (N, C, L), where C is the channel dim. This behavior will change in "
                      "a future release to interpret the input as one without a batch "
                      "dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise dropout "
                      "behavior, please switch to using dropout1d instead.", stacklevel=2)
    return _dropout(input, p, training, inplace, feature=True)


def _check_probability(p: float) -> None:
    if p < 0 or p > 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _dropout(input: Tensor, p: float, training: bool, inplace: bool, feature: bool) -> Tensor:
    """ATen's _dropout_impl: a Bernoulli(1-p) mask scaled by 1/(1-p), one draw per element, or
    per (sample, channel) for feature dropout, multiplied in."""
    if not training or p == 0 or input.numel() == 0:
        return input
    if p == 1:
        return input * 0 if not inplace else input.zero_()
    if feature and input.dim() < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    shape = (input.shape[:2] + (1,) * (input.dim() - 2)) if feature else input.shape
    with no_grad():
        noise = input.new_empty(shape).bernoulli_(1 - p)
        noise.div_(1 - p)
    return input.mul_(noise) if inplace else input * noise


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None, max_norm=None,
              norm_type: float = 2.0, scale_grad_by_freq: bool = False,
              sparse: bool = False) -> Tensor:
    if input.dtype not in (dtypes.int64, dtypes.int32):
        raise RuntimeError(f"Expected tensor for argument #1 'indices' to have one of the "
                           f"following scalar types: Long, Int; but got torch.{input.dtype.legacy}"
                           f" instead (while checking arguments for embedding)")
    if padding_idx is not None and padding_idx < 0:
        padding_idx += weight.shape[0]
    if input._meta is None and (np.any(input._data >= weight.shape[0]) or np.any(input._data < 0)):
        raise IndexError("index out of range in self")
    return nn_ops.EMBEDDING(weight, indices=input, padding_idx=padding_idx)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    if tensor.dtype is not dtypes.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if tensor.is_meta:   # the classes can be counted only from values
        if num_classes == -1:
            raise RuntimeError("Tensor.item() cannot be called on meta tensors")
        from ..ops.meta import empty
        return empty(tuple(tensor.shape) + (num_classes,), dtypes.int64)
    data = tensor._data
    if num_classes == -1:
        num_classes = int(data.max()) + 1 if data.size else 0
    if data.size and (data.min() < 0 or data.max() >= num_classes):
        raise RuntimeError("Class values must be smaller than num_classes." if data.size and
                           data.max() >= num_classes else "Class values must be non-negative.")
    return Tensor._from_array(np.eye(num_classes, dtype=np.int64)[data])


def pad(input: Tensor, pad, mode: str = "constant", value: float | None = None) -> Tensor:
    if mode not in ("constant", "reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if mode != "constant" and value is not None:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > input.dim():
        raise RuntimeError("Padding length should be less than or equal to two times the input "
                           "dimension but got padding length "
                           f"{len(pad)} and input of dimension {input.dim()}")
    if mode == "constant":
        return nn_ops.CONSTANT_PAD(input, pad=tuple(pad), value=0.0 if value is None else value)
    pad = tuple(int(p) for p in pad)
    k, nd = len(pad) // 2, input.dim()
    if k not in (1, 2, 3) or nd not in (k + 1, k + 2):
        raise NotImplementedError(f"Padding size {len(pad)} is not supported for {nd}D input "
                                  f"tensor.")
    if mode == "circular":
        return _pad_circular(input, pad)
    shape = list(input.shape)
    if 0 in shape[nd - k - 1:]:    # (a batch dim may be empty)
        raise RuntimeError(f"Expected {k + 1}D or {k + 2}D (batch mode) tensor with possibly 0 "
                           f"batch size and other non-zero dimensions for input, but got: "
                           f"{shape}")
    if input.dtype is dtypes.bool:
        kernel = "reflection" if mode == "reflect" else "replication"
        raise NotImplementedError(f'"{kernel}_pad{k}d" not implemented for \'Bool\'')
    for i, (dim, left, right) in enumerate(nn_ops._padded_dims(nd, pad)):
        n, out = shape[dim], shape[dim] + left + right
        if mode == "reflect" and not (left < n and right < n):
            raise RuntimeError(f"Argument #{4 + 2 * i}: Padding size should be less than the "
                               f"corresponding input dimension, but got: padding ({left}, "
                               f"{right}) at dimension {dim} of input {shape}")
        if mode == "replicate" and out < 0:
            if k == 1:
                raise RuntimeError(f"input (W: {n}) is too small. Calculated output W: {out}")
            raise RuntimeError(f"Trying to create tensor with negative dimension {out}: "
                               f"{shape[:dim] + [out] + shape[dim + 1:]}")
    return nn_ops.PADS[mode, k](input, padding=pad)


def _pad_circular(input: Tensor, pad: tuple) -> Tensor:
    """As torch's _pad_circular: the input copied into the middle of a new tensor, then each
    padded dim's ends copied from the far side of that tensor (one CopySlices each)."""
    shape, nd = list(input.shape), input.dim()
    padded = nn_ops._padded_dims(nd, pad)
    for dim, left, right in padded:
        if left > shape[dim] or right > shape[dim]:
            raise RuntimeError("Padding value causes wrapping around more than once.")
    out_shape = list(shape)
    for dim, left, right in padded:
        out_shape[dim] = shape[dim] + left + right
    out = input.new_empty(out_shape)
    out_slice, in_slice = out, input
    for dim, left, right in padded:
        start, stop = max(left, 0), out_shape[dim] - max(right, 0)
        out_slice = out_slice.narrow(dim, start, stop - start)
        start, stop = max(-left, 0), shape[dim] - max(-right, 0)
        in_slice = in_slice.narrow(dim, start, stop - start)
    out_slice.copy_(in_slice)
    for dim, left, right in padded:
        end = out_shape[dim] - max(right, 0)
        if left > 0:
            out.narrow(dim, 0, left).copy_(out.narrow(dim, end - left, left))
        if right > 0:
            out.narrow(dim, out_shape[dim] - right, right).copy_(
                out.narrow(dim, max(left, 0), right))
    return out


# ---- activations ------------------------------------------------------------------------------
def relu(input: Tensor, inplace: bool = False) -> Tensor:
    return input.relu_() if inplace else RELU(input, dtype=input.dtype.np)


def relu_(input: Tensor) -> Tensor:
    return input.relu_()


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    return nn_ops.THRESHOLD(input, threshold=threshold, value=value)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    if inplace:
        return run_inplace(nn_ops.LEAKY_RELU, input, (), {"negative_slope": negative_slope})
    return nn_ops.LEAKY_RELU(input, negative_slope=negative_slope)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    return nn_ops.ELU(input, alpha=alpha, scale=1.0, input_scale=1.0)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    return nn_ops.ELU(input, alpha=_SELU_ALPHA, scale=_SELU_SCALE, input_scale=1.0)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    return nn_ops.ELU(input, alpha=alpha, scale=1.0, input_scale=1.0 / alpha)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return nn_ops.GELU(input, approximate=approximate)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    return nn_ops.SILU(input)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    return nn_ops.SOFTPLUS(input, beta=beta, threshold=threshold)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    return input.clamp(min_val, max_val)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    return hardtanh(input, 0.0, 6.0)


def logsigmoid(input: Tensor) -> Tensor:
    return -softplus(-input)


def sigmoid(input: Tensor) -> Tensor:
    return SIGMOID(input, dtype=input.dtype.np)


def tanh(input: Tensor) -> Tensor:
    return TANH(input, dtype=input.dtype.np)


def softmax(input: Tensor, dim=None, _stacklevel: int = 3, dtype=None) -> Tensor:
    return input.softmax(_implicit_dim(input, dim), dtype=dtype)


def softmin(input: Tensor, dim=None, _stacklevel: int = 3, dtype=None) -> Tensor:
    return (-input).softmax(_implicit_dim(input, dim), dtype=dtype)


def log_softmax(input: Tensor, dim=None, _stacklevel: int = 3, dtype=None) -> Tensor:
    return input.log_softmax(_implicit_dim(input, dim), dtype=dtype)


def _implicit_dim(input: Tensor, dim):
    if dim is not None:
        return dim
    warnings.warn("Implicit dimension choice for softmax has been deprecated. Change the call to "
                  "include dim=X as an argument.", UserWarning, stacklevel=3)
    return 0 if input.dim() in (0, 1, 3) else 1


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Tensor:
    denom = input.norm(p, dim, keepdim=True).clamp(min=eps).expand_as(input)
    return input / denom


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    n1 = x1.norm(dim=dim).clamp(min=eps)
    n2 = x2.norm(dim=dim).clamp(min=eps)
    return (x1 * x2).sum(dim) / (n1 * n2)


# ---- losses -----------------------------------------------------------------------------------
def legacy_reduction(size_average, reduce, reduction: str) -> str:
    """The deprecated size_average/reduce flags, when given, decide the reduction (torch's
    _Reduction.legacy_get_string, with its warning); a missing flag counts as True."""
    if size_average is None and reduce is None:
        return reduction
    if reduce is False:
        reduction = "none"
    else:
        reduction = "sum" if size_average is False else "mean"
    warnings.warn("size_average and reduce args will be deprecated, please use "
                  f"reduction='{reduction}' instead.", stacklevel=3)
    return reduction


def _check_reduction(reduction: str) -> None:
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _warn_size(input: Tensor, target: Tensor, name: str) -> None:
    if tuple(target.shape) != tuple(input.shape):
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input "
                      f"size ({input.shape}). This will likely lead to incorrect results due to "
                      "broadcasting. Please ensure they have the same size.", UserWarning,
                      stacklevel=3)


def mse_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
             reduction: str = "mean", weight=None) -> Tensor:
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _warn_size(input, target, "mse_loss")
    a, b = _broadcast_pair(input, target)
    return nn_ops.MSE(a, b, reduction=reduction, dtype=dtypes.result_type(a, b).np)


def _broadcast_pair(a: Tensor, b: Tensor):
    if a.shape == b.shape:
        return a, b
    shape = broadcast_shapes(tuple(a.shape), tuple(b.shape))
    return a.expand(shape), b.expand(shape)


def l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
            reduction: str = "mean", weight=None) -> Tensor:
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _warn_size(input, target, "l1_loss")
    loss = (input - target).abs()
    return loss if reduction == "none" else loss.mean() if reduction == "mean" else loss.sum()


def smooth_l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                   reduction: str = "mean", beta: float = 1.0) -> Tensor:
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _warn_size(input, target, "smooth_l1_loss")
    a, b = _broadcast_pair(input, target)
    return nn_ops.SMOOTH_L1(a, b, reduction=reduction, beta=beta)


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average=None,
             ignore_index: int = -100, reduce=None, reduction: str = "mean") -> Tensor:
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _nll_shapes(input, target)
    if input.dim() > 2:   # (N, C, d1, ...): move classes last and flatten the rest
        c = input.shape[1]
        flat = input.movedim(1, -1).reshape(-1, c)
        loss = nll_loss(flat, target.reshape(-1), weight, ignore_index=ignore_index,
                        reduction=reduction)
        return loss.view(target.shape) if reduction == "none" else loss
    if target.dtype not in (dtypes.int64, dtypes.uint8):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got "
                           f"{_scalar_name(target)}")
    return nn_ops.NLL(input, weight, target=target, reduction=reduction,
                      ignore_index=ignore_index)


def _nll_shapes(input: Tensor, target: Tensor) -> None:
    """PyTorch's checks of class indices against their scores (nll_loss_nd), in its order."""
    if input.dim() < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {input.dim()})")
    batch = target.shape[0] if target.dim() else 0
    if input.dim() != 1 and input.shape[0] != batch:
        raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target "
                         f"batch_size ({batch}).")
    if input.dim() <= 2:
        if target.dim() > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        if input.dim() == 1 and target.dim() == 1 and target.shape[0] != 1:
            raise ValueError(f"For 1D input, 1D target must have size 1, but got target size: "
                             f"{target.shape[0]}")
        return
    expected = [input.shape[0], *input.shape[2:]]
    if input.dim() == 4 and target.dim() != 3:
        raise RuntimeError(f"only batches of spatial targets supported (3D tensors) but got "
                           f"targets of dimension: {target.dim()}")
    if input.dim() == 4 and list(target.shape) != expected:
        raise RuntimeError(f"size mismatch (got input: {list(input.shape)} , target: "
                           f"{list(target.shape)}")       # sic: torch's spacing, no ")"
    if list(target.shape) != expected:
        raise RuntimeError(f"Expected target size {expected}, got {list(target.shape)}")


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                  size_average=None, ignore_index: int = -100, reduce=None,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """log_softmax then nll_loss for class indices; for class probabilities, the soft form."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    class_dim = 1 if input.dim() > 1 else 0
    logp = input.log_softmax(class_dim)
    if tuple(target.shape) == tuple(input.shape):   # class probabilities, as PyTorch decides
        return _soft_cross_entropy(logp, target, weight, reduction, label_smoothing, class_dim)
    loss = nll_loss(logp, target, weight, ignore_index=ignore_index, reduction=reduction)
    if label_smoothing <= 0:
        return loss
    classes = input.shape[class_dim]
    per_class = -logp if weight is None else -logp * _class_view(weight, input, class_dim)
    smooth = per_class.sum(class_dim)
    ignored = target == ignore_index
    smooth = smooth.masked_fill(ignored, 0.0)
    if reduction == "mean":
        if weight is None:
            smooth = smooth.sum() / (~ignored).sum()
        else:
            w = weight[target.masked_fill(ignored, 0)].masked_fill(ignored, 0.0)
            smooth = smooth.sum() / w.sum()
    elif reduction == "sum":
        smooth = smooth.sum()
    return MUL_SCALAR(loss, other=1 - label_smoothing) + smooth * (
        label_smoothing / classes)


def _class_view(weight: Tensor, input: Tensor, class_dim: int) -> Tensor:
    shape = [1] * input.dim()
    shape[class_dim] = -1
    return weight.view(shape)


def _soft_cross_entropy(logp, target, weight, reduction, label_smoothing, class_dim):
    classes = logp.shape[class_dim]
    if label_smoothing > 0:
        target = target * (1 - label_smoothing) + label_smoothing / classes
    prod = logp * target
    if weight is not None:
        prod = prod * _class_view(weight, logp, class_dim)
    loss = -prod.sum(class_dim)
    if reduction == "mean":
        return DIV_SCALAR(loss.sum(), other=logp.numel() // classes)
    return loss.sum() if reduction == "sum" else loss


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                         size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input "
                         f"size ({input.shape}) is deprecated. Please ensure they have the same "
                         "size.")
    w = weight.expand(input.shape) if weight is not None else None
    return nn_ops.BCE(input, target, w, reduction=reduction)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                     size_average=None, reduce=None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Target size ({target.shape}) must be the same as input size "
                         f"({input.shape})")
    if pos_weight is not None and pos_weight.requires_grad:
        raise RuntimeError("The function 'binary_cross_entropy_with_logits' is not "
                           "differentiable with respect to argument 'pos_weight'. This input "
                           "cannot have requires_grad True.")
    w = weight.expand(input.shape) if weight is not None else None
    pw = pos_weight.expand(input.shape) if pos_weight is not None else None
    return nn_ops.BCE_LOGITS(input, target, w, pw, reduction=reduction)
