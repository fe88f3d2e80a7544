"""Norms (torch.norm, linalg.vector_norm) and logsumexp."""
from __future__ import annotations

import math

import numpy as np

from ... import dtypes
from ...tensor import Tensor
from ..arguments import is_int
from ..registry import defop
from .common import (contiguous, normalized_dims, np_axis, publish, unsqueeze_reduced, where,
                     wide, zero)


def _fmt(v) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def _trailing_contiguous(a: np.ndarray, axis: tuple) -> bool:
    """Are the reduced dims the last ones, and laid out one after another in memory?"""
    k = len(axis)
    if sorted(axis) != list(range(a.ndim - k, a.ndim)) or k == 0:
        return False
    step = a.itemsize
    for n, stride in zip(reversed(a.shape[a.ndim - k:]), reversed(a.strides[a.ndim - k:])):
        if n != 1 and stride != step:
            return False
        step *= n
    return True


def _all(axis, ndim: int) -> tuple:
    return tuple(range(ndim)) if axis is None else tuple(axis)


def _reduced_shape(shape: tuple, axis: tuple, keepdim: bool) -> tuple:
    return tuple(1 if i in axis else n for i, n in enumerate(shape) if keepdim or i not in axis)


def _inner_sum_of_squares(rows: np.ndarray) -> np.ndarray:
    """Each row's sum of squares in float32 as torch's 2-norm kernel adds them along a contiguous
    run: 8 lanes collect the squares of whole groups of 8 and are then added in order; of the
    rest, groups of 4 squares are added in order and the last few fused in (fma)."""
    n = rows.shape[1]
    squares = rows * rows
    whole = n - n % 8
    total = np.zeros(rows.shape[0], np.float32)
    if whole:
        lanes = np.add.reduce(squares[:, :whole].reshape(rows.shape[0], -1, 8), axis=1)
        for j in range(8):
            total = total + lanes[:, j]
    fours = whole + (n - whole) // 4 * 4
    for i in range(whole, fours):
        total = total + squares[:, i]
    for i in range(fours, n):   # fma(x, x, total): exact in float64, rounded once
        total = (rows[:, i].astype(np.float64) ** 2 + total).astype(np.float32)
    return total


@defop("linalg_vector_norm", "LinalgVectorNormBackward0",
       saves=("dim", "keepdim", "ord", "result", "self"),
       formulas={"self": "grad * self * |self|^(ord-2) / result^(ord-1), grad and result "
                         "unsqueezed on dim unless keepdim"})
def NORM(a, *, ord, dim, keepdim, dtype):
    x = np.abs(wide(a.astype(dtype, copy=False)))
    axis = np_axis(dim, a.ndim)
    if ord == math.inf:
        out = np.max(x, axis=axis, keepdims=keepdim)
    elif ord == -math.inf:
        out = np.min(x, axis=axis, keepdims=keepdim)
    elif ord == 0:
        out = np.sum(x != 0, axis=axis, keepdims=keepdim)
    elif ord == 1:
        out = np.sum(x, axis=axis, keepdims=keepdim)
    elif ord == 2 and x.dtype == np.float32 and _trailing_contiguous(a, _all(axis, a.ndim)):
        axes = _all(axis, a.ndim)
        rows = x.reshape((-1, math.prod(a.shape[a.ndim - len(axes):])))
        out = np.sqrt(_inner_sum_of_squares(rows)).reshape(_reduced_shape(a.shape, axes, keepdim))
    elif ord == 2:
        out = np.sqrt(np.sum(x * x, axis=axis, keepdims=keepdim))
    else:
        out = np.power(np.sum(np.power(x, ord), axis=axis, keepdims=keepdim), 1.0 / ord)
    return contiguous(np.asarray(out).astype(dtype))


@NORM.derivative
def _(g, s):
    """PyTorch's norm_backward, formula by formula (ord 0 has no gradient)."""
    x, p, dims, norm = s.self, s.ord, s.dim, s.result
    if not s.keepdim and x.dim() != 0 and dims is not None:  # no dim: the grad broadcasts
        g = unsqueeze_reduced(g, x.shape, dims, False)
        norm = unsqueeze_reduced(norm, x.shape, dims, False)
    nothing = zero(g)
    if p == 0:
        return None
    if p == 1:
        return x.sgn() * g
    if p == 2:
        return g * where(norm == 0, nothing, x / norm)
    if math.isinf(p):
        absx = x.abs()
        mask = absx.eq(norm).logical_or(absx.isnan())
        count = mask.sum(dims if dims is not None else tuple(range(x.dim())), keepdim=True) \
            if x.dim() else mask.sum()
        return x.sgn() * ((g / count) * mask)
    if p < 1:
        scaled = x.sgn() * where(x == 0, nothing, x.abs().pow(p - 1))
        return scaled * g * norm.pow(1 - p)
    scale = where(norm == 0, nothing, g / norm.pow(p - 1))
    return (x.sgn() * x.abs().pow(p - 1) if p < 2 else x * x.abs().pow(p - 2)) * scale


