"""F.interpolate's kernels: nearest, nearest-exact and (bi/tri)linear resampling of the spatial
dims, one op per mode and rank as torch has (UpsampleNearest2DBackward0, ...).

Each spatial axis is resampled on its own, from the last axis to the first, as torch's kernel
nests them: an output element gathers input elements at per-axis indices, weighted (linear)
or not (nearest). The backward scatters the gradient back through the same indices and weights.
Index arithmetic is in float32, like torch's for float inputs, so nearest picks the same
elements; linear weights can differ from torch's in the last bit."""
from __future__ import annotations

import numpy as np

from .registry import defop

_F32 = np.float32


def _scale(n_in: int, n_out: int, scale, align_corners: bool, work=_F32):
    """torch's area_pixel_compute_scale: the input step per output step, in `work` (float32,
    or float64 for double inputs)."""
    if align_corners:
        return work((n_in - 1) / (n_out - 1)) if n_out > 1 else work(0)
    return work(1.0 / scale) if scale is not None and scale > 0 else work(work(n_in) / n_out)


def nearest_taps(n_in: int, n_out: int, scale, exact: bool) -> list:
    """[(input index per output index, weight or None)]: one tap for nearest."""
    dst = np.arange(n_out)
    if not exact and n_out == n_in:
        return [(dst, None)]
    if not exact and n_out == 2 * n_in:
        return [(dst >> 1, None)]
    s = _scale(n_in, n_out, scale, False)
    pos = (dst.astype(_F32) + _F32(0.5)) * s if exact else dst.astype(_F32) * s
    return [(np.minimum(np.floor(pos).astype(np.int64), n_in - 1), None)]


def linear_taps(n_in: int, n_out: int, scale, align_corners: bool, work=_F32) -> list:
    """Two taps, at floor(src) and the next index, weighted by the distance to each."""
    s = _scale(n_in, n_out, scale, align_corners, work)
    dst = np.arange(n_out).astype(work)
    half = work(0.5)
    src = s * dst if align_corners else np.maximum(s * (dst + half) - half, work(0))
    i0 = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
    w1 = np.clip(src - i0.astype(work), work(0), work(1))
    return [(i0, work(1) - w1), (i0 + (i0 < n_in - 1), w1)]


def _gather(x: np.ndarray, axis: int, taps: list) -> np.ndarray:
    shape = [1] * x.ndim
    shape[axis] = -1
    out = None
    for index, weight in taps:
        part = np.take(x, index, axis)
        part = part if weight is None else part * weight.astype(x.dtype).reshape(shape)
        out = part if out is None else out + part
    return out


def _scatter(g: np.ndarray, axis: int, n_in: int, taps: list) -> np.ndarray:
    shape = list(g.shape)
    shape[axis] = n_in
    out = np.zeros(shape, g.dtype)
    moved, target = np.moveaxis(g, axis, 0), np.moveaxis(out, axis, 0)
    for index, weight in taps:
        w = 1 if weight is None else weight.astype(g.dtype).reshape((-1,) + (1,) * (g.ndim - 1))
        np.add.at(target, index, moved * w)
    return out


def _resample_op(name: str, grad_fn: str, taps_of):
    """The op for one mode and rank: attrs output_size (spatial), scales, align_corners."""
    @defop(name, grad_fn, saves=("self_sym_sizes", "output_size", "scales", "align_corners"),
           formulas={"self": "grad scattered back through the same taps"})
    def op(x, *, output_size, scales, align_corners):
        spatial = len(output_size)
        for k in reversed(range(spatial)):
            axis = x.ndim - spatial + k
            x = _gather(x, axis, taps_of(x.shape[axis], output_size[k], scales[k],
                                         align_corners, _work(x)))
        return np.ascontiguousarray(x)

    @op.derivative
    def _(g, s):
        from ..tensor import Tensor
        spatial, sizes = len(s.output_size), s.self_sym_sizes
        out = g._data
        for k in range(spatial):
            axis = len(sizes) - spatial + k
            out = _scatter(out, axis, sizes[axis], taps_of(sizes[axis], s.output_size[k],
                                                           s.scales[k], s.align_corners,
                                                           _work(out)))
        return Tensor._from_array(out)
    return op


def _work(x: np.ndarray):
    """The type torch's linear kernels compute positions in: double for double, else float."""
    return np.float64 if x.dtype == np.float64 else _F32


def _nearest(exact: bool):
    """Nearest's positions are float32 whatever the input (torch's nearest_idx)."""
    return lambda n_in, n_out, scale, align, work: nearest_taps(n_in, n_out, scale, exact)


OPS = {
    ("nearest", 1): _resample_op("upsample_nearest1d", "UpsampleNearest1DBackward0",
                                 _nearest(False)),
    ("nearest", 2): _resample_op("upsample_nearest2d", "UpsampleNearest2DBackward0",
                                 _nearest(False)),
    ("nearest", 3): _resample_op("upsample_nearest3d", "UpsampleNearest3DBackward0",
                                 _nearest(False)),
    ("nearest-exact", 1): _resample_op("_upsample_nearest_exact1d",
                                       "UpsampleNearestExact1DBackward0", _nearest(True)),
    ("nearest-exact", 2): _resample_op("_upsample_nearest_exact2d",
                                       "UpsampleNearestExact2DBackward0", _nearest(True)),
    ("nearest-exact", 3): _resample_op("_upsample_nearest_exact3d",
                                       "UpsampleNearestExact3DBackward0", _nearest(True)),
    ("linear", 1): _resample_op("upsample_linear1d", "UpsampleLinear1DBackward0", linear_taps),
    ("bilinear", 2): _resample_op("upsample_bilinear2d", "UpsampleBilinear2DBackward0",
                                  linear_taps),
    ("trilinear", 3): _resample_op("upsample_trilinear3d", "UpsampleTrilinear3DBackward0",
                                   linear_taps),
}
