"""F.interpolate (and the deprecated F.upsample): torch's argument handling in front of the
resampling ops of engine/ops/upsample.py."""
from __future__ import annotations

import warnings

from ..ops.upsample import OPS
from ..tensor import Tensor

_NEEDS = {"linear": 3, "bilinear": 4, "trilinear": 5}


def interpolate(input: Tensor, size=None, scale_factor=None, mode: str = "nearest",
                align_corners=None, recompute_scale_factor=None,
                antialias: bool = False) -> Tensor:
    """Resample the spatial dims (all but N and C) to `size`, or by `scale_factor`."""
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    dim = input.dim() - 2
    output_size, scales = _sizes(input, dim, size, scale_factor)
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if recompute_scale_factor or (mode == "area" and output_size is None):
        output_size = [int(input.shape[i + 2] * scales[i]) for i in range(dim)]
        scales = None
    if antialias and not (mode in ("bilinear", "bicubic", "lanczos") and input.dim() == 4):
        raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos modes "
                         "and requires a 4-D tensor as input")
    if mode == "area" and 3 <= input.dim() <= 4:
        from . import functional as F
        pool = F.adaptive_avg_pool1d if input.dim() == 3 else F.adaptive_avg_pool2d
        return pool(input, output_size if input.dim() == 4 else output_size[0])
    op = OPS.get((mode, dim))
    if op is None:
        needed = _NEEDS.get(mode)
        if needed is not None and 3 <= input.dim() <= 5:
            raise NotImplementedError(f"Got {input.dim()}D input, but {mode} mode needs "
                                      f"{needed}D input")
        if mode in ("bicubic", "lanczos", "area") or antialias:
            raise NotImplementedError(f"interpolate mode {mode!r} is not supported by Autograd "
                                      "Explorer's engine")
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) for "
            "the modes: nearest | linear | bilinear | bicubic | trilinear | lanczos | area | "
            f"nearest-exact (got {mode})")
    if output_size is None:
        output_size = [int(input.shape[i + 2] * scales[i]) for i in range(dim)]
    return op(input, output_size=tuple(int(n) for n in output_size),
              scales=tuple(scales) if scales is not None else (None,) * dim,
              align_corners=bool(align_corners))


def _sizes(input: Tensor, dim: int, size, scale_factor):
    """(output size per spatial dim or None, scale factor per spatial dim or None)."""
    spatial = list(input.shape[2:])
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        if not isinstance(size, (list, tuple)):
            return [size] * dim, None
        if len(size) != dim:
            raise ValueError(
                f"Input and output must have the same number of spatial dimensions, but got input "
                f"with spatial dimensions of {spatial} and output size of {size}. Please provide "
                "input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) "
                "format.")
        return list(size), None
    if scale_factor is None:
        raise ValueError("either size or scale_factor should be defined")
    if not isinstance(scale_factor, (list, tuple)):
        return None, [scale_factor] * dim
    if len(scale_factor) != dim:
        raise ValueError(
            f"Input and scale_factor must have the same number of spatial dimensions, but got "
            f"input with spatial dimensions of {spatial} and scale_factor of shape "
            f"{scale_factor}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and "
            "scale_factor in (s1, s2, ...,sK) format.")
    return None, list(scale_factor)


def upsample(input: Tensor, size=None, scale_factor=None, mode: str = "nearest",
             align_corners=None) -> Tensor:
    warnings.warn("`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` "
                  "instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


__all__ = ["interpolate", "upsample"]
