"""torch.linalg: the norms lessons use, and cross."""
from __future__ import annotations

from .ops.contractions import linalg_cross as cross
from .tensor import Tensor

__all__ = ["norm", "vector_norm", "matrix_norm", "cross"]


def vector_norm(x: Tensor, ord=2, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    return x.norm(ord, dim, keepdim, dtype=dtype)


def matrix_norm(A: Tensor, ord="fro", dim=(-2, -1), keepdim: bool = False, *,  # noqa: N803
                dtype=None) -> Tensor:
    if ord != "fro":
        raise NotImplementedError("only the Frobenius matrix norm is supported by Autograd "
                                  "Explorer's engine")
    return A.norm(2, dim, keepdim, dtype=dtype)


def norm(A: Tensor, ord=None, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:  # noqa: N803
    """The 2-norm of a vector, the Frobenius norm of a matrix (PyTorch's defaults)."""
    if ord is None or ord == "fro":
        return A.norm(2, dim, keepdim, dtype=dtype)
    if A.dim() == 1 or (dim is not None and not isinstance(dim, (tuple, list))):
        return vector_norm(A, ord, dim, keepdim, dtype=dtype)
    return matrix_norm(A, ord, dim if dim is not None else (-2, -1), keepdim, dtype=dtype)
