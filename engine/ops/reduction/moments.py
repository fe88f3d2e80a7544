"""Variance and standard deviation (var, std, var_mean, std_mean) with PyTorch's overloads:
`unbiased`, or `correction` (the number subtracted from the count), never both."""
from __future__ import annotations

import math

import numpy as np

from ... import caller_warning
from ...tensor import Tensor
from ..arguments import invalid_combination
from ..registry import defop
from .common import (contiguous, count, normalized_dims, np_axis, publish, restore,
                     unsqueeze_reduced, where, wide, zero)
from .sums import mean_array


def _var_args(name: str, dim, unbiased, correction):
    """var(input, unbiased), var(input, dim, unbiased, keepdim), var(input, dim, *, correction):
    PyTorch's three overloads, and its refusal to mix unbiased with correction."""
    if isinstance(dim, bool):  # var(input, unbiased)
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        raise invalid_combination(name, (), {"dim": dim, "unbiased": unbiased,
                                             "correction": correction})
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    return dim, correction


def _var_forward(a: np.ndarray, dims, correction, keepdim: bool, name: str) -> np.ndarray:
    dims = dims or None  # dim=() reduces all dims forward (its backward differs, see below)
    x = wide(a)
    axis = np_axis(dims, a.ndim)
    mean = np.mean(x, axis=axis, keepdims=True) if x.size else np.zeros((1,) * x.ndim, x.dtype)
    sq = np.sum(np.square(np.abs(x - mean)), axis=axis, keepdims=keepdim)
    n = count(a.shape, dims if a.ndim else ())
    dof = n - correction
    if dof <= 0:
        caller_warning.warn(f"{name}(): degrees of freedom is <= 0. Correction should be strictly "
                            "less than the reduction factor (input numel divided by output "
                            "numel).")
    with np.errstate(divide="ignore", invalid="ignore"):   # nan or inf, as torch gives them
        return contiguous(np.asarray(sq / max(dof, 0)).astype(a.dtype))


def _div(a: float, b: float) -> float:
    """a / b as IEEE floats do it (b == 0 gives inf, as PyTorch's SymFloat division)."""
    return a / b if b else math.copysign(math.inf, a)


def _var_backward(g: Tensor, x: Tensor, dims, correction, keepdim: bool) -> Tensor:
    """PyTorch's var_backward, including its rule for dim=() (reduced as all dims forward, but
    counted as one element backward)."""
    if x.dim() == 0 or dims is None:
        dof = x.numel() - correction
        if dof <= 0:
            nan, inf = (Tensor._from_array(np.array(v, x.dtype.np)) for v in (math.nan, math.inf))
            return g * where(x == x.mean(), nan, inf)
        return (2.0 / dof) * g * (x - x.mean())
    if not keepdim and x.dim() > 1:
        g = unsqueeze_reduced(g, x.shape, dims, False)
    n = count(x.shape, dims)
    return _div(2.0, n - correction) * g * (x - x.mean(dims, keepdim=True))


def _std_backward(g: Tensor, x: Tensor, result: Tensor, dims, correction, keepdim) -> Tensor:
    grad_var = where(result == 0, zero(g), g / (result * 2))
    return _var_backward(grad_var, x, dims, correction, keepdim)


@defop("var", "VarBackward0", saves=("correction", "dim", "keepdim", "self"),
       formulas={"self": "grad * 2 * (self - self.mean(dim)) / (N - correction), grad "
                         "unsqueezed on dim unless keepdim"})
def VAR(a, *, dim, correction, keepdim):
    return _var_forward(a, dim, correction, keepdim, "var")


@VAR.derivative
def _(g, s):
    return _var_backward(g, s.self, s.dim, s.correction, s.keepdim)


@defop("std", "StdBackward0", saves=("correction", "dim", "keepdim", "self", "result"),
       formulas={"self": "grad * (self - self.mean(dim)) / ((N - correction) * result), grad "
                         "unsqueezed on dim unless keepdim"})
