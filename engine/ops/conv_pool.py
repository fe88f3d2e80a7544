"""Convolution (plain and transposed) and pooling, for 1, 2 and 3 spatial dimensions.

Every receptive field is a strided window view of the padded input, so a convolution is one
im2col matmul per group and a pooling is one reduction over the window axes, never a Python
loop over pixels. A conv's input gradient is itself a convolution (of the output gradient with
the flipped kernel); average pooling's backward adds through the same windows, one strided add
per kernel tap. The backward formulas are NumPy, so they support one backward pass, not
create_graph through them."""
from __future__ import annotations

import itertools
import math

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..tensor import Tensor, exact_ints
from .registry import defop

__all__ = ["CONV", "MAX_POOL", "MAX_POOL_3D", "AVG_POOL", "AVG_POOL_3D", "ADAPTIVE_AVG",
           "ADAPTIVE_MAX"]


def windows(x: np.ndarray, kernel, stride, dilation) -> np.ndarray:
    """(N, C, *out, *kernel) view of an (N, C, *spatial) array: every window, no copy.

    as_strided does not check bounds, so the steps are checked here, whoever called: with
    positive strides, non-negative dilations and the output size below, every window lies
    inside x (the public functions raise PyTorch's messages before this). The steps are read
    as plain ints: a learner's int subclass must not do the arithmetic of that check."""
    kernel, stride, dilation = exact_ints(kernel), exact_ints(stride), exact_ints(dilation)
    if min(stride, default=1) < 1 or min(dilation, default=0) < 0 or \
            min(kernel, default=0) < 0:
        raise RuntimeError(f"window view out of bounds: kernel {tuple(kernel)}, stride "
                           f"{tuple(stride)}, dilation {tuple(dilation)}")
    spatial = x.shape[2:]
    out = tuple((n - d * (k - 1) - 1) // s + 1
                for n, k, s, d in zip(spatial, kernel, stride, dilation))
    st = x.strides[2:]
    return as_strided(x, x.shape[:2] + out + tuple(kernel),
                      x.strides[:2] + tuple(a * s for a, s in zip(st, stride))
                      + tuple(a * d for a, d in zip(st, dilation)), writeable=False)


def pad(x: np.ndarray, before, after=None, value=0.0) -> np.ndarray:
    after = before if after is None else after
    if not any(before) and not any(after):
        return x
    out = np.full(x.shape[:2] + tuple(b + n + a for b, n, a in zip(before, x.shape[2:], after)),
                  value, x.dtype)   # np.pad does the same in ~20 Python calls
    out[(..., *(slice(b, b + n) for b, n in zip(before, x.shape[2:])))] = x
    return out


def _tap(offset, dilation, stride, out) -> tuple:
    """The slice of the padded input that kernel tap `offset` touches, one per output."""
    return tuple(slice(o * d, o * d + s * (n - 1) + 1, s)
                 for o, d, s, n in zip(offset, dilation, stride, out))


def _conv(x, w, stride, padding, dilation, groups) -> np.ndarray:
    nd = x.ndim - 2
    cols = windows(pad(x, padding), w.shape[2:], stride, dilation)   # N, C, *out, *k
    og, cg = w.shape[0] // groups, w.shape[1]
    parts = [w[g * og:(g + 1) * og].reshape(og, -1) @ _im2col(cols[:, g * cg:(g + 1) * cg])
             for g in range(groups)]                                  # og, N * out
    out = parts[0] if groups == 1 else np.concatenate(parts)
    return np.moveaxis(out.reshape((-1, x.shape[0]) + cols.shape[2:2 + nd]), 0, 1)


def _im2col(cols: np.ndarray) -> np.ndarray:
    """The (C * kernel, N * out) matrix of a window view (N, C, *out, *kernel): copied with the
    output positions innermost, which walks the input in memory order."""
    nd = (cols.ndim - 2) // 2
    order = (1,) + tuple(range(2 + nd, 2 + 2 * nd)) + (0,) + tuple(range(2, 2 + nd))
    return cols.transpose(order).reshape(math.prod(cols.shape[1:2] + cols.shape[2 + nd:]), -1)


