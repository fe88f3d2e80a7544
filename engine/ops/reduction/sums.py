"""Sums, means and products, over all elements (…Backward0) or over dims (…Backward1), and the
logical reductions all / any / count_nonzero. Integers and bools sum to int64; half precision
accumulates in float32."""
from __future__ import annotations

import functools
import math

import numpy as np

from ... import dtypes
from ...autograd.grad_mode import is_grad_enabled
from ...tensor import Tensor, _wrap_dim
from ..arguments import ABSENT, missing_arguments
from ..registry import defop, expose
from .common import (contiguous, count, expand_to, normalized_dims, np_axis, publish, restore,
                     sum_dtype, wide)
from .exact_sum import LANES, accumulate, cascade_sum


# ---- sum, nansum ------------------------------------------------------------------------------
@defop("sum", "SumBackward0", saves=("self_sym_sizes",),
       formulas={"self": "grad.expand(self.sizes())"})
def SUM(a, *, dtype):
    return accumulate(np.sum, a, None, False, dtype)


@SUM.derivative
def _(g, s):
    return expand_to(g, s.self_sym_sizes)


@defop("sum_dim", "SumBackward1", saves=("dim", "keepdim", "self_sym_sizes"),
       formulas={"self": "grad.unsqueeze(dim) unless keepdim, expanded to self.sizes()"})
def SUM_DIM(a, *, dim, keepdim, dtype):
    return accumulate(np.sum, a, np_axis(dim, a.ndim), keepdim, dtype)


@SUM_DIM.derivative
def _(g, s):
    return restore(g, s.self_sym_sizes, s.dim, s.keepdim)


def sum(input: Tensor, dim=ABSENT, keepdim: bool = False, *, dtype=None) -> Tensor:
    """Sum of all elements (SumBackward0) or over `dim` (SumBackward1); integers give int64."""
    if dim is ABSENT:
        return SUM(input, dtype=sum_dtype(input, dtype))
    return SUM_DIM(input, dim=normalized_dims(dim, input.dim()), keepdim=keepdim,
                   dtype=sum_dtype(input, dtype))


@defop("nansum", "NansumBackward0", saves=("self", "dim", "keepdim"),
       formulas={"self": "(grad.unsqueeze(dim) unless keepdim) * self.isnan().logical_not()"})
def NANSUM(a, *, dim, keepdim, dtype):
    x = np.where(np.isnan(a), 0, a) if a.dtype.kind == "f" else a
    return accumulate(np.sum, x, np_axis(dim, a.ndim), keepdim, dtype)


@NANSUM.derivative
def _(g, s):
    return restore(g, s.self.shape, s.dim, s.keepdim) * s.self.isnan().logical_not()


