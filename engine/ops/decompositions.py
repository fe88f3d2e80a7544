"""Determinant, inverse and singular value decomposition, as torch.linalg computes them
(LAPACK through NumPy), with torch's grad_fn names and backward formulas."""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor
from .creation import eye, zeros
from .reduction import return_type
from .registry import defop, expose, writes_out

SVD_RESULT = return_type("linalg_svd", ("U", "S", "Vh"))
SVD_OLD_RESULT = return_type("svd", ("U", "S", "V"))


class _LinAlgError(RuntimeError):
    """torch.linalg.LinAlgError: a matrix the algorithm cannot work with (singular for inv)."""


def _check_matrices(name: str, A: Tensor, square: bool = True) -> None:
    if A.dim() < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    if not A.dtype.is_floating_point:
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. "
                           f"Got {A.dtype.scalar_name}")
    if square and A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {A.shape[-1]} matrices")


def _column_major(a: np.ndarray) -> np.ndarray:
    """a laid out as LAPACK writes its results (each matrix column by column), as torch's are."""
    return np.swapaxes(np.ascontiguousarray(np.swapaxes(a, -1, -2)), -1, -2)


def _first_zero_pivot(a: np.ndarray) -> int:
    """The 1-based index of the first exactly zero pivot of LU with partial pivoting (LAPACK's
    getrf info, which torch's error for a singular matrix names), 0 if there is none."""
    u = a.astype(np.float64).copy()
    n = u.shape[0]
    for k in range(n):
        p = k + int(np.argmax(np.abs(u[k:, k])))
        if u[p, k] == 0:
            return k + 1
        u[[k, p]] = u[[p, k]]
        u[k + 1:] -= np.outer(u[k + 1:, k] / u[k, k], u[k])
    return 0


# ---- det -----------------------------------------------------------------------------------------
@defop("linalg_det", "LinalgDetBackward0", inputs=("A",), saves=("A", "result"),
       formulas={"A": "grad * det(A) * inv(A).mT"})
def LINALG_DET(a):
    return np.asarray(np.linalg.det(a))


@LINALG_DET.derivative
def _(g, s):
    scale = (g * s.result).unsqueeze(-1).unsqueeze(-1)
    return scale * LINALG_INV(s.A).mT


def det(A: Tensor) -> Tensor:  # noqa: N803 - torch's name
    _check_matrices("linalg.det", A)
    return LINALG_DET(A)


# ---- inv -----------------------------------------------------------------------------------------
@defop("linalg_inv_ex", "LinalgInvExBackward0", inputs=("A",), saves=("result",),
       formulas={"A": "-inverse.mT @ grad @ inverse.mT"})
def LINALG_INV(a):
    try:
        return _column_major(np.linalg.inv(a))
    except np.linalg.LinAlgError:
        matrices = a.reshape((-1,) + a.shape[-2:])
        k = next(i for i, m in enumerate(matrices) if _first_zero_pivot(m))
        batch = f"(Batch element {k}): " if a.ndim > 2 else ""
        raise _LinAlgError(f"linalg.inv: {batch}The diagonal element "
                           f"{_first_zero_pivot(matrices[k])} is zero, the inversion could not "
                           "be completed because the input matrix is singular.") from None


LINALG_INV.derivative(lambda g, s: -(s.result.mT @ g @ s.result.mT))


@writes_out
def inv(A: Tensor, *, out=None) -> Tensor:  # noqa: N803 - torch's name
    _check_matrices("linalg.inv", A)
    return LINALG_INV(A)


# ---- svd -----------------------------------------------------------------------------------------
@defop("linalg_svd", "LinalgSvdBackward0", inputs=("A",), saves=("full_matrices", "result0",
                                                                 "result1", "result2"),
       n_outputs=3, differentiable_outputs=(0, 1, 2),
       formulas={"A": "U (sym(U^H gU) S + S sym(Vh gV) ) / (S_j^2 - S_i^2) Vh + U diag(gS) Vh"})
def LINALG_SVD(a, *, full_matrices):
    u, s, vh = np.linalg.svd(a, full_matrices=full_matrices)
    return _column_major(u), s.astype(a.dtype), _column_major(vh)


@LINALG_SVD.derivative
def _(grads, s):
    return svd_backward(grads, s.result0, s.result1, s.result2, s.full_matrices)


