"""Backwards of losses as ops of their own, so a second derivative shows torch's node
(mse_loss's gradient is mse_loss_backward: MseLossBackwardBackward0, as in derivatives.yaml).

    mse_loss_backward(grad_output, self, target) = norm * (self - target) * grad_output,
    norm = 2 / numel for reduction="mean", else 2
"""
from __future__ import annotations

import numpy as np

from ..dtypes import promote_types
from .registry import defop


def _norm(reduction: str, numel: int) -> float:
    return 2.0 / numel if reduction == "mean" else 2.0


@defop("mse_loss_backward", "MseLossBackwardBackward0",
       inputs=("grad_output", "self", "target"),
       saves=("grad_output", "reduction", "self", "target"),
       formulas={"grad_output": "Σ grad * norm * (self - target)  (elementwise if unreduced)",
                 "self": "grad * grad_output * norm",
                 "target": "-grad * grad_output * norm"},
       reads={"grad_output": ("reduction", "self", "target"),
              "self": ("grad_output", "reduction", "self"),
              "target": ("grad_output", "reduction", "self")})
def MSE_LOSS_BACKWARD(g, x, t, *, reduction, dtype):
    """dtype: the promoted type of self and target (torch's kernel computes in it)."""
    norm = np.asarray(_norm(reduction, x.size), dtype=dtype)
    return np.ascontiguousarray(norm * (x.astype(dtype) - t.astype(dtype)) * g.astype(dtype))


@MSE_LOSS_BACKWARD.derivative
def _(grad, s):
    norm = _norm(s.reduction, s.self.numel())
    grad_go = None
    if s.needs("grad_output"):
        grad_go = grad * (s.self - s.target) * norm
        if s.reduction != "none":
            grad_go = grad_go.sum()
    scaled = grad * s.grad_output * norm
    return grad_go, scaled, -scaled


def mse_loss_backward(grad_output, self, target, reduction: str):
    """The gradient of mse_loss with respect to `self` (with respect to target: swap them)."""
    return MSE_LOSS_BACKWARD(grad_output, self, target, reduction=reduction,
                             dtype=promote_types(self.dtype, target.dtype).np)
