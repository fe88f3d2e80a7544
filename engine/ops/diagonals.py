"""torch.diag and torch.diag_embed: a vector onto a matrix's diagonal, or a matrix's diagonal
as a new vector (torch: DiagEmbedBackward0, DiagonalBackward0_copy)."""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor
from .registry import defop, expose


def _on_diagonal(values: np.ndarray, offset: int, shape: tuple) -> np.ndarray:
    """Zeros of shape (per leading index of values) with values[..., i] at [..., i, i + offset]
    (below the diagonal for a negative offset)."""
    out = np.zeros(values.shape[:-1] + tuple(shape), values.dtype)
    i = np.arange(values.shape[-1])
    rows, cols = (i, i + offset) if offset >= 0 else (i - offset, i)
    out[..., rows, cols] = values
    return out


@defop("diag_embed", "DiagEmbedBackward0", saves=("offset",),
       formulas={"self": "grad.diagonal(offset, -2, -1)"})
def DIAG_EMBED(a, *, offset):
    n = a.shape[-1] + abs(offset)
    return _on_diagonal(a, offset, (n, n))


DIAG_EMBED.derivative(lambda g, s: g.diagonal(s.offset, -2, -1))


@defop("diagonal_copy", "DiagonalBackward0_copy", saves=("offset", "self_sym_sizes"),
       formulas={"self": "zeros(self.sizes()) with grad on the offset diagonal"})
def DIAGONAL_COPY(a, *, offset):
    return np.diagonal(a, offset).copy()


DIAGONAL_COPY.derivative(lambda g, s: Tensor._from_array(
    _on_diagonal(g._data, s.offset, s.self_sym_sizes)))


def diag_embed(input: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    if (dim1, dim2) != (-2, -1):
        raise NotImplementedError("diag_embed in Autograd Explorer's engine puts the diagonal in "
                                  "the last two dims (dim1=-2, dim2=-1)")
    return DIAG_EMBED(input, offset=offset)


def diag(input: Tensor, diagonal: int = 0) -> Tensor:
    """A 1-D input as the diagonal of a square matrix; a 2-D input's diagonal as a vector."""
    if input.dim() == 1:
        return DIAG_EMBED(input, offset=diagonal)
    if input.dim() == 2:
        return DIAGONAL_COPY(input, offset=diagonal)
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.dim()}D")


expose(diag)
expose(diag_embed)