def vector_norm(input: Tensor, ord=2, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {input.dtype.scalar_name}")
    if dtype is not None and dtypes.promote_types(input.dtype, dtype) is not dtype:
        raise RuntimeError(f"linalg.vector_norm: the dtype of the input ({input.dtype.scalar_name}"
                           f") should be convertible without narrowing to the specified dtype "
                           f"({dtype.scalar_name})")
    dims = normalized_dims(dim, input.dim())
    if input.numel() == 0 and (ord < 0 or ord == math.inf):
        if dims is None:
            raise RuntimeError(f"linalg.vector_norm cannot compute the {_fmt(ord)} norm on an "
                               "empty tensor because the operation does not have an identity")
        raw = (dim,) if is_int(dim) else tuple(dim)
        for d, wrapped in zip(raw, dims):
            if input.shape[wrapped] == 0:
                raise RuntimeError(f"linalg.vector_norm cannot compute the {_fmt(ord)} norm on "
                                   f"the dimension {d}because this dimension is empty and the "
                                   "operation does not have an identity")
    return NORM(input, ord=float(ord), dim=dims, keepdim=keepdim,
                dtype=(dtype or input.dtype).np)


def norm(input: Tensor, p="fro", dim=None, keepdim: bool = False, out=None,
         dtype=None) -> Tensor:
    """torch.norm: a vector norm over dim (all dims by default); 'fro' over at most 2 dims."""
    if isinstance(p, str):
        if p == "fro" and (dim is None or is_int(dim) or len(dim) <= 2):
            return vector_norm(input, 2, dim, keepdim, dtype=dtype)
        dims = list(range(input.dim())) if dim is None else list(dim)
        if p not in ("fro", "nuc"):
            raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
        if len(dims) != 2:
            raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got "
                               f"{' '.join(str(d) for d in dims)}")
        raise NotImplementedError("the nuclear norm is not supported by Autograd Explorer's "
                                  "engine (it needs an SVD)")
    return vector_norm(input, 2.0 if p is None else p, dim, keepdim, dtype=dtype)


def _tensor_norm(self: Tensor, p="fro", dim=None, keepdim: bool = False, dtype=None) -> Tensor:
    return norm(self, p, dim, keepdim, dtype=dtype)


# ---- logsumexp ------------------------------------------------------------------------------
@defop("logsumexp", "LogsumexpBackward0", saves=("dim", "keepdim", "result", "self"),
       formulas={"self": "grad * exp(self - result), grad and result unsqueezed on dim unless "
                         "keepdim"})
def LOGSUMEXP(a, *, dim, keepdim):
    x = wide(a)
    axis = np_axis(dim, a.ndim)
    if x.size == 0:
        return contiguous(np.log(np.sum(np.exp(x), axis=axis, keepdims=keepdim)).astype(a.dtype))
    m = np.max(x, axis=axis, keepdims=True)
    m = np.where(np.abs(m) == np.inf, 0, m)   # an infinite max is not shifted out
    out = np.asarray(np.log(np.sum(np.exp(x - m), axis=axis, keepdims=keepdim)))
    return contiguous((out + m.reshape(out.shape)).astype(a.dtype))


@LOGSUMEXP.derivative
def _(g, s):
    x, result = s.self, s.result
    if not s.keepdim and x.dim():
        g = unsqueeze_reduced(g, x.shape, s.dim, False)
        result = unsqueeze_reduced(result, x.shape, s.dim, False)
    return g * (x - result).exp()


def logsumexp(input: Tensor, dim, keepdim: bool = False) -> Tensor:
    src = input if input.dtype.is_floating_point else input.to(dtypes.get_default_dtype())
    dims = normalized_dims(dim, input.dim())
    if dims is None and input.dim() and input.numel() and not keepdim:  # PyTorch's quirk: dim=()
        raise RuntimeError(f"output with shape [] doesn't match the broadcast shape "
                           f"[{', '.join('1' * input.dim())}]")
    return LOGSUMEXP(src, dim=dims, keepdim=keepdim)


publish(norm, "norm", {}, method=False)
publish(_tensor_norm, "norm", {}, function=False)
publish(logsumexp, "logsumexp", {"dim": "dim_tuple"})