def nansum(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    return NANSUM(input, dim=normalized_dims(dim, input.dim()), keepdim=keepdim,
                  dtype=sum_dtype(input, dtype))


def nanmean(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """nansum / (number of non-nan elements): a DivBackward0 over NansumBackward0, as in
    PyTorch."""
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"nanmean(): expected input to have floating point or complex dtype "
                           f"but got {input.dtype.scalar_name}")
    count = input.isnan().logical_not().sum(dim=dim, keepdim=keepdim)
    return nansum(input, dim, keepdim, dtype=dtype) / count


def sum_to_size(input: Tensor, *size) -> Tensor:
    """Sum the broadcast dims away: what autograd does to a gradient of a broadcast operand."""
    if not size:
        raise missing_arguments("sum_to_size", ["size"])
    size = tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else size
    dims = _stretched_dims(input._data.shape, size)
    out = SUM_DIM(input, dim=dims, keepdim=True, dtype=input.dtype.np) if dims else input
    return out.view(size) if input.dim() > len(size) else out


@functools.lru_cache(maxsize=4096)
def _stretched_dims(shape: tuple, size: tuple) -> tuple:
    """The dims of `shape` that broadcasting stretched from `size`: the leading ones and the
    size-1 ones. Cached by the shape pair: a backward asks the same question every step."""
    lead = len(shape) - len(size)
    return tuple(range(lead)) + tuple(lead + i for i, n in enumerate(size)
                                      if n == 1 and shape[lead + i] != 1)


# ---- mean -------------------------------------------------------------------------------------
def _mean_dtype(t: Tensor, dtype) -> dtypes.dtype:
    if dtype is not None and not dtype.is_floating_point and t.requires_grad \
            and is_grad_enabled():
        raise RuntimeError(f"Autograd not support dtype: {dtype.scalar_name}")
    if dtype is None and not t.dtype.is_floating_point:
        raise RuntimeError(f"mean(): could not infer output dtype. Input dtype must be either "
                           f"a floating point or complex dtype. Got: "
                           f"{t.dtype if t.is_meta else t.dtype.scalar_name}")
    if dtype is not None and not dtype.is_floating_point:
        raise RuntimeError(f"mean(): could not infer output dtype. Optional dtype must be either "
                           f"a floating point or complex dtype. Got: {dtype.scalar_name}")
    return dtype or t.dtype


def mean_array(a: np.ndarray, axis, keepdims: bool, dtype) -> np.ndarray:
    """sum / count, accumulated in float32 for half precision; an empty mean is nan."""
    x = wide(a.astype(dtype, copy=False))
    total = cascade_sum(x, axis, keepdims) if x.dtype in LANES else None
    total = np.sum(x, axis=axis, keepdims=keepdims) if total is None else total
    n = a.size if axis is None else math.prod(a.shape[d] for d in axis)
    return contiguous(np.asarray(total / n if n else total * np.nan).astype(dtype))


@defop("mean", "MeanBackward0", saves=("self_sym_sizes", "self_sym_numel"),
       formulas={"self": "grad.expand(self.sizes()) / self.numel()"})
def MEAN(a, *, dtype):
    return mean_array(a, None, False, dtype)


@MEAN.derivative
def _(g, s):
    return expand_to(g, s.self_sym_sizes) / s.self_sym_numel


@defop("mean_dim", "MeanBackward1", saves=("dim", "keepdim", "self_sym_sizes",
                                           "self_sym_numel"),
       formulas={"self": "grad.unsqueeze(dim) unless keepdim, expanded to self.sizes(), / N "
                         "(N: the elements reduced over dim, all self.numel() for all dims)"})
def MEAN_DIM(a, *, dim, keepdim, dtype):
    return mean_array(a, np_axis(dim, a.ndim), keepdim, dtype)


@MEAN_DIM.derivative
def _(g, s):
    sizes = s.self_sym_sizes
    return restore(g, sizes, s.dim, s.keepdim) / count(sizes, s.dim if sizes else ())


def mean(input: Tensor, dim=ABSENT, keepdim: bool = False, *, dtype=None) -> Tensor:
    out = _mean_dtype(input, dtype)
    src = input if input.dtype is out else input.to(out)
    if dim is ABSENT:
        return MEAN(src, dtype=out.np)
    return MEAN_DIM(src, dim=normalized_dims(dim, src.dim()), keepdim=keepdim, dtype=out.np)


# ---- prod -------------------------------------------------------------------------------------
def _prod_safe_zeros_backward(g: Tensor, x: Tensor, dim: int) -> Tensor:
    """grad * (product of the other elements along dim), with exclusive cumulative products
    from both ends, so zeros need no division (PyTorch's prod_safe_zeros_backward)."""
    from ..joining import cat
    if x.numel() == 0:
        return expand_to(g, x.shape)
    n = x.shape[dim]
    ones = Tensor._from_array(np.ones(tuple(1 if i == dim else s for i, s in enumerate(x.shape)),
                                      g.dtype.np))
    before = cat([ones, x.narrow(dim, 0, n - 1)], dim).cumprod(dim)
    after = cat([ones, x.narrow(dim, 1, n - 1).flip(dim)], dim).cumprod(dim).flip(dim)
    return g * (before * after)


@defop("prod", "ProdBackward0", saves=("self", "result"),
       formulas={"self": "grad * result / self (products of the others where self has zeros)"})
def PROD(a, *, dtype):
    return accumulate(np.prod, a, None, False, dtype)


@PROD.derivative
def _(g, s):
    x, result = s.self, s.result
    if x.dim() == 0:
        return g
    if not np.any(x._data == 0):
        return g * (result / x)
    flat = x.contiguous().view(-1)
    return _prod_safe_zeros_backward(expand_to(g, flat.shape), flat, 0).view(*x.shape)


@defop("prod_dim", "ProdBackward1", saves=("dim", "keepdim", "self", "result"),
       formulas={"self": "(grad and result unsqueezed on dim unless keepdim) * result / self "
                         "(products of the others where self has zeros)"})
def PROD_DIM(a, *, dim, keepdim, dtype):
    return accumulate(np.prod, a, dim if a.ndim else (), keepdim, dtype)


@PROD_DIM.derivative
def _(g, s):
    x, result, dim = s.self, s.result, s.dim
    if x.dim() == 0:
        return g
    if not s.keepdim:
        g, result = g.unsqueeze(dim), result.unsqueeze(dim)
    if not np.any(x._data == 0):
        return g * (result / x)
    return _prod_safe_zeros_backward(g, x, dim)


def prod(input: Tensor, dim=ABSENT, keepdim: bool = False, *, dtype=None) -> Tensor:
    if dim is ABSENT:
        return PROD(input, dtype=sum_dtype(input, dtype))
    return PROD_DIM(input, dim=_wrap_dim(dim, input.dim()), keepdim=keepdim,
                    dtype=sum_dtype(input, dtype))


# ---- all, any, count_nonzero ----------------------------------------------------------------
def _logical_reduction(name: str, np_fn):
    @defop(name)
    def op(a, *, dim, keepdim):
        if dim == ():
            return contiguous(a != 0)
        return contiguous(np_fn(a, axis=np_axis(dim, a.ndim), keepdims=keepdim))

    def fn(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
        dims = normalized_dims(dim, input.dim(), empty_is_all=False)
        result = op(input, dim=dims, keepdim=keepdim)
        return result if input.dtype is not dtypes.uint8 else result.to(dtypes.uint8)
    fn.__name__ = fn.__qualname__ = name
    publish(fn, name, {"dim": "dims"}, overloads=((0, 0), (1, 2), (0, 2)))


_logical_reduction("all", np.all)
_logical_reduction("any", np.any)


def count_nonzero(input: Tensor, dim=None) -> Tensor:
    dims = normalized_dims(dim, input.dim())
    return Tensor._from_array(contiguous(np.asarray(np.count_nonzero(
        input._data, axis=np_axis(dims, input.dim())), dtype=np.int64)))


# The (min, max) argument counts (besides self) of PyTorch's overloads of each op.
DTYPE_OR_DIM = ((0, 1), (1, 3))       # sum(*, dtype) / sum(dim, keepdim=False, *, dtype)
publish(sum, "sum", {"dim": "dims"}, overloads=DTYPE_OR_DIM)
publish(nansum, "nansum", {"dim": "dims"})
publish(mean, "mean", {"dim": "dims"}, overloads=DTYPE_OR_DIM)
publish(nanmean, "nanmean", {"dim": "dims"})
publish(prod, "prod", {"dim": "int"}, overloads=DTYPE_OR_DIM)
publish(count_nonzero, "count_nonzero", {"dim": "dims"})
expose(sum_to_size, function=False)
