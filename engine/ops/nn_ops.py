"""The neural-network primitives PyTorch shows as their own grad_fn: linear algebra for layers,
convolution, pooling, normalization, embedding, activations and losses.

Convolution and pooling live in conv_pool.py. The backward formulas written in NumPy here
(normalization, losses) support one backward pass, not create_graph through them.
"""
from __future__ import annotations

import math

import numpy as np

from ..libm import elementwise
from ..tensor import Tensor
from .arguments import invalid_combination
from .linalg import mat1_grad, mat2_grad
from .pointwise import THRESHOLD_BACKWARD
from .pointwise.selection import zeros_like
from .registry import defop, expose, run_inplace, writes_out

# ---- addmm: linear layers -------------------------------------------------------------------


@defop("addmm", "AddmmBackward0", inputs=("self", "mat1", "mat2"),
       saves=("mat1", "mat2", "alpha", "beta"),
       formulas={"self": "grad * beta", "mat1": "grad @ mat2.T * alpha",
                 "mat2": "mat1.T @ grad * alpha"},
       reads={"self": ("beta",), "mat1": ("mat2", "alpha"), "mat2": ("mat1", "alpha")})
def ADDMM(bias, a, b, *, alpha=1, beta=1):
    out = a @ b
    if alpha != 1:
        out = out * alpha
    if beta == 0:      # the input is not read: its nan or inf does not reach the result
        return np.ascontiguousarray(out)
    if beta == 1 and bias.dtype == out.dtype:   # into the fresh product: no second array
        out += bias
        return out
    return out + (bias if beta == 1 else bias * beta)


@ADDMM.derivative
def _(g, s):
    ga = gb = None
    needs1, needs2 = s.needs("mat1"), s.needs("mat2")   # a layer's input needs none
    if needs1 or needs2:   # unpacked once, and not at all for a bias alone (as in PyTorch)
        mat1, mat2 = s.mat1, s.mat2
        ga = mat1_grad(g, mat1, mat2) if needs1 else None
        gb = mat2_grad(g, mat1, mat2) if needs2 else None
    if s.alpha != 1:
        ga, gb = (None if x is None else x * s.alpha for x in (ga, gb))
    return (g if s.beta == 1 else g * s.beta), ga, gb


@writes_out
def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *more, beta=1, alpha=1, out=None) -> Tensor:
    """torch.addmm: beta * input + alpha * (mat1 @ mat2), input broadcast to the product's shape
    (with beta=0 its values, nan or not, are not read). beta and alpha are keyword-only."""
    from .linalg import _scalar_name
    if more:
        raise invalid_combination("addmm", (input, mat1, mat2, *more))
    for name, t in (("mat1", mat1), ("mat2", mat2)):
        if t.dim() != 2:
            raise RuntimeError(f"{name} must be a matrix, got {t.dim()}-D tensor")
    (n, m), (m2, p) = mat1.shape, mat2.shape
    if m != m2:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({n}x{m} and {m2}x{p})")
    if input.dim() > 2:
        raise RuntimeError(f"expand({input.type()}{{{list(input.shape)}}}, size=[{n}, {p}]): the "
                           f"number of sizes provided (2) must be greater or equal to the number "
                           f"of dimensions in the tensor ({input.dim()})")
    for k, (size, target) in enumerate(zip(reversed(input.shape), (p, n))):
        if size not in (1, target):
            raise RuntimeError(
                f"The expanded size of the tensor ({target}) must match the existing size "
                f"({size}) at non-singleton dimension {1 - k}.  Target sizes: [{n}, {p}].  "
                f"Tensor sizes: {list(input.shape)}")
    if mat1.dtype is not mat2.dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got "
                           f"{_scalar_name(mat1)} and {_scalar_name(mat2)}")
    if input.dtype is not mat2.dtype:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got "
                           f"{_scalar_name(input)} and {_scalar_name(mat2)}")
    return ADDMM(input, mat1, mat2, alpha=alpha, beta=beta)


def _method_takes_two(name: str, more: tuple) -> None:
    """Tensor.addmm(_) with beta/alpha given by position: torch's method binding refuses it in
    Python's words, not counting self."""
    if more:
        raise TypeError(f"{name}() takes 2 positional arguments but {2 + len(more)} were given")


