"""torch.functional: the module PyTorch defines some tensor functions in (`import
torch.functional as F` runs in tutorials). The names of its __all__ the engine implements,
the same functions as torch.<name>."""
from __future__ import annotations

import engine as _torch

_NAMES = ("atleast_1d", "atleast_2d", "atleast_3d", "broadcast_shapes", "broadcast_tensors",
          "cartesian_prod", "block_diag", "cdist", "chain_matmul", "einsum", "istft", "lu",
          "norm", "meshgrid", "pca_lowrank", "split", "stft", "svd_lowrank", "tensordot",
          "unique", "unique_consecutive", "unravel_index")
__all__ = [n for n in _NAMES if hasattr(_torch, n)]
globals().update({n: getattr(_torch, n) for n in __all__})