def STD(a, *, dim, correction, keepdim):
    return np.sqrt(_var_forward(a, dim, correction, keepdim, "std"))


@STD.derivative
def _(g, s):
    return _std_backward(g, s.self, s.result, s.dim, s.correction, s.keepdim)


def _moment_mean(a, dim, keepdim):
    return mean_array(a, np_axis(dim or None, a.ndim), keepdim, a.dtype)


@defop("var_mean", "VarMeanBackward0", saves=("correction", "dim", "keepdim", "self"),
       n_outputs=2, differentiable_outputs=(0, 1),
       formulas={"self": "var_backward(grad_var, self, dim, correction, keepdim) "
                         "+ mean_backward(grad_mean, self, dim, keepdim)"})
def VAR_MEAN(a, *, dim, correction, keepdim):
    return _var_forward(a, dim, correction, keepdim, "var_mean"), _moment_mean(a, dim, keepdim)


@defop("std_mean", "StdMeanBackward0", saves=("correction", "dim", "keepdim", "self", "result"),
       n_outputs=2, differentiable_outputs=(0, 1),
       formulas={"self": "std_backward(grad_std, self, result, dim, correction, keepdim) "
                         "+ mean_backward(grad_mean, self, dim, keepdim)"})
def STD_MEAN(a, *, dim, correction, keepdim):
    return (np.sqrt(_var_forward(a, dim, correction, keepdim, "std_mean")),
            _moment_mean(a, dim, keepdim))


def _mean_backward(g: Tensor, x: Tensor, dims, keepdim: bool) -> Tensor:
    dims = dims or None
    return restore(g, x.shape, dims, keepdim) / count(x.shape, dims if x.dim() else ())


@VAR_MEAN.derivative
def _(grads, s):
    g_var, g_mean = grads
    out = None
    if g_var is not None:
        out = _var_backward(g_var, s.self, s.dim, s.correction, s.keepdim)
    if g_mean is not None:
        m = _mean_backward(g_mean, s.self, s.dim, s.keepdim)
        out = m if out is None else out + m
    return out


@STD_MEAN.derivative
def _(grads, s):
    g_std, g_mean = grads
    out = None
    if g_std is not None:
        out = _std_backward(g_std, s.self, s.result, s.dim, s.correction, s.keepdim)
    if g_mean is not None:
        m = _mean_backward(g_mean, s.self, s.dim, s.keepdim)
        out = m if out is None else out + m
    return out


def _moments(name: str, op, input: Tensor, dim, unbiased, keepdim, correction):
    dim, correction = _var_args(name, dim, unbiased, correction)
    if not input.dtype.is_floating_point:
        raise RuntimeError("std and var only support floating point and complex dtypes")
    return op(input, dim=normalized_dims(dim, input.dim(), empty_is_all=False),
              correction=correction, keepdim=keepdim)


def var(input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *,
        correction=None) -> Tensor:
    return _moments("var", VAR, input, dim, unbiased, keepdim, correction)


def std(input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *,
        correction=None) -> Tensor:
    return _moments("std", STD, input, dim, unbiased, keepdim, correction)


def var_mean(input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *,
             correction=None) -> tuple:
    return tuple(_moments("var_mean", VAR_MEAN, input, dim, unbiased, keepdim, correction))


def std_mean(input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *,
             correction=None) -> tuple:
    return tuple(_moments("std_mean", STD_MEAN, input, dim, unbiased, keepdim, correction))


# The (min, max) argument counts (besides self) of PyTorch's overloads of each op.
VAR_OVERLOADS = ((0, 1), (1, 3), (0, 3))
publish(var, "var", {"dim": "dims_or_bool"}, overloads=VAR_OVERLOADS)
publish(std, "std", {"dim": "dims_or_bool"}, overloads=VAR_OVERLOADS)
publish(var_mean, "var_mean", {"dim": "dims_or_bool"}, overloads=VAR_OVERLOADS, method=False)
publish(std_mean, "std_mean", {"dim": "dims_or_bool"}, overloads=VAR_OVERLOADS, method=False)