def addmm_method(self: Tensor, mat1: Tensor, mat2: Tensor, *more, beta=1, alpha=1,
                 out=None) -> Tensor:
    _method_takes_two("addmm", more)
    return addmm(self, mat1, mat2, beta=beta, alpha=alpha, out=out)


def addmm_(self: Tensor, mat1: Tensor, mat2: Tensor, *more, beta=1, alpha=1) -> Tensor:
    """Tensor.addmm_: addmm into self, which must already have the product's shape."""
    _method_takes_two("addmm_", more)
    if mat1.dim() == 2 and mat2.dim() == 2 and mat1.shape[1] == mat2.shape[0] and \
            tuple(self.shape) != (mat1.shape[0], mat2.shape[1]):
        raise RuntimeError(f"Bad in-place call: input tensor size {list(self.shape)} and output "
                           f"tensor size {[mat1.shape[0], mat2.shape[1]]} should match")
    addmm(self.detach(), mat1.detach(), mat2.detach(), beta=beta, alpha=alpha)   # (checks)
    return run_inplace(ADDMM, self, (mat1, mat2), {"alpha": alpha, "beta": beta})


expose(addmm, method=False)
expose(addmm_method, "addmm", function=False)
expose(addmm_, function=False)



@defop("transpose_", "TransposeBackward1", saves=("dim0", "dim1"), view=True,
       formulas={"self": "grad.transpose(dim0, dim1)"})
def TRANSPOSE_INPLACE(a, *, dim0, dim1):
    """What PyTorch's RNN does to a batch_first output (in place there: TransposeBackward1)."""
    return a.swapaxes(dim0, dim1)


TRANSPOSE_INPLACE.derivative(lambda g, s: g.transpose(s.dim0, s.dim1))


# ---- normalization --------------------------------------------------------------------------
@defop("native_batch_norm", "NativeBatchNormBackward0", inputs=("input", "weight", "bias"),
       saves=("input", "weight", "running_mean", "running_var", "training", "eps",
              "result1", "result2"),
       n_outputs=3, formulas={"input": "batch-norm backward (mean and variance of the batch)",
                              "weight": "(grad * x_hat).sum(N, H, W)",
                              "bias": "grad.sum(N, H, W)"})
def BATCH_NORM(x, w, b, *, running_mean, running_var, training, momentum, eps):
    axes = (0,) + tuple(range(2, x.ndim))
    shape = (1, -1) + (1,) * (x.ndim - 2)
    if training:
        mean = x.mean(axis=axes)
        var = x.var(axis=axes)
        n = x.size // x.shape[1]
        if running_mean is not None:
            running_mean._data[...] = (1 - momentum) * running_mean._data + momentum * mean
            running_mean._bump_version()
        if running_var is not None:
            unbiased = var * n / max(n - 1, 1)
            running_var._data[...] = (1 - momentum) * running_var._data + momentum * unbiased
            running_var._bump_version()
    else:
        mean, var = running_mean._data, running_var._data
    invstd = 1.0 / np.sqrt(var + eps)
    out = (x - mean.reshape(shape)) * invstd.reshape(shape)
    if w is not None:
        out = out * w.reshape(shape)
    if b is not None:
        out = out + b.reshape(shape)
    saved_mean = mean if training else np.zeros(0, x.dtype)
    saved_invstd = invstd if training else np.zeros(0, x.dtype)
    return (out.astype(x.dtype, copy=False), saved_mean.astype(x.dtype),
            saved_invstd.astype(x.dtype))


@BATCH_NORM.derivative
def _(grads, s):
    g = grads[0]._data
    x = s.input._data
    w = s.weight._data if s.weight is not None else None
    axes = (0,) + tuple(range(2, x.ndim))
    shape = (1, -1) + (1,) * (x.ndim - 2)
    if s.training:
        mean, invstd = s.result1._data, s.result2._data
    else:
        mean = s.running_mean._data
        invstd = 1.0 / np.sqrt(s.running_var._data + s.eps)
    xhat = (x - mean.reshape(shape)) * invstd.reshape(shape)
    gamma = w.reshape(shape) if w is not None else 1.0
    gw = (g * xhat).sum(axis=axes)
    gb = g.sum(axis=axes)
    if s.training:
        n = x.size // x.shape[1]
        gx = gamma * invstd.reshape(shape) / n * (n * g - gb.reshape(shape)
                                                  - xhat * gw.reshape(shape))
    else:
        gx = g * gamma * invstd.reshape(shape)
    wrap = Tensor._from_array
    return (wrap(gx.astype(x.dtype)), wrap(gw.astype(x.dtype)) if w is not None else None,
            wrap(gb.astype(x.dtype)))