def _conv_input_grad(gy, w, in_shape, stride, padding, dilation, groups) -> np.ndarray:
    """The gradient of a conv's input (also: a transposed conv's output), as one convolution:
    the output gradient, spread out by the stride and padded by the kernel's reach, convolved
    with the kernel flipped in space and with its in and out channels swapped."""
    nd = gy.ndim - 2
    og = w.shape[0] // groups
    spread = gy
    if any(s > 1 for s in stride):
        spread = np.zeros(gy.shape[:2] + tuple((o - 1) * s + 1 for o, s in
                                                zip(gy.shape[2:], stride)), gy.dtype)
        spread[(slice(None), slice(None)) + tuple(slice(None, None, s) for s in stride)] = gy
    reach = tuple(d * (k - 1) for d, k in zip(dilation, w.shape[2:]))
    # cells of the padded input no window reaches (a stride that does not divide evenly)
    rest = tuple(n + 2 * p - (o - 1) * s - r - 1 for n, p, o, s, r in
                 zip(in_shape[2:], padding, gy.shape[2:], stride, reach))
    flipped = np.flip(w, tuple(range(2, 2 + nd)))
    kernel = np.concatenate([flipped[g * og:(g + 1) * og].swapaxes(0, 1) for g in range(groups)])
    gxp = _conv(pad(spread, reach, tuple(r + e for r, e in zip(reach, rest))), kernel,
                (1,) * nd, (0,) * nd, dilation, groups)
    core = (slice(None), slice(None)) + tuple(slice(p, p + n) for p, n in
                                              zip(padding, in_shape[2:]))
    return np.ascontiguousarray(gxp[core])


def _conv_weight_grad(x, gy, kernel, stride, padding, dilation, groups) -> np.ndarray:
    cols = windows(pad(x, padding), kernel, stride, dilation)
    og, cg = gy.shape[1] // groups, x.shape[1] // groups
    parts = [np.moveaxis(gy[:, g * og:(g + 1) * og], 1, 0).reshape(og, -1)
             @ _im2col(cols[:, g * cg:(g + 1) * cg]).T for g in range(groups)]
    return np.concatenate(parts).reshape((og * groups, cg) + tuple(kernel))


