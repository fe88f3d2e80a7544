"""Scans along a dim: cumsum, cumprod (and their in-place forms), cummax / cummin,
logcumsumexp, and diff."""
from __future__ import annotations

import numpy as np

from ... import dtypes
from ...autograd.grad_mode import is_grad_enabled
from ...tensor import Tensor, _wrap_dim
from ..pointwise.calls import in_place
from ..registry import check_inplace_allowed, defop
from .common import contiguous, publish, return_type, sum_dtype, where, wide, zeros_like


def _scan(np_fn, a: np.ndarray, dim: int, dtype) -> np.ndarray:
    """np.cumsum / np.cumprod along dim in dtype; half precision accumulates in float32."""
    if a.ndim == 0:
        return a.astype(dtype)
    if np.dtype(dtype) == np.float16:
        return contiguous(np_fn(a.astype(np.float32), axis=dim).astype(dtype))
    return contiguous(np_fn(a, axis=dim, dtype=dtype))


def _reversed_cumsum(t: Tensor, dim: int) -> Tensor:
    return t.flip(dim).cumsum(dim).flip(dim)


@defop("cumsum", "CumsumBackward0", saves=("dim",),
       formulas={"self": "grad.flip(dim).cumsum(dim).flip(dim)"})
def CUMSUM(a, *, dim, dtype):
    return _scan(np.cumsum, a, dim, dtype)


@CUMSUM.derivative
def _(g, s):
    return _reversed_cumsum(g, s.dim) if g.dim() else g


def cumsum(input: Tensor, dim: int, *, dtype=None) -> Tensor:
    return CUMSUM(input, dim=_wrap_dim(dim, input.dim()), dtype=sum_dtype(input, dtype))


def _scan_(name: str, op, input: Tensor, dim: int, dtype) -> Tensor:
    """cumsum_ / cumprod_: the scan written back into input (in its own dtype)."""
    if is_grad_enabled() and input.requires_grad:
        check_inplace_allowed(input)
    if input.dtype is dtypes.bool:
        raise NotImplementedError(f"\"{name}_out_cpu\" not implemented for 'Bool'")
    out = dtype or input.dtype
    return in_place(op, input, (), {"dim": _wrap_dim(dim, input.dim()), "dtype": out.np},
                    dtype=out, shape=input.shape)


def cumsum_(input: Tensor, dim: int, *, dtype=None) -> Tensor:
    return _scan_("cumsum", CUMSUM, input, dim, dtype)


def cumprod_(input: Tensor, dim: int, *, dtype=None) -> Tensor:
    return _scan_("cumprod", CUMPROD, input, dim, dtype)


def _cumprod_grad_with_zeros(g: np.ndarray, x: np.ndarray, dim: int) -> np.ndarray:
    """d/dx_k of sum_i g_i * prod_{j<=i} x_j, exactly, zeros included:
    (product of x before k) * S_k, where S_k = g_k + x_{k+1} * S_{k+1}."""
    g, x = np.moveaxis(g, dim, -1), np.moveaxis(x, dim, -1)
    before = np.cumprod(np.concatenate([np.ones_like(x[..., :1]), x[..., :-1]], -1), -1)
    s = np.zeros_like(g)
    s[..., -1] = g[..., -1]
    for k in range(x.shape[-1] - 2, -1, -1):
        s[..., k] = g[..., k] + x[..., k + 1] * s[..., k + 1]
    return np.moveaxis(before * s, -1, dim)


@defop("cumprod", "CumprodBackward0", saves=("dim", "self", "result"),
       formulas={"self": "sum over later positions along dim of grad * result, / self"})
def CUMPROD(a, *, dim, dtype):
    return _scan(np.cumprod, a, dim, dtype)


@CUMPROD.derivative
def _(g, s):
    x, dim, result = s.self, s.dim, s.result
    if x.numel() <= 1 or x.shape[dim] == 1:
        return g
    if not np.any(x._data == 0):
        return _reversed_cumsum(g * result, dim) / x
    return Tensor._from_array(_cumprod_grad_with_zeros(g._data, x._data.astype(g.dtype.np),
                                                       dim))


def cumprod(input: Tensor, dim: int, *, dtype=None) -> Tensor:
    return CUMPROD(input, dim=_wrap_dim(dim, input.dim()), dtype=sum_dtype(input, dtype))