@defop("native_layer_norm", "NativeLayerNormBackward0", inputs=("input", "weight", "bias"),
       saves=("input", "normalized_shape", "weight", "bias", "result1", "result2"),
       n_outputs=3, formulas={"input": "layer-norm backward over the normalized dims",
                              "weight": "(grad * x_hat) summed over the batch dims",
                              "bias": "grad summed over the batch dims"})
def LAYER_NORM(x, w, b, *, normalized_shape, eps):
    axes = tuple(range(x.ndim - len(normalized_shape), x.ndim))
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    rstd = 1.0 / np.sqrt(var + eps)
    out = (x - mean) * rstd
    if w is not None:
        out = out * w
    if b is not None:
        out = out + b
    return out.astype(x.dtype, copy=False), mean.astype(x.dtype), rstd.astype(x.dtype)


@LAYER_NORM.derivative
def _(grads, s):
    g = grads[0]._data
    x = s.input._data
    axes = tuple(range(x.ndim - len(s.normalized_shape), x.ndim))
    batch_axes = tuple(range(x.ndim - len(s.normalized_shape)))
    mean, rstd = s.result1._data, s.result2._data
    xhat = (x - mean) * rstd
    w = s.weight._data if s.weight is not None else None
    gxhat = g * w if w is not None else g
    n = int(np.prod([x.shape[a] for a in axes]))
    gx = rstd / n * (n * gxhat - gxhat.sum(axis=axes, keepdims=True)
                     - xhat * (gxhat * xhat).sum(axis=axes, keepdims=True))
    wrap = Tensor._from_array
    gw = wrap((g * xhat).sum(axis=batch_axes).astype(x.dtype)) if w is not None else None
    gb = wrap(g.sum(axis=batch_axes).astype(x.dtype)) if s.bias is not None else None
    return wrap(gx.astype(x.dtype)), gw, gb


@defop("native_group_norm", "NativeGroupNormBackward0", inputs=("input", "weight", "bias"),
       saves=("input", "weight", "bias", "group", "result1", "result2"),
       n_outputs=3, formulas={"input": "normalization backward within each group",
                              "weight": "(grad * x_hat) summed over the batch and space",
                              "bias": "grad summed over the batch and space"})
