"""torch.linalg: norms, cross, det, inv and svd."""
from __future__ import annotations

import math

from .ops.contractions import linalg_cross as cross
from .ops.decompositions import _LinAlgError as LinAlgError
from .ops.decompositions import det, inv, svdvals
from .ops.decompositions import linalg_svd as svd
from .tensor import Tensor, _wrap_dim

__all__ = ["norm", "vector_norm", "matrix_norm", "cross", "det", "inv", "svd", "svdvals",
           "LinAlgError"]


def vector_norm(x: Tensor, ord=2, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    return x.norm(ord, dim, keepdim, dtype=dtype)


def matrix_norm(A: Tensor, ord="fro", dim=(-2, -1), keepdim: bool = False, *,  # noqa: N803
                dtype=None) -> Tensor:
    """As torch composes it: 'fro' a vector 2-norm over both dims; 'nuc' and ±2 the sum, max
    or min of the singular values; ±1 and ±inf the max or min of column (row) 1-norms."""
    if ord not in ("fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf):
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    if A.dim() < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                           "dimensions.")
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    if len(dims) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got "
                           f"{' '.join(map(str, dims))}")
    d0, d1 = (_wrap_dim(d, A.dim()) for d in dims)
    if ord == "fro":
        return vector_norm(A, 2, (d0, d1), keepdim, dtype=dtype)
    if ord == "nuc" or ord in (2, -2):
        order = [i for i in range(A.dim()) if i not in (d0, d1)] + [d0, d1]
        moved = A.permute(order)
        values = svdvals(moved if dtype is None else moved.to(dtype))
        result = (values.sum(-1, keepdim) if ord == "nuc" else
                  values.amax(-1, keepdim) if ord > 0 else values.amin(-1, keepdim))
        if not keepdim:
            return result
        return result.unsqueeze(-1).permute(sorted(range(A.dim()), key=order.__getitem__))
    if abs(ord) == math.inf:   # the inf norm is the 1 norm of the transpose
        d0, d1 = d1, d0
    if not keepdim and d0 < d1:
        d1 -= 1
    sums = vector_norm(A, 1, d0, keepdim, dtype=dtype)
    return sums.amax(d1, keepdim) if ord > 0 else sums.amin(d1, keepdim)


def norm(A: Tensor, ord=None, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:  # noqa: N803
    """A vector norm over one dim (or all, flattened), a matrix norm over two: torch's
    dispatch on ord and dim."""
    if dim is None and ord is not None and A.dim() not in (1, 2):
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must "
                           f"be 1D or 2D. Got {A.dim()}D.")
    if isinstance(ord, str):
        return matrix_norm(A, ord, dim if dim is not None else (-2, -1), keepdim, dtype=dtype)
    if dim is not None:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        if len(dims) == 2 and ord is not None:
            return matrix_norm(A, ord, dims, keepdim, dtype=dtype)
        return vector_norm(A, 2 if ord is None else ord, dims, keepdim, dtype=dtype)
    if ord is None or A.dim() == 1:
        return vector_norm(A, 2 if ord is None else ord, None, keepdim, dtype=dtype)
    return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)