def diff(input: Tensor, n: int = 1, dim: int = -1, prepend=None, append=None) -> Tensor:
    """The n-th forward difference along dim: x[1:] - x[:-1], n times (a SubBackward0 of two
    slices, as in PyTorch; logical_xor for bool)."""
    if input.dim() == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    d = _wrap_dim(dim, input.dim())
    if prepend is not None or append is not None:
        from ..joining import cat
        input = cat([t for t in (prepend, input, append) if t is not None], d)
    for _ in range(n):
        length = input.shape[d]
        if length == 0:
            break
        later, earlier = input.narrow(d, 1, length - 1), input.narrow(d, 0, length - 1)
        input = later.logical_xor(earlier) if input.dtype is dtypes.bool else later - earlier
    return input


def _cum_extreme(name: str, better):
    """cummax / cummin: running extreme and where it was last reached (nan sticks)."""
    ret = return_type(name)

    @defop(name, name.capitalize() + "Backward0", saves=("dim", "self", "result1"), n_outputs=2,
           formulas={"self": "zeros(self.sizes()).scatter_add(dim, indices, grad)"})
    def op(a, *, dim):
        if a.ndim == 0:
            return a.copy(), np.zeros((), np.int64)
        x = np.moveaxis(a, dim, -1)
        values, idx = np.empty_like(x), np.zeros(x.shape, np.int64)
        values[..., 0] = x[..., 0]
        for k in range(1, x.shape[-1]):
            cur, prev = x[..., k], values[..., k - 1]
            take = (np.isnan(cur) | (~np.isnan(prev) & better(cur, prev))) \
                if a.dtype.kind == "f" else better(cur, prev)
            values[..., k] = np.where(take, cur, prev)
            idx[..., k] = np.where(take, k, idx[..., k - 1])
        return contiguous(np.moveaxis(values, -1, dim)), contiguous(np.moveaxis(idx, -1, dim))

    @op.derivative
    def _(grads, s):
        g = grads[0]
        return g if s.self.dim() == 0 else zeros_like(g).scatter_add(s.dim, s.result1, g)

    def fn(input: Tensor, dim: int):
        if input.dim() == 0 and dim not in (0, -1):
            raise IndexError(f"{name}(): Expected reduction dim -1 or 0 for scalar but got {dim}")
        return ret(op(input, dim=_wrap_dim(dim, input.dim())))
    fn.__name__ = fn.__qualname__ = name
    publish(fn, name, {"dim": "int"})


_cum_extreme("cummax", np.greater_equal)
_cum_extreme("cummin", np.less_equal)


@defop("logcumsumexp", "LogcumsumexpBackward0", saves=("dim", "self", "result"),
       formulas={"self": "sum over later positions along dim of grad * exp(self - result)"})
def LOGCUMSUMEXP(a, *, dim):
    if a.ndim == 0:
        return a.copy()
    return contiguous(np.logaddexp.accumulate(wide(a), axis=dim).astype(a.dtype))


@LOGCUMSUMEXP.derivative
def _(g, s):
    """PyTorch's formula: positive and negative parts of grad in log space."""
    x, result, dim = s.self, s.result, s.dim
    if g.dim() == 0 or g.numel() == 0:
        return g
    lowest = Tensor._from_array(np.array(np.finfo(g.dtype.np).min, g.dtype.np))

    def reverse_logcumsumexp(t):
        return t.flip(dim).logcumsumexp(dim).flip(dim)
    log_abs = g.abs().log()
    pos = where(g > 0, log_abs, lowest)
    neg = where(g < 0, log_abs, lowest)
    return (reverse_logcumsumexp(pos - result) + x).exp() - \
        (reverse_logcumsumexp(neg - result) + x).exp()


def logcumsumexp(input: Tensor, dim: int) -> Tensor:
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"\"logcumsumexp_out_cpu\" not implemented for "
                                  f"'{input.dtype.scalar_name}'")
    return LOGCUMSUMEXP(input, dim=_wrap_dim(dim, input.dim()))


publish(cumsum, "cumsum", {"dim": "int"})
publish(cumsum_, "cumsum_", {"dim": "int"}, function=False)
publish(cumprod_, "cumprod_", {"dim": "int"}, function=False)
publish(diff, "diff", {"n": "int", "dim": "int"})
publish(cumprod, "cumprod", {"dim": "int"})
publish(logcumsumexp, "logcumsumexp", {"dim": "int"})