def _like_input_layout(out: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Contiguous, or channels-last when a 4-d input was (PyTorch keeps the format)."""
    if x.ndim == 4 and not x.flags.c_contiguous and x.shape[1] > 1 and \
            x.strides[1] == x.itemsize and x.strides[3] == x.shape[1] * x.itemsize:
        return np.ascontiguousarray(out.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
    return np.ascontiguousarray(out)


@defop("convolution", "ConvolutionBackward0", inputs=("input", "weight", "bias"),
       saves=("input", "weight", "stride", "padding", "dilation", "transposed",
              "output_padding", "groups", "bias_sym_sizes"),
       formulas={"input": "conv_transpose(grad, weight)  (conv(grad, weight) if transposed)",
                 "weight": "correlate(input, grad) over the batch",
                 "bias": "grad summed over the batch and spatial dims"},
       reads={"input": ("weight", "transposed"), "weight": ("input",), "bias": ()})
def CONV(x, w, b, *, stride, padding, dilation, groups, transposed=False,
         output_padding=None):
    if transposed:
        out_shape = _transposed_shape(x, w, stride, padding, dilation, output_padding, groups)
        # A transposed conv's weight (in, out/groups, *k) is exactly the weight of the conv
        # whose input gradient it computes.
        out = _conv_input_grad(x, w, out_shape, stride, padding, dilation, groups)
    else:
        out = _conv(x, w, stride, padding, dilation, groups)
    if b is not None:
        out = out + b.reshape((1, -1) + (1,) * (x.ndim - 2))
    return _like_input_layout(out.astype(x.dtype, copy=False), x)


def _transposed_shape(x, w, stride, padding, dilation, output_padding, groups) -> tuple:
    out_padding = output_padding or (0,) * (x.ndim - 2)
    spatial = tuple((n - 1) * s - 2 * p + d * (k - 1) + op + 1 for n, s, p, d, k, op in
                    zip(x.shape[2:], stride, padding, dilation, w.shape[2:], out_padding))
    return (x.shape[0], w.shape[1] * groups) + spatial


@CONV.derivative
def _(g, s):
    x, w, gy = s.input._data, s.weight._data, g._data
    stride, padding, dilation, groups = s.stride, s.padding, s.dilation, s.groups
    gx = gw = gb = None   # each only if that input gets a gradient (a batch of images doesn't)
    if s.transposed:     # y = conv_transpose(x, w): the roles of input and output swap
        if s.needs("input"):
            gx = _conv(gy, w, stride, padding, dilation, groups)
        if s.needs("weight"):
            gw = _conv_weight_grad(gy, x, w.shape[2:], stride, padding, dilation, groups)
    else:
        if s.needs("input"):
            gx = _conv_input_grad(gy, w, x.shape, stride, padding, dilation, groups)
        if s.needs("weight"):
            gw = _conv_weight_grad(x, gy, w.shape[2:], stride, padding, dilation, groups)
    if s.bias_sym_sizes is not None and s.needs("bias"):
        gb = gy.sum(axis=(0,) + tuple(range(2, gy.ndim)))
    return (None if gx is None else Tensor._from_array(gx.astype(x.dtype)),
            None if gw is None else Tensor._from_array(gw.astype(w.dtype)),
            None if gb is None else Tensor._from_array(gb))


# ---- pooling --------------------------------------------------------------------------------
def pool_output_size(n: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    """PyTorch's pooling_output_shape: windows along a dim of n cells (below 1: no window fits)."""
    size, eff = n + 2 * p, d * (k - 1) + 1
    out = (-(-(size - eff) // s) if ceil_mode else (size - eff) // s) + 1
    if ceil_mode and (out - 1) * s >= n + p:
        out -= 1
    return out


def _ceil_extra(shape, kernel, stride, padding, dilation, ceil_mode) -> tuple:
    """ceil_mode: cells added after the input so the last partial window counts."""
    return tuple(max((pool_output_size(n, k, s, p, d, ceil_mode) - 1) * s + d * (k - 1) + 1
                     - n - 2 * p, 0)
                 for n, k, s, p, d in zip(shape, kernel, stride, padding, dilation))


def _padded(x, kernel, stride, padding, dilation, ceil_mode, value):
    extra = _ceil_extra(x.shape[2:], kernel, stride, padding, dilation, ceil_mode)
    return pad(x, padding, tuple(p + e for p, e in zip(padding, extra)), value)


def _max_pool(x, *, kernel_size, stride, padding, dilation, ceil_mode):
    """PyTorch's walk over each window's taps, done for all windows at once: a tap wins if it
    is greater than the max so far, or NaN (so the last NaN wins). Padding never wins, and the
    index starts at the window's first real cell (an all -inf window points there)."""
    nd = x.ndim - 2
    low = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
    win = windows(_padded(x, kernel_size, stride, padding, dilation, ceil_mode, low),
                  kernel_size, stride, dilation)                 # N, C, *out, *kernel
    plane = x.shape[2:]
    starts = [np.arange(n) * s - p for n, s, p in zip(win.shape[2:2 + nd], stride, padding)]

    def flat(coords) -> np.ndarray:
        """Flat positions in the input plane of per-dim coordinates, broadcast over *out."""
        position = 0
        for d, c in enumerate(coords):
            position = position * plane[d] + c.reshape((-1,) + (1,) * (nd - d - 1))
        return position

    first = [np.where(s < 0, s + (dl - 1 - s) // dl * dl, s) for s, dl in zip(starts, dilation)]
    values = np.full(win.shape[:2 + nd], low, x.dtype)
    index = np.array(np.broadcast_to(flat(first), values.shape), np.int64, order="C")
    for taps in np.ndindex(*kernel_size):
        v = win[(...,) + taps]
        better = v > values
        if x.dtype.kind == "f":
            better |= np.isnan(v)
        _select(values, v, better)
        _select(index, flat([s + t * dl for s, t, dl in zip(starts, taps, dilation)]), better)
    return values, index


def _select(out: np.ndarray, new: np.ndarray, mask: np.ndarray) -> None:
    """out = new where mask, in place, on the bits (out ^= (out ^ new) & -mask): exact for
    any value, NaN payloads included, and 3-4x faster than np.copyto(out, new, where=mask)."""
    kind = f"i{out.itemsize}"
    bits, keep = out.view(kind), mask.astype(kind)
    np.negative(keep, out=keep)
    bits ^= (bits ^ new.view(kind)) & keep


def _max_pool_backward(grads, s):
    disjoint = all(st >= d * (k - 1) + 1
                   for st, k, d in zip(s.stride, s.kernel_size, s.dilation))
    return _grad_to_argmax(grads[0]._data, s.self.shape, s.result1._data, disjoint)


def _grad_to_argmax(g: np.ndarray, shape, indices: np.ndarray, disjoint: bool) -> Tensor:
    """Each output's gradient added at the input position its maximum came from. Disjoint
    windows send at most one gradient to a position: it is written (as 0 + g), not added."""
    n, c = shape[:2]
    out = np.zeros((n, c, int(np.prod(shape[2:]))), dtype=g.dtype)
    positions, g = indices.reshape(n, c, -1), g.reshape(n, c, -1)
    if disjoint:
        np.put_along_axis(out, positions, g + g.dtype.type(0), axis=-1)
    else:
        np.add.at(out, (np.arange(n)[:, None, None], np.arange(c)[None, :, None], positions), g)
    return Tensor._from_array(out.reshape(shape))


_POOL_SAVES = ("self", "kernel_size", "stride", "padding", "dilation", "ceil_mode", "result1")
MAX_POOL = defop("max_pool2d_with_indices", "MaxPool2DWithIndicesBackward0", saves=_POOL_SAVES,
                 n_outputs=2, formulas={"self": "grad sent to the argmax of each window"})(
    _max_pool)
MAX_POOL_3D = defop("max_pool3d_with_indices", "MaxPool3DWithIndicesBackward0",
                    saves=_POOL_SAVES, n_outputs=2,
                    formulas={"self": "grad sent to the argmax of each window"})(_max_pool)
for _op in (MAX_POOL, MAX_POOL_3D):
    _op.derivative(_max_pool_backward)


def _avg_divisor(in_spatial, out_spatial, kernel, stride, padding, count_include_pad,
                 override) -> np.ndarray:
    if override:
        return np.asarray(float(override))
    total = np.ones((), dtype=np.float64)
    for n, o, k, s, p in zip(in_spatial, out_spatial, kernel, stride, padding):
        start = np.arange(o) * s - p
        end = np.minimum(start + k, n + p)
        span = (np.minimum(end, n) - np.maximum(start, 0)) if not count_include_pad else \
            end - start
        total = np.multiply.outer(total, span)
    return total


def _avg_pool(x, *, kernel_size, stride, padding, ceil_mode, count_include_pad,
              divisor_override):
    nd = x.ndim - 2
    ones = (1,) * nd
    win = windows(_padded(x, kernel_size, stride, padding, ones, ceil_mode, 0.0),
                  kernel_size, stride, ones)
    total = win.sum(axis=tuple(range(2 + nd, 2 + 2 * nd)))
    div = _avg_divisor(x.shape[2:], total.shape[2:], kernel_size, stride, padding,
                       count_include_pad, divisor_override)
    return (total / div).astype(x.dtype)


def _avg_pool_backward(g, s):
    x = s.self
    nd = x.dim() - 2
    gy = g._data / _avg_divisor(x.shape[2:], g.shape[2:], s.kernel_size, s.stride, s.padding,
                                s.count_include_pad, s.divisor_override)
    extra = _ceil_extra(x.shape[2:], s.kernel_size, s.stride, s.padding, (1,) * nd,
                        s.ceil_mode)
    size = tuple(n + 2 * p + e for n, p, e in zip(x.shape[2:], s.padding, extra))
    gxp = np.zeros(tuple(x.shape[:2]) + size, dtype=gy.dtype)
    for offset in itertools.product(*(range(k) for k in s.kernel_size)):
        gxp[(slice(None), slice(None)) + _tap(offset, (1,) * nd, s.stride, gy.shape[2:])] += gy
    core = (slice(None), slice(None)) + tuple(slice(p, p + n) for p, n in
                                              zip(s.padding, x.shape[2:]))
    return Tensor._from_array(np.ascontiguousarray(gxp[core]).astype(x.dtype.np))


_AVG_SAVES = ("self", "kernel_size", "stride", "padding", "ceil_mode", "count_include_pad",
              "divisor_override")
AVG_POOL = defop("avg_pool2d", "AvgPool2DBackward0", saves=_AVG_SAVES,
                 formulas={"self": "grad / window size, spread over each window"})(_avg_pool)
AVG_POOL_3D = defop("avg_pool3d", "AvgPool3DBackward0", saves=_AVG_SAVES,
                    formulas={"self": "grad / window size, spread over each window"})(_avg_pool)
for _op in (AVG_POOL, AVG_POOL_3D):
    _op.derivative(_avg_pool_backward)


def _adaptive_cells(spatial, output_size):
    """PyTorch's adaptive bins: cell i spans [floor(i*n/o), ceil((i+1)*n/o))."""
    bounds = [[((i * n) // o, -(-((i + 1) * n) // o)) for i in range(o)]
              for n, o in zip(spatial, output_size)]
    return itertools.product(*[list(enumerate(b)) for b in bounds])


@defop("adaptive_avg_pool2d", "AdaptiveAvgPool2DBackward0", saves=("self",),
       formulas={"self": "grad / cell size, spread over each adaptive cell"})
def ADAPTIVE_AVG(x, *, output_size):
    out = np.empty(x.shape[:2] + tuple(output_size), dtype=x.dtype)
    for cell in _adaptive_cells(x.shape[2:], output_size):
        index = tuple(i for i, _ in cell)
        region = tuple(slice(a, b) for _, (a, b) in cell)
        out[(slice(None), slice(None)) + index] = x[(slice(None), slice(None)) + region].mean(
            axis=tuple(range(2, x.ndim)))
    return out


@ADAPTIVE_AVG.derivative
def _(g, s):
    x, gy = s.self, g._data
    gx = np.zeros(x.shape, dtype=gy.dtype)
    for cell in _adaptive_cells(x.shape[2:], gy.shape[2:]):
        index = (slice(None), slice(None)) + tuple(slice(i, i + 1) for i, _ in cell)
        region = (slice(None), slice(None)) + tuple(slice(a, b) for _, (a, b) in cell)
        gx[region] += gy[index] / np.prod([b - a for _, (a, b) in cell])
    return Tensor._from_array(gx)


@defop("adaptive_max_pool2d", "AdaptiveMaxPool2DBackward0", saves=("self", "result1"),
       n_outputs=2, formulas={"self": "grad sent to the argmax of each adaptive cell"})
def ADAPTIVE_MAX(x, *, output_size):
    values = np.empty(x.shape[:2] + tuple(output_size), dtype=x.dtype)
    indices = np.empty(values.shape, dtype=np.int64)
    width = x.shape[3]
    for cell in _adaptive_cells(x.shape[2:], output_size):
        (i, (h0, h1)), (j, (w0, w1)) = cell
        region = x[:, :, h0:h1, w0:w1].reshape(x.shape[:2] + (-1,))
        arg = region.argmax(-1)
        values[:, :, i, j] = np.take_along_axis(region, arg[..., None], -1)[..., 0]
        rows, cols = np.divmod(arg, w1 - w0)
        indices[:, :, i, j] = (rows + h0) * width + cols + w0
    return values, indices


ADAPTIVE_MAX.derivative(lambda grads, s: _grad_to_argmax(grads[0]._data, s.self.shape,
                                                         s.result1._data, disjoint=False))