def svd_backward(grads, U: Tensor, S: Tensor, Vh: Tensor, full_matrices: bool) -> Tensor:  # noqa: N803
    """torch's svd_backward for real inputs: gA from gU, gS, gVh (any may be None)."""
    gU, gS, gVh = grads  # noqa: N806
    m, n = U.shape[-2], Vh.shape[-1]
    k = S.shape[-1]
    if gU is None and gVh is None:
        return U[..., :k] @ (gS.unsqueeze(-1) * Vh[..., :k, :]) if m >= n else \
            (U[..., :, :k] * gS.unsqueeze(-2)) @ Vh[..., :k, :]
    if full_matrices:
        U, Vh = U[..., :, :k], Vh[..., :k, :]  # noqa: N806
        gU = gU[..., :, :k] if gU is not None else None  # noqa: N806
        gVh = gVh[..., :k, :] if gVh is not None else None  # noqa: N806
    V = Vh.mT  # noqa: N806
    gV = gVh.mT if gVh is not None else None  # noqa: N806

    def skew(X):  # noqa: N803
        return X - X.mT

    S2 = S * S  # noqa: N806
    E = S2.unsqueeze(-2) - S2.unsqueeze(-1)  # noqa: N806
    E.diagonal(0, -2, -1).fill_(1)
    if gU is not None and gV is not None:
        gA = (skew(U.mT @ gU) * S.unsqueeze(-2) + S.unsqueeze(-1) * skew(V.mT @ gV)) / E  # noqa: N806
    elif gU is not None:
        gA = skew(U.mT @ gU) / E * S.unsqueeze(-2)  # noqa: N806
    else:
        gA = S.unsqueeze(-1) * skew(V.mT @ gV) / E  # noqa: N806
    if gS is not None:   # + diag(gS)
        gA = gA + gS.unsqueeze(-1) * eye(k, dtype=gS.dtype)  # noqa: N806
    if m > n and gU is not None:
        gA = U @ gA  # noqa: N806
        gUSinv = gU / S.unsqueeze(-2)  # noqa: N806
        gA = (gA + gUSinv - U @ (U.mT @ gUSinv)) @ Vh  # noqa: N806
    elif m < n and gV is not None:
        gA = gA @ Vh  # noqa: N806
        gVSinv = gV / S.unsqueeze(-2)  # noqa: N806
        gA = U @ (gA + gVSinv.mT - (gVSinv.mT @ V) @ Vh)  # noqa: N806
    elif m >= n:
        gA = U @ (gA @ Vh)  # noqa: N806
    else:
        gA = (U @ gA) @ Vh  # noqa: N806
    return gA


def linalg_svd(A: Tensor, full_matrices: bool = True, *, driver=None, out=None):  # noqa: N803
    _check_matrices("linalg.svd", A, square=False)
    return SVD_RESULT(LINALG_SVD(A, full_matrices=full_matrices))


def svd(input: Tensor, some: bool = True, compute_uv: bool = True, *, out=None):
    """The older torch.svd: V rather than Vh, reduced unless some=False; without compute_uv,
    U and V are zeros of their full shapes."""
    _check_svd(input)
    if not compute_uv:
        S = svdvals(input)  # noqa: N806
        m, n = input.shape[-2:]
        batch = tuple(input.shape[:-2])
        return SVD_OLD_RESULT((zeros(batch + (m, m), dtype=input.dtype), S,
                               zeros(batch + (n, n), dtype=input.dtype).mT))
    U, S, Vh = LINALG_SVD(input, full_matrices=not some)  # noqa: N806
    return SVD_OLD_RESULT((U, S, Vh.mT))


def svdvals(A: Tensor, *, driver=None, out=None) -> Tensor:  # noqa: N803
    _check_matrices("linalg.svd", A, square=False)
    return LINALG_SVD(A, full_matrices=False)[1]


def _check_svd(A: Tensor) -> None:  # noqa: N803
    """torch.svd's own check of the rank, then linalg.svd's."""
    if A.dim() < 2:
        raise RuntimeError(f"linalg.svd: input should have at least 2 dimensions, but has "
                           f"{A.dim()} dimensions instead")
    _check_matrices("linalg.svd", A, square=False)


expose(det)
expose(inv, "inverse")
expose(svd)
