"""Reductions, scans, sorting and softmax, one module per concern; importing the package
declares them all in the op registry and publishes torch.X / Tensor.X behind PyTorch's argument
checks (`arguments.binding`).

Reduction backward formulas all start the same way: put the reduced dims back (unsqueeze
unless keepdim) and expand the gradient to the input's shape (`common`). Results of reductions
are contiguous, as PyTorch's are; sort keeps a dense input's layout (its outputs are
empty_like). Half precision accumulates in float32, and float sums add in PyTorch's order
(`exact_sum`), as PyTorch's kernels do.

- `sums`: sum, nansum, mean, prod, all / any      - `moments`: var, std, var_mean, std_mean
- `extremes`: max, min, amax, aminmax, argmax      - `norms`: norm, vector_norm, logsumexp
- `scans`: cumsum, cumprod, cummax, logcumsumexp   - `sorting`: sort, topk, kthvalue, median
- `softmax`: softmax, log_softmax
"""
from __future__ import annotations

from . import extremes, moments, norms, scans, softmax, sorting, sums  # noqa: F401
from .common import return_type
from .norms import NORM

__all__ = ["NORM", "return_type"]
