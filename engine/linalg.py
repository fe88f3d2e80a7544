"""torch.linalg: norms, cross, det, inv and svd."""
from __future__ import annotations

import math

from .ops.parser import torch_function
from .ops.contractions import linalg_cross as cross
from .ops.decompositions import _LinAlgError as LinAlgError
from .ops.decompositions import det, inv, svdvals
from .ops.decompositions import linalg_svd as svd
from .tensor import Tensor, _wrap_dim

__all__ = ["norm", "vector_norm", "matrix_norm", "cross", "det", "inv", "svd", "svdvals",
           "LinAlgError"]


def vector_norm(input: Tensor, ord=2, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    return input.norm(ord, dim, keepdim, dtype=dtype)


def matrix_norm(input: Tensor, ord="fro", dim=(-2, -1), keepdim: bool = False, *,
                dtype=None) -> Tensor:
    """As torch composes it: 'fro' a vector 2-norm over both dims; 'nuc' and ±2 the sum, max
    or min of the singular values; ±1 and ±inf the max or min of column (row) 1-norms."""
    if ord not in ("fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf):
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    if input.dim() < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                           "dimensions.")
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    if len(dims) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got "
                           f"{' '.join(map(str, dims))}")
    d0, d1 = (_wrap_dim(d, input.dim()) for d in dims)
    if ord == "fro":
        return _vector_norm(input, 2, (d0, d1), keepdim, dtype=dtype)
    if ord == "nuc" or ord in (2, -2):
        order = [i for i in range(input.dim()) if i not in (d0, d1)] + [d0, d1]
        moved = input.permute(order)
        values = svdvals(moved if dtype is None else moved.to(dtype))
        result = (values.sum(-1, keepdim) if ord == "nuc" else
                  values.amax(-1, keepdim) if ord > 0 else values.amin(-1, keepdim))
        if not keepdim:
            return result
        return result.unsqueeze(-1).permute(sorted(range(input.dim()), key=order.__getitem__))
    if abs(ord) == math.inf:   # the inf norm is the 1 norm of the transpose
        d0, d1 = d1, d0
    if not keepdim and d0 < d1:
        d1 -= 1
    sums = _vector_norm(input, 1, d0, keepdim, dtype=dtype)
    return sums.amax(d1, keepdim) if ord > 0 else sums.amin(d1, keepdim)


def norm(input: Tensor, ord=None, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """A vector norm over one dim (or all, flattened), a matrix norm over two: torch's
    dispatch on ord and dim."""
    if dim is None and ord is not None and input.dim() not in (1, 2):
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must "
                           f"be 1D or 2D. Got {input.dim()}D.")
    if isinstance(ord, str):
        return _matrix_norm(input, ord, dim if dim is not None else (-2, -1), keepdim, dtype=dtype)
    if dim is not None:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        if len(dims) == 2 and ord is not None:
            return _matrix_norm(input, ord, dims, keepdim, dtype=dtype)
        return _vector_norm(input, 2 if ord is None else ord, dims, keepdim, dtype=dtype)
    if ord is None or input.dim() == 1:
        return _vector_norm(input, 2 if ord is None else ord, None, keepdim, dtype=dtype)
    return _matrix_norm(input, ord, (-2, -1), keepdim, dtype=dtype)


_vector_norm, _matrix_norm = vector_norm, matrix_norm   # unwrapped: a norm's own calls


# torch.linalg.<name> is torch's linalg_<name>, its first tensor named as torch names it
globals().update({name: torch_function(f"linalg_{name}", globals()[name], arg)
                  for name, arg in (("det", "A"), ("inv", "A"), ("svd", "A"), ("svdvals", "A"),
                                    ("cross", "input"), ("norm", "input"),
                                    ("vector_norm", "input"), ("matrix_norm", "input"))})