def GROUP_NORM(x, w, b, *, group, eps):
    """torch's kernel: per (sample, group) mean and rstd, then y = x * scale + shift with
    scale = rstd * weight[c] and shift = bias[c] - scale * mean."""
    n, c = x.shape[:2]
    grouped = x.reshape(n, group, -1)
    mean = grouped.mean(-1, keepdims=True)
    rstd = (1.0 / np.sqrt(grouped.var(-1, keepdims=True) + eps)).astype(x.dtype)
    per_channel = (n, group, c // group, -1)
    scale = np.broadcast_to(rstd[..., None], per_channel[:3] + (1,))
    if w is not None:
        scale = scale * w.reshape(1, group, -1, 1)
    shift = -scale * mean[..., None]
    if b is not None:
        shift = shift + b.reshape(1, group, -1, 1)
    out = x.reshape(per_channel) * scale + shift
    return (out.reshape(x.shape).astype(x.dtype, copy=False), mean.reshape(n, group),
            rstd.reshape(n, group))


@GROUP_NORM.derivative
def _(grads, s):
    g = grads[0]._data
    x = s.input._data
    n, c = x.shape[:2]
    group = s.group
    shape = (n, group, c // group, -1)
    mean = s.result1._data.reshape(n, group, 1, 1)
    rstd = s.result2._data.reshape(n, group, 1, 1)
    xhat = (x.reshape(shape) - mean) * rstd
    gy = g.reshape(shape)
    w = s.weight._data if s.weight is not None else None
    gxhat = gy * w.reshape(1, group, -1, 1) if w is not None else gy
    m = xhat[0, 0].size
    gx = rstd / m * (m * gxhat - gxhat.sum(axis=(2, 3), keepdims=True)
                     - xhat * (gxhat * xhat).sum(axis=(2, 3), keepdims=True))
    wrap = Tensor._from_array
    gw = wrap((gy * xhat).sum(axis=(0, 3)).reshape(c).astype(x.dtype)) if w is not None else None
    gb = wrap(gy.sum(axis=(0, 3)).reshape(c).astype(x.dtype)) if s.bias is not None else None
    return wrap(gx.reshape(x.shape).astype(x.dtype)), gw, gb


# ---- embedding --------------------------------------------------------------------------------
@defop("embedding", "EmbeddingBackward0", inputs=("weight",),
       saves=("indices", "padding_idx", "weight_sym_sizes"),
       formulas={"weight": "zeros(weight.sizes()) with grad rows added at indices"})
def EMBEDDING(w, *, indices, padding_idx):
    return w[indices._data]


@EMBEDDING.derivative
def _(g, s):
    out = np.zeros(s.weight_sym_sizes, dtype=g.dtype.np)
    idx = s.indices._data.reshape(-1)
    rows = g._data.reshape(idx.size, -1)
    if s.padding_idx is not None:
        keep = idx != s.padding_idx
        idx, rows = idx[keep], rows[keep]
    np.add.at(out, idx, rows.reshape((idx.size,) + tuple(s.weight_sym_sizes[1:])))
    return Tensor._from_array(out)


# ---- padding --------------------------------------------------------------------------------
@defop("constant_pad_nd", "ConstantPadNdBackward0", saves=("pad",),
       formulas={"self": "grad with the padding cut off"})
def CONSTANT_PAD(x, *, pad, value):
    widths = [(0, 0)] * x.ndim
    for i in range(len(pad) // 2):
        widths[x.ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    neg = any(a < 0 or b < 0 for a, b in widths)
    out = np.pad(x, [(max(a, 0), max(b, 0)) for a, b in widths], constant_values=value)
    if neg:
        out = out[tuple(slice(-min(a, 0), out.shape[d] + min(b, 0))
                        for d, (a, b) in enumerate(widths))]
    return np.ascontiguousarray(out)


@CONSTANT_PAD.derivative
def _(g, s):
    return CONSTANT_PAD(g, pad=tuple(-p for p in s.pad), value=0)


# ---- reflection and replication padding ----------------------------------------------------------
def pad_sources(n: int, left: int, right: int, mode: str) -> np.ndarray:
    """For each output position along a padded dim, the input position it copies."""
    j = np.arange(-left, n + right)
    if mode == "reflect":
        j = np.abs(j)
        return np.where(j >= n, 2 * (n - 1) - j, j)
    if mode == "replicate":
        return np.clip(j, 0, n - 1)
    return j % n   # circular


def _padded_dims(ndim: int, padding) -> list:
    """(dim, left, right) for each padded dim: the pad pairs name the last dims first."""
    return [(ndim - 1 - i, padding[2 * i], padding[2 * i + 1]) for i in range(len(padding) // 2)]


def _pad_gather(x: np.ndarray, padding, mode: str) -> np.ndarray:
    for dim, left, right in _padded_dims(x.ndim, padding):
        x = np.take(x, pad_sources(x.shape[dim], left, right, mode), axis=dim)
    return np.ascontiguousarray(x)


def _pad_scatter(g: np.ndarray, sizes, padding, mode: str) -> np.ndarray:
    """The adjoint of _pad_gather: each output position's grad added to the input it copied."""
    for dim, left, right in _padded_dims(g.ndim, padding):
        shape = list(g.shape)
        shape[dim] = sizes[dim]
        out = np.zeros(shape, g.dtype)
        np.add.at(np.moveaxis(out, dim, 0), pad_sources(sizes[dim], left, right, mode),
                  np.moveaxis(g, dim, 0))
        g = out
    return g


def _define_pad(mode: str, torch_name: str, k: int):
    name = f"{torch_name[:-3].lower()}_pad{k}d"     # reflection_pad2d, replication_pad1d ...
    grad_fn = f"{torch_name}{k}DBackward0"

    @defop(name, grad_fn, saves=("padding", "self"),
           formulas={"self": f"{name}_backward(grad, self, padding): each padded cell's grad "
                             f"added to the input cell it copies"},
           reads={"self": ("padding", "self")})
    def forward(x, *, padding):
        return _pad_gather(x, padding, mode)

    @defop(f"{name}_backward", f"{torch_name}{k}DBackwardBackward0",
           inputs=("grad_output", "self"), saves=("padding",),
           formulas={"grad_output": f"{name}(grad, padding)", "self": "zeros_like(grad)"},
           reads={"grad_output": ("padding",), "self": ()})
    def backward(g, x, *, padding):
        """Takes self (for its sizes) as torch's does, so a double backward has its edge."""
        return _pad_scatter(g, x.shape, padding, mode)

    forward.derivative(lambda g, s: backward(g, s.self, padding=s.padding))
    backward.derivative(lambda g, s: (forward(g, padding=s.padding), zeros_like(g)))
    return forward


PADS = {(mode, k): _define_pad(mode, torch_name, k)
        for mode, torch_name in (("reflect", "ReflectionPad"), ("replicate", "ReplicationPad"))
        for k in (1, 2, 3)}


# ---- activations ------------------------------------------------------------------------------
@defop("threshold", "ThresholdBackward0", saves=("self", "threshold"),
       formulas={"self": "threshold_backward(grad, self, threshold)"})
def THRESHOLD(x, *, threshold, value):
    return np.where(x > threshold, x, np.asarray(value, dtype=x.dtype))


THRESHOLD.derivative(lambda g, s: THRESHOLD_BACKWARD(g, s.self, threshold=s.threshold))


# ---- other activations ----------------------------------------------------------------------
@defop("leaky_relu", "LeakyReluBackward0", saves=("self", "negative_slope"),
       formulas={"self": "grad * (self > 0 ? 1 : negative_slope)"})
def LEAKY_RELU(x, *, negative_slope):
    return np.where(x > 0, x, x * np.asarray(negative_slope, x.dtype))


LEAKY_RELU.derivative(lambda g, s: g * Tensor._from_array(
    np.where(s.self._data > 0, 1, s.negative_slope).astype(g.dtype.np)))


@defop("elu", "EluBackward0", saves=("alpha", "scale", "input_scale", "self"),
       formulas={"self": "grad * scale * (self > 0 ? 1 : alpha * input_scale * exp(self * input_scale))"})
def ELU(x, *, alpha, scale, input_scale):
    return (scale * np.where(x > 0, x, alpha * np.expm1(x * input_scale))).astype(x.dtype)


@ELU.derivative
def _(g, s):
    x = s.self._data
    d = s.scale * np.where(x > 0, 1.0, s.alpha * s.input_scale * np.exp(x * s.input_scale))
    return g * Tensor._from_array(d.astype(x.dtype))


def _gelu(x, approximate):
    if approximate == "tanh":
        k = math.sqrt(2 / math.pi)
        return 0.5 * x * (1 + np.tanh(k * (x + 0.044715 * x ** 3)))
    return 0.5 * x * (1 + elementwise(math.erf, x / math.sqrt(2)))


@defop("gelu", "GeluBackward0", saves=("approximate", "self"),
       formulas={"self": "grad * (Φ(self) + self * φ(self))"})
def GELU(x, *, approximate):
    return _gelu(x.astype(np.float64), approximate).astype(x.dtype)


@GELU.derivative
def _(g, s):
    x = s.self._data.astype(np.float64)
    if s.approximate == "tanh":
        k = math.sqrt(2 / math.pi)
        inner = k * (x + 0.044715 * x ** 3)
        t = np.tanh(inner)
        d = 0.5 * (1 + t) + 0.5 * x * (1 - t ** 2) * k * (1 + 3 * 0.044715 * x ** 2)
    else:
        cdf = 0.5 * (1 + elementwise(math.erf, x / math.sqrt(2)))
        d = cdf + x * np.exp(-0.5 * x ** 2) / math.sqrt(2 * math.pi)
    return g * Tensor._from_array(d.astype(g.dtype.np))


@defop("silu", "SiluBackward0", saves=("self",),
       formulas={"self": "grad * sigmoid(self) * (1 + self * (1 - sigmoid(self)))"})
def SILU(x):
    return x / (1 + np.exp(-x))


@SILU.derivative
def _(g, s):
    sig = s.self.sigmoid()
    return g * sig * (1 + s.self * (1 - sig))


@defop("softplus", "SoftplusBackward0", saves=("self", "beta", "threshold"),
       formulas={"self": "grad * sigmoid(beta * self)"})
def SOFTPLUS(x, *, beta, threshold):
    z = x * beta
    return np.where(z > threshold, x, np.log1p(np.exp(z)) / beta).astype(x.dtype)


@SOFTPLUS.derivative
def _(g, s):
    z = s.self * s.beta
    return g * Tensor._from_array(np.where(z._data > s.threshold, 1.0,
                                           1 / (1 + np.exp(-z._data))).astype(g.dtype.np))


# ---- losses -----------------------------------------------------------------------------------
_REDUCTIONS = {"none": 0, "mean": 1, "sum": 2}


def _reduce(values: np.ndarray, reduction: str):
    if reduction == "mean":
        return values.mean(dtype=np.float64 if values.dtype == np.float16 else None).astype(
            values.dtype)
    if reduction == "sum":
        return values.sum()
    return values


def _weighted(loss: np.ndarray, weight, reduction: str, dtype) -> np.ndarray:
    """Per-element losses times the optional weight, then the reduction."""
    if weight is not None:
        loss = loss * weight
    return np.asarray(_reduce(loss.astype(dtype), reduction))


def _unreduce(g: Tensor, shape, reduction: str) -> np.ndarray:
    gd = g._data
    if reduction == "none":
        return gd
    n = int(np.prod(shape)) if reduction == "mean" else 1
    return np.broadcast_to(gd / max(n, 1) if n != 1 else gd, shape)


@defop("mse_loss", "MseLossBackward0", inputs=("self", "target"),
       saves=("self", "target", "reduction"),
       formulas={"self": "2 * (self - target) * grad / N", "target": "-2 * (self - target) * grad / N"},
       reads={"self": ("self", "target"), "target": ("self", "target")})
def MSE(x, t, *, reduction, dtype):
    """dtype: the promoted type of input and target, which torch's kernel computes in."""
    return np.asarray(_reduce((x.astype(dtype) - t.astype(dtype)) ** 2, reduction))


@MSE.derivative
def _(g, s):   # as derivatives.yaml: an op of its own, so a second backward goes through it
    from .loss_grads import mse_loss_backward
    return (mse_loss_backward(g, s.self, s.target, s.reduction) if s.needs("self") else None,
            mse_loss_backward(g, s.target, s.self, s.reduction) if s.needs("target") else None)


@defop("smooth_l1_loss", "SmoothL1LossBackward0", inputs=("self", "target"),
       saves=("self", "target", "reduction", "beta"),
       formulas={"self": "grad * clamp((self - target) / beta, -1, 1) / N",
                 "target": "-(the same)"},
       reads={"self": ("self", "target", "beta"), "target": ()})
def SMOOTH_L1(x, t, *, reduction, beta):
    d = np.abs(x - t)
    loss = np.where(d < beta, 0.5 * d ** 2 / beta, d - 0.5 * beta) if beta > 0 else d
    return np.asarray(_reduce(loss.astype(x.dtype), reduction))


@SMOOTH_L1.derivative
def _(g, s):
    diff = (s.self - s.target)._data
    local = np.clip(diff / s.beta, -1, 1) if s.beta > 0 else np.sign(diff)
    gx = Tensor._from_array((local * _unreduce(g, diff.shape, s.reduction)).astype(diff.dtype))
    return gx, -gx


@defop("binary_cross_entropy", "BinaryCrossEntropyBackward0", inputs=("self", "target", "weight"),
       saves=("self", "target", "weight", "reduction"),
       formulas={"self": "grad * (self - target) / (self * (1 - self)) / N"},
       reads={"self": ("self", "target")})
def BCE(x, t, w, *, reduction):
    if np.any((x < 0) | (x > 1)):
        raise RuntimeError("all elements of input should be between 0 and 1")
    loss = -(t * np.maximum(np.log(x), -100) + (1 - t) * np.maximum(np.log1p(-x), -100))
    return _weighted(loss, w, reduction, x.dtype)


@BCE.derivative
def _(g, s):
    x, t = s.self._data, s.target._data
    eps = 1e-12
    local = (x - t) / np.maximum((1 - x) * x, eps)
    if s.weight is not None:
        local = local * s.weight._data
    gx = local * _unreduce(g, x.shape, s.reduction)
    return Tensor._from_array(gx.astype(x.dtype)), None, None


@defop("binary_cross_entropy_with_logits", "BinaryCrossEntropyWithLogitsBackward0",
       inputs=("self", "target", "weight", "pos_weight"),
       saves=("self", "target", "weight", "pos_weight", "reduction"),
       formulas={"self": "grad * (sigmoid(self) - target) / N  (with pos_weight)"},
       reads={"self": ("self", "target", "pos_weight")})
def BCE_LOGITS(x, t, w, pw, *, reduction):
    log_sig = -np.logaddexp(0, -x)          # log(sigmoid(x)), stable
    log_one_minus = -np.logaddexp(0, x)     # log(1 - sigmoid(x))
    positive = t if pw is None else pw * t
    return _weighted(-(positive * log_sig + (1 - t) * log_one_minus), w, reduction, x.dtype)


@BCE_LOGITS.derivative
def _(g, s):
    x, t = s.self._data, s.target._data
    sig = 1 / (1 + np.exp(-x))
    log_sig = -np.logaddexp(0, -x)
    pw = s.pos_weight._data if s.pos_weight is not None else None
    w = s.weight._data if s.weight is not None else 1.0
    upstream = _unreduce(g, x.shape, s.reduction)
    if pw is not None:
        gx = (pw * t + 1 - t) * sig - pw * t
        gt = (1 - pw) * log_sig - x
    else:
        gx, gt = sig - t, -x
    wrap = lambda a: Tensor._from_array(np.asarray(a).astype(x.dtype))  # noqa: E731
    return wrap(gx * w * upstream), wrap(gt * w * upstream), None, None


def _targets(t: np.ndarray, ignore_index: int) -> tuple:
    """(valid, safe): which targets count, and the targets with ignored ones read as class 0
    (t itself when none is ignored, the usual case, which costs no copy)."""
    valid = t != ignore_index
    return valid, (t if valid.all() else np.where(valid, t, 0))


@defop("nll_loss", "NllLossBackward0", inputs=("self", "weight"),
       saves=("self", "target", "weight", "reduction", "ignore_index"),
       formulas={"self": "-grad * weight[target] / total_weight at [i, target[i]], else 0"},
       reads={"self": ("target", "weight")})
def NLL(x, w, *, target, reduction, ignore_index):
    t = target._data
    classes = x.shape[1] if x.ndim > 1 else x.shape[0]
    valid, safe = _targets(t, ignore_index)
    if ((safe < 0) | (safe >= classes)).any():   # one screen: ignored targets are 0 in safe
        bad = valid & ((t < 0) | (t >= classes))
        if bad.any():
            raise IndexError(f"Target {t[bad].reshape(-1)[0]} is out of bounds.")
    picked = x[np.arange(t.shape[0]), safe] if x.ndim > 1 else x[safe]
    weights = w[safe] * valid if w is not None else valid.astype(x.dtype)
    loss = -picked * weights
    if reduction == "none":
        return loss.astype(x.dtype)
    if reduction == "sum":
        return np.asarray(loss.sum()).astype(x.dtype)
    return np.asarray(loss.sum() / weights.sum()).astype(x.dtype)


@NLL.derivative
def _(g, s):
    x = s.self._data
    t = s.target._data
    valid, safe = _targets(t, s.ignore_index)
    w = s.weight._data[safe] * valid if s.weight is not None else valid.astype(x.dtype)
    scale = g._data / w.sum() if s.reduction == "mean" else g._data
    gx = np.zeros_like(x)
    contrib = -(w * scale)
    if x.ndim > 1:
        gx[np.arange(t.shape[0]), safe] = contrib
    else:
        gx[safe] = contrib
    return Tensor._from_array(gx), None
