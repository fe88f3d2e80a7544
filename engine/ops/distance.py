"""torch.cdist: the p-norm distance between each row of x1 and each row of x2.

Two kernels, chosen as torch chooses: for p=2 with more than 25 rows (or when asked) the
matrix-product form |a|^2 - 2 a.b + |b|^2 (EuclideanDistBackward0), else the direct one
(CdistBackward0)."""
from __future__ import annotations

import math

import numpy as np

from ..tensor import Tensor
from .registry import broadcast_shapes, defop, expose

_MODES = {"use_mm_for_euclid_dist_if_necessary": 0, "use_mm_for_euclid_dist": 1,
          "donot_use_mm_for_euclid_dist": 2}


def _p_norm(diff: np.ndarray, p: float) -> np.ndarray:
    if p == 0:
        return (diff != 0).sum(-1).astype(diff.dtype)
    if p == 1:
        return diff.sum(-1)
    if p == 2:
        return np.sqrt((diff * diff).sum(-1))
    if p == math.inf:
        return diff.max(-1, initial=0)
    return (diff ** diff.dtype.type(p)).sum(-1) ** diff.dtype.type(1 / p)


@defop("_cdist_forward", "CdistBackward0", inputs=("x1", "x2"),
       saves=("x1", "x2", "p", "result"),
       formulas={"x1": "sum_j grad_ij * d|x1_i - x2_j|_p / dx1_i",
                 "x2": "sum_i grad_ij * d|x1_i - x2_j|_p / dx2_j"})
def CDIST(a, b, *, p):
    return _p_norm(np.abs(a[..., :, None, :] - b[..., None, :, :]), p)


def _p_norm_grad(diff: Tensor, dist: Tensor, grad: Tensor, p: float) -> Tensor:
    """d|diff|_p / d diff times grad, elementwise (dist broadcasts against diff)."""
    if p == 0:
        return diff * 0
    if p == 1:
        return diff.sign() * grad
    if p == math.inf:
        return diff.sign() * (diff.abs() == dist) * grad
    scale = diff * diff.abs().pow(p - 2) if p >= 2 else diff.sign() * diff.abs().pow(p - 1)
    return (scale / dist.pow(p - 1) * grad).masked_fill(dist == 0, 0)


@CDIST.derivative
def _(g, s):
    diff = s.x1.unsqueeze(-2) - s.x2.unsqueeze(-3)
    each = _p_norm_grad(diff, s.result.unsqueeze(-1), g.unsqueeze(-1), s.p)
    return (each.sum(-2).sum_to_size(s.x1.shape), (-each).sum(-3).sum_to_size(s.x2.shape))


@defop("dist", "DistBackward0", inputs=("self", "other"), saves=("self", "other", "p", "result"),
       formulas={"self": "norm_backward(grad, self - other, p, result)",
                 "other": "-norm_backward(grad, self - other, p, result)"},
       reads={"self": ("self", "other", "p", "result"),
              "other": ("self", "other", "p", "result")})
def DIST(a, b, *, p):
    """The 2-norm of a - b as torch.norm's kernel adds it (torch computes dist so)."""
    from .reduction import NORM
    diff = np.subtract(a, b, dtype=a.dtype)
    return NORM.forward(diff, ord=p, dim=None, keepdim=False, dtype=diff.dtype)


@DIST.derivative
def _(g, s):
    if s.p == 0:   # torch's norm_backward: no gradient for the count of nonzeros; negating
        if s.needs("other"):   # that nothing, for `other`, fails
            raise RuntimeError("Expected a proper Tensor but got None (or an undefined Tensor "
                               "in C++) for argument #0 'self'")
        return None, None
    each = _p_norm_grad(s.self - s.other, s.result, g, s.p)
    return each.sum_to_size(s.self.shape), (-each).sum_to_size(s.other.shape)


@defop("_euclidean_dist", "EuclideanDistBackward0", inputs=("x1", "x2"),
       saves=("x1", "x2", "result"),
       formulas={"x1": "x1 * ratio.sum(-1) - ratio @ x2, ratio = grad / result",
                 "x2": "x2 * ratio.sum(-2) - ratio.mT @ x1"},
       reads={"x1": ("x1", "x2", "result"), "x2": ("x1", "x2")})
def EUCLIDEAN_DIST(a, b):
    """torch's _euclidean_dist: [-2a, |a|^2, 1] @ [b, 1, |b|^2].T, clamped at 0, rooted."""
    a_norm = (a * a).sum(-1, keepdims=True)
    b_norm = (b * b).sum(-1, keepdims=True)
    a_ = np.concatenate([a * a.dtype.type(-2), a_norm, np.ones_like(a_norm)], -1)
    b_ = np.concatenate([b, np.ones_like(b_norm), b_norm], -1)
    return np.sqrt(np.maximum(a_ @ np.swapaxes(b_, -1, -2), 0))


@EUCLIDEAN_DIST.derivative
def _(g, s):
    ratio = (g / s.result).masked_fill(s.result == 0, 0)
    return (s.x1 * ratio.sum(-1, keepdim=True) - ratio @ s.x2,
            s.x2 * ratio.sum(-2).unsqueeze(-1) - ratio.mT @ s.x1)


def cdist(x1: Tensor, x2: Tensor, p: float = 2.0,
          compute_mode: str = "use_mm_for_euclid_dist_if_necessary") -> Tensor:
    for name, x in (("X1", x1), ("X2", x2)):
        if x.dim() < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: "
                               f"{x.dim()}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: "
                           f"{x1.shape[-1]} X2: {x2.shape[-1]}")
    for name, x in (("X1", x1), ("X2", x2)):
        if not x.dtype.is_floating_point:
            raise RuntimeError(f"cdist only supports floating-point dtypes, {name} got: "
                               f"{x.dtype.scalar_name}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    if compute_mode not in _MODES:
        raise RuntimeError(f"{compute_mode} is not a valid value for compute_mode")
    mode = _MODES[compute_mode]
    r1, r2 = x1.shape[-2], x2.shape[-2]
    if x1.numel() and x2.numel() and p == 2 and (mode == 1 or (mode == 0 and (r1 > 25 or r2 > 25))):
        return _by_matrix_product(x1, x2)
    return CDIST(x1, x2, p=float(p))


def _by_matrix_product(x1: Tensor, x2: Tensor) -> Tensor:
    """torch's cdist_impl: batch dims broadcast and folded into one, then _euclidean_dist."""
    r1, r2, c = x1.shape[-2], x2.shape[-2], x1.shape[-1]
    if x1.dim() == 2 and x2.dim() == 2:
        return EUCLIDEAN_DIST(x1, x2).view(r1, r2)
    batch = broadcast_shapes(tuple(x1.shape[:-2]), tuple(x2.shape[:-2]))
    n = int(np.prod(batch))
    a = x1.expand(batch + (r1, c)).contiguous().view(n, r1, c)
    b = x2.expand(batch + (r2, c)).contiguous().view(n, r2, c)
    return EUCLIDEAN_DIST(a, b).view(batch + (r1, r2))


def dist(input: Tensor, other: Tensor, p: float = 2) -> Tensor:
    """The p-norm of input - other (broadcast), as one op."""
    broadcast_shapes(tuple(input.shape), tuple(other.shape))
    if not (input.dtype.is_floating_point and other.dtype.is_floating_point):
        bad = other if input.dtype.is_floating_point else input
        raise RuntimeError(f"norm(): input dtype should be either floating point or complex. "
                           f"Got {bad.dtype.scalar_name} instead.")
    return DIST(input, other, p=float(p))


expose(cdist, method=False)
expose(dist)
