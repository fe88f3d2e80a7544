"""Reductions (sum, mean, var, max, norm, ...), scans, sorting and softmax.

Reduction backward formulas all start the same way: put the reduced dims back (unsqueeze
unless keepdim) and expand the gradient to the input's shape."""
from __future__ import annotations

import numpy as np

from .. import dtypes
from ..tensor import Tensor, _wrap_dim
from .registry import defop, expose, run

__all__ = ["return_type"]


# ---- helpers ----------------------------------------------------------------------------------
def _dims(dim, ndim: int) -> tuple | None:
    """Normalized reduction dims (None = all)."""
    if dim is None:
        return None
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    if not dims:
        return None
    wrapped = tuple(_wrap_dim(d, ndim) for d in dims)
    if len(set(wrapped)) != len(wrapped):
        raise RuntimeError(f"dim {wrapped[0]} appears multiple times in the list of dims")
    return wrapped


def _axis(dims: tuple | None, ndim: int):
    if dims is None or ndim == 0:
        return None
    return dims


def _restore(g: Tensor, sizes, dims, keepdim: bool) -> Tensor:
    """Undo a reduction's shape: unsqueeze the reduced dims, then expand to the input."""
    if not keepdim and len(sizes):
        for d in sorted(range(len(sizes)) if dims is None else dims):
            g = g.unsqueeze(d)
    return g.expand(sizes)


def return_type(name: str, fields=("values", "indices")):
    """torch.return_types.<name>: a tuple with named fields and PyTorch's repr."""
    def __repr__(self):
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(fields, self))
        return f"torch.return_types.{name}(\n{body})"

    cls = type(name, (tuple,), {
        "__slots__": (), "__repr__": __repr__, "__module__": "torch.return_types",
        "__new__": lambda c, values: tuple.__new__(c, values),
        **{f: property(lambda self, i=i: self[i]) for i, f in enumerate(fields)}})
    return cls


def _sum_dtype(t: Tensor, dtype) -> np.dtype:
    if dtype is not None:
        return dtype.np
    return np.int64 if not t.dtype.is_floating_point else t.dtype.np


# ---- sum and mean ---------------------------------------------------------------------------
@defop("sum", "SumBackward0", saves=("self_sym_sizes",),
       formulas={"self": "grad.expand(self.sizes())"})
def SUM(a, *, dtype):
    return np.sum(a, dtype=dtype)


SUM.derivative(lambda g, s: g.expand(s.self_sym_sizes))


@defop("sum_dim", "SumBackward1", saves=("dim", "keepdim", "self_sym_sizes"),
       formulas={"self": "grad (reduced dims restored) .expand(self.sizes())"})
def SUM_DIM(a, *, dim, keepdim, dtype):
    return np.sum(a, axis=_axis(dim, a.ndim), keepdims=keepdim, dtype=dtype)


SUM_DIM.derivative(lambda g, s: _restore(g, s.self_sym_sizes, s.dim, s.keepdim))


def sum_(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    dims = _dims(dim, input.dim())
    if dims is None and dim is None:
        return SUM(input, dtype=_sum_dtype(input, dtype))
    return SUM_DIM(input, dim=dims, keepdim=keepdim, dtype=_sum_dtype(input, dtype))


def sum_to_size(input: Tensor, *size) -> Tensor:
    """Sum the broadcast dims away: what autograd does to a gradient of a broadcast operand."""
    size = tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else size
    lead = input.dim() - len(size)
    dims = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(size)
                                      if n == 1 and input.shape[lead + i] != 1)
    out = SUM_DIM(input, dim=dims, keepdim=True, dtype=input.dtype.np) if dims else input
    return out.view(size) if lead else out


def _check_float(name: str, t: Tensor, dtype) -> None:
    if dtype is None and not t.dtype.is_floating_point:
        raise RuntimeError(f"{name}(): could not infer output dtype. Input dtype must be either "
                           f"a floating point or complex dtype. Got: "
                           f"{t.dtype.legacy[:-len('Tensor')]}")


@defop("mean", "MeanBackward0", saves=("self_sym_sizes", "self_sym_numel"),
       formulas={"self": "grad.expand(self.sizes()) / self.numel()"})
def MEAN(a, *, dtype):
    return np.mean(a, dtype=np.float64 if a.dtype == np.float16 else None).astype(dtype)


MEAN.derivative(lambda g, s: g.expand(s.self_sym_sizes) / max(s.self_sym_numel, 1))


@defop("mean_dim", "MeanBackward1", saves=("dim", "keepdim", "self_sym_sizes",
                                           "self_sym_numel"),
       formulas={"self": "grad (reduced dims restored) .expand(self.sizes()) / N"})
def MEAN_DIM(a, *, dim, keepdim, dtype):
    return np.mean(a, axis=_axis(dim, a.ndim), keepdims=keepdim).astype(dtype, copy=False)


@MEAN_DIM.derivative
def _(g, s):
    sizes = s.self_sym_sizes
    n = 1
    for d in (range(len(sizes)) if s.dim is None else s.dim):
        n *= sizes[d]
    return _restore(g, sizes, s.dim, s.keepdim) / max(n, 1)


def mean(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    _check_float("mean", input, dtype)
    src = input if dtype is None else input.to(dtype)
    out_dtype = src.dtype.np
    dims = _dims(dim, src.dim())
    if dims is None and dim is None:
        return MEAN(src, dtype=out_dtype)
    return MEAN_DIM(src, dim=dims, keepdim=keepdim, dtype=out_dtype)


# ---- prod, var, std ---------------------------------------------------------------------------
def _exclusive_prod(a: np.ndarray, axis) -> np.ndarray:
    """Product of all other elements along axis, without dividing (works with zeros)."""
    if axis is None:
        flat = a.reshape(-1)
        return _exclusive_prod(flat, 0).reshape(a.shape)
    left = np.cumprod(np.concatenate([np.ones_like(np.take(a, [0], axis)),
                                      np.take(a, range(a.shape[axis] - 1), axis)], axis), axis)
    rev = np.flip(a, axis)
    right = np.flip(np.cumprod(np.concatenate([np.ones_like(np.take(rev, [0], axis)),
                                               np.take(rev, range(a.shape[axis] - 1), axis)],
                                              axis), axis), axis)
    return left * right


@defop("prod", "ProdBackward0", saves=("self", "result"),
       formulas={"self": "grad * (product of the other elements)"})
def PROD(a, *, dtype):
    return np.prod(a, dtype=dtype)


@PROD.derivative
def _(g, s):
    x = s.self
    return g * Tensor._from_array(_exclusive_prod(x._data, None))


@defop("prod_dim", "ProdBackward1", saves=("dim", "keepdim", "self", "result"),
       formulas={"self": "grad * (product of the other elements along dim)"})
def PROD_DIM(a, *, dim, keepdim, dtype):
    return np.prod(a, axis=dim, keepdims=keepdim, dtype=dtype)


@PROD_DIM.derivative
def _(g, s):
    x = s.self
    others = Tensor._from_array(_exclusive_prod(x._data, s.dim if x.dim() else None))
    return _restore(g, x.shape, (s.dim,), s.keepdim) * others


def prod(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    if dim is None:
        return PROD(input, dtype=_sum_dtype(input, dtype))
    return PROD_DIM(input, dim=_wrap_dim(dim, input.dim()), keepdim=keepdim,
                    dtype=_sum_dtype(input, dtype))


def _correction(unbiased, correction) -> float:
    if correction is not None:
        return correction
    return 1 if unbiased is None or unbiased else 0


def _var_args(dim, unbiased, correction):
    if isinstance(dim, bool):  # var(input, unbiased)
        return None, dim, correction
    return dim, unbiased, correction


@defop("var", "VarBackward0", saves=("correction", "dim", "keepdim", "self"),
       formulas={"self": "grad * 2 * (self - self.mean(dim)) / (N - correction)"})
def VAR(a, *, dim, correction, keepdim):
    return np.var(a, axis=_axis(dim, a.ndim), ddof=correction, keepdims=keepdim).astype(
        a.dtype, copy=False)


def _centered(x: Tensor, dims, n_minus):
    mean_x = x.mean(dim=dims, keepdim=True) if dims is not None else x.mean()
    return (x - mean_x) / n_minus


def _count(x: Tensor, dims) -> int:
    n = 1
    for d in (range(x.dim()) if dims is None else dims):
        n *= x.shape[d]
    return n


@VAR.derivative
def _(g, s):
    x = s.self
    dims = s.dim
    return _restore(g, x.shape, dims, s.keepdim) * 2 * _centered(
        x, dims, _count(x, dims) - s.correction)


@defop("std", "StdBackward0", saves=("correction", "dim", "keepdim", "self", "result"),
       formulas={"self": "grad * (self - self.mean(dim)) / ((N - correction) * result)"})
def STD(a, *, dim, correction, keepdim):
    return np.std(a, axis=_axis(dim, a.ndim), ddof=correction, keepdims=keepdim).astype(
        a.dtype, copy=False)


@STD.derivative
def _(g, s):
    x = s.self
    dims = s.dim
    res = _restore(s.result, x.shape, dims, s.keepdim)
    return _restore(g, x.shape, dims, s.keepdim) * _centered(
        x, dims, _count(x, dims) - s.correction) / res


def _check_var_dtype(t: Tensor) -> None:
    if not t.dtype.is_floating_point:
        raise RuntimeError("std and var only support floating point and complex dtypes")


def var(input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *,
        correction=None) -> Tensor:
    dim, unbiased, correction = _var_args(dim, unbiased, correction)
    _check_var_dtype(input)
    return VAR(input, dim=_dims(dim, input.dim()), correction=_correction(unbiased, correction),
               keepdim=keepdim)


def std(input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *,
        correction=None) -> Tensor:
    dim, unbiased, correction = _var_args(dim, unbiased, correction)
    _check_var_dtype(input)
    return STD(input, dim=_dims(dim, input.dim()), correction=_correction(unbiased, correction),
               keepdim=keepdim)


# ---- max, min, amax, amin, argmax, argmin ----------------------------------------------------
def _evenly(g: Tensor, x: Tensor, result: Tensor) -> Tensor:
    """A full max/min's gradient is shared equally among the elements that tie for it."""
    mask = (x == result)
    return mask * (g / mask.sum())


def _full_extreme(name, grad_fn, np_fn):
    op = defop(name, grad_fn, saves=("self", "result"),
               formulas={"self": "grad shared evenly among the elements equal to result"})(
        lambda a: _nonempty(np_fn, a, name)(a))
    op.derivative(lambda g, s: _evenly(g, s.self, s.result))
    return op


def _nonempty(np_fn, a, name):
    if a.size == 0:
        raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() "
                           "== 0. Specify the reduction dim with the 'dim' argument.")
    return np_fn


MAX_ALL = _full_extreme("max", "MaxBackward1", np.max)
MIN_ALL = _full_extreme("min", "MinBackward1", np.min)


def _dim_extreme(name, grad_fn, arg_fn):
    def forward(a, *, dim, keepdim):
        if a.ndim == 0:
            return a.copy(), np.zeros((), dtype=np.int64)
        idx = arg_fn(a, axis=dim, keepdims=True)
        values = np.take_along_axis(a, idx, axis=dim)
        if not keepdim:
            values, idx = values.squeeze(dim), idx.squeeze(dim)
        return values, idx.astype(np.int64)

    op = defop(name + "_dim", grad_fn, saves=("dim", "indices", "keepdim", "self_sym_sizes"),
               n_outputs=2, formulas={"self": "zeros(self.sizes()) with grad at indices"})(forward)

    @op.derivative
    def _(grads, s):
        g = grads[0]
        idx = s.indices
        return _scatter_at(g, idx, s.dim, s.keepdim, s.self_sym_sizes)
    return op


def _scatter_at(g: Tensor, idx: Tensor, dim: int, keepdim: bool, sizes) -> Tensor:
    from .creation import zeros
    if not sizes:
        return g
    if not keepdim:
        g, idx = g.unsqueeze(dim), idx.unsqueeze(dim)
    return zeros(sizes, dtype=g.dtype).scatter(dim, idx, g)


MAX_DIM = _dim_extreme("max", "MaxBackward0", np.argmax)
MIN_DIM = _dim_extreme("min", "MinBackward0", np.argmin)
MAX_RET, MIN_RET = return_type("max"), return_type("min")


def _extreme(all_op, dim_op, ret, name):
    def fn(input: Tensor, dim=None, keepdim: bool = False, *, out=None):
        if isinstance(dim, Tensor):
            from .pointwise import maximum, minimum
            return (maximum if name == "max" else minimum)(input, dim)
        if dim is None:
            return all_op(input)
        d = _wrap_dim(dim, input.dim())
        if input.dim() and input.shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
        op_result = dim_op(input, dim=d, keepdim=keepdim)
        values, indices = op_result
        if values.grad_fn is not None:
            values.grad_fn._saved["indices"] = indices
        return ret((values, indices))
    fn.__name__ = name
    return fn


max_ = _extreme(MAX_ALL, MAX_DIM, MAX_RET, "max")
min_ = _extreme(MIN_ALL, MIN_DIM, MIN_RET, "min")
MAX_DIM.differentiable_outputs = MIN_DIM.differentiable_outputs = (0,)


def _amax_op(name, grad_fn, np_fn):
    op = defop(name, grad_fn, saves=("dim", "keepdim", "result", "self"),
               formulas={"self": "grad shared evenly among the maxima along dim"})(
        lambda a, *, dim, keepdim: np_fn(a, axis=_axis(dim, a.ndim), keepdims=keepdim))

    @op.derivative
    def _(g, s):
        x = s.self
        res = _restore(s.result, x.shape, s.dim, s.keepdim)
        mask = x == res
        count = _restore(mask.sum(dim=s.dim, keepdim=True) if s.dim is not None else mask.sum(),
                         x.shape, s.dim, True)
        return _restore(g, x.shape, s.dim, s.keepdim) * mask / count
    return op


AMAX = _amax_op("amax", "AmaxBackward0", np.max)
AMIN = _amax_op("amin", "AminBackward0", np.min)


def amax(input: Tensor, dim=(), keepdim: bool = False) -> Tensor:
    return AMAX(input, dim=_dims(dim, input.dim()), keepdim=keepdim)


def amin(input: Tensor, dim=(), keepdim: bool = False) -> Tensor:
    return AMIN(input, dim=_dims(dim, input.dim()), keepdim=keepdim)


def _arg(name, np_fn):
    def forward(a, *, dim, keepdim):
        if dim is None:
            flat = np.asarray(np_fn(a.reshape(-1))).astype(np.int64)
            return flat.reshape((1,) * a.ndim) if keepdim else flat
        return np.asarray(np_fn(a, axis=dim, keepdims=keepdim)).astype(np.int64)

    op = defop(name)(forward)

    def fn(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
        if input.numel() == 0:
            raise RuntimeError(f"{name}(): Expected reduction dim to be specified for "
                               "input.numel() == 0.")
        return op(input, dim=None if dim is None else _wrap_dim(dim, input.dim()),
                  keepdim=keepdim)
    fn.__name__ = name
    expose(fn, name)


_arg("argmax", np.argmax)
_arg("argmin", np.argmin)


# ---- norm, logsumexp ------------------------------------------------------------------------
@defop("linalg_vector_norm", "LinalgVectorNormBackward0",
       saves=("dim", "keepdim", "ord", "result", "self"),
       formulas={"self": "grad * self * |self|^(ord-2) / result^(ord-1)"})
def NORM(a, *, ord, dim, keepdim, dtype):  # noqa: A002
    a = a.astype(dtype, copy=False)
    axis = _axis(dim, a.ndim)
    if ord == float("inf"):
        return np.max(np.abs(a), axis=axis, keepdims=keepdim)
    if ord == 0:
        return np.sum(a != 0, axis=axis, keepdims=keepdim).astype(dtype)
    return np.power(np.sum(np.power(np.abs(a), ord), axis=axis, keepdims=keepdim), 1.0 / ord)


@NORM.derivative
def _(g, s):
    x, p = s.self, s.ord
    res = _restore(s.result, x.shape, s.dim, s.keepdim)
    g = _restore(g, x.shape, s.dim, s.keepdim)
    if p == 2:
        from .pointwise import where
        return g * where(res == 0, Tensor._from_array(np.zeros((), x.dtype.np)), x / res)
    if p == 1:
        return g * x.sign()
    return g * x * x.abs().pow(p - 2) / res.pow(p - 1)


def norm(input: Tensor, p="fro", dim=None, keepdim: bool = False, dtype=None) -> Tensor:
    ord = 2 if p in ("fro", None) else p  # noqa: A001
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {input.dtype.legacy[:-len('Tensor')]}")
    return NORM(input, ord=float(ord), dim=_dims(dim, input.dim()), keepdim=keepdim,
                dtype=(dtype or input.dtype).np)


@defop("logsumexp", "LogsumexpBackward0", saves=("dim", "keepdim", "result", "self"),
       formulas={"self": "grad * exp(self - result)"})
def LOGSUMEXP(a, *, dim, keepdim):
    m = np.max(a, axis=dim, keepdims=True)
    m = np.where(np.isfinite(m), m, 0)
    out = np.log(np.sum(np.exp(a - m), axis=dim, keepdims=True)) + m
    return out if keepdim else np.squeeze(out, axis=dim)


@LOGSUMEXP.derivative
def _(g, s):
    x = s.self
    return _restore(g, x.shape, s.dim, s.keepdim) * (x - _restore(s.result, x.shape, s.dim,
                                                                  s.keepdim)).exp()


def logsumexp(input: Tensor, dim, keepdim: bool = False) -> Tensor:
    src = input if input.dtype.is_floating_point else input.to(dtypes.get_default_dtype())
    return LOGSUMEXP(src, dim=_dims(dim, input.dim()) or tuple(range(input.dim())),
                     keepdim=keepdim)


# ---- scans ------------------------------------------------------------------------------------
@defop("cumsum", "CumsumBackward0", saves=("dim",),
       formulas={"self": "grad.flip(dim).cumsum(dim).flip(dim)"})
def CUMSUM(a, *, dim, dtype):
    return np.cumsum(a, axis=dim, dtype=dtype) if a.ndim else a.astype(dtype)


CUMSUM.derivative(lambda g, s: g.flip(s.dim).cumsum(s.dim).flip(s.dim) if g.dim() else g)


def cumsum(input: Tensor, dim: int, *, dtype=None) -> Tensor:
    return CUMSUM(input, dim=_wrap_dim(dim, input.dim()), dtype=_sum_dtype(input, dtype))


@defop("cumprod", "CumprodBackward0", saves=("dim", "self", "result"),
       formulas={"self": "sum over later positions of grad * result / self"})
def CUMPROD(a, *, dim, dtype):
    return np.cumprod(a, axis=dim, dtype=dtype) if a.ndim else a.astype(dtype)


CUMPROD.derivative(lambda g, s: ((g * s.result).flip(s.dim).cumsum(s.dim).flip(s.dim)) / s.self)


def cumprod(input: Tensor, dim: int, *, dtype=None) -> Tensor:
    return CUMPROD(input, dim=_wrap_dim(dim, input.dim()), dtype=_sum_dtype(input, dtype))


# ---- sort, argsort, topk ------------------------------------------------------------------
SORT_RET, TOPK_RET = return_type("sort"), return_type("topk")


@defop("sort", "SortBackward0", saves=("dim", "indices", "self_sym_sizes"), n_outputs=2,
       formulas={"self": "zeros(self.sizes()) with grad scattered back to indices"})
def SORT(a, *, dim, descending, stable):
    if a.ndim == 0:
        return a.copy(), np.zeros((), np.int64)
    key = -a if descending and a.dtype != np.bool_ else a
    idx = np.argsort(~a if descending and a.dtype == np.bool_ else key, axis=dim,
                     kind="stable")
    return np.take_along_axis(a, idx, axis=dim), idx.astype(np.int64)


SORT.derivative(lambda grads, s: _scatter_at(grads[0], s.indices, s.dim, True, s.self_sym_sizes))


def sort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False):
    d = _wrap_dim(dim, input.dim())
    values, indices = SORT(input, dim=d, descending=descending, stable=stable)
    if values.grad_fn is not None:
        values.grad_fn._saved["indices"] = indices
    return SORT_RET((values, indices))


def argsort(input: Tensor, dim: int = -1, descending: bool = False,
            stable: bool = False) -> Tensor:
    from ..autograd.grad_mode import no_grad
    with no_grad():
        return sort(input, dim, descending, stable)[1]


@defop("topk", "TopkBackward0", saves=("dim", "indices", "self_sym_sizes"), n_outputs=2,
       formulas={"self": "zeros(self.sizes()) with grad scattered back to indices"})
def TOPK(a, *, k, dim, largest, sorted):  # noqa: A002
    key = -a.astype(np.float64) if largest else a
    idx = np.argsort(key, axis=dim, kind="stable").take(range(k), axis=dim)
    return np.take_along_axis(a, idx, axis=dim), idx.astype(np.int64)


TOPK.derivative(lambda grads, s: _scatter_at(grads[0], s.indices, s.dim, True, s.self_sym_sizes))


def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):  # noqa: A002
    d = _wrap_dim(dim, input.dim())
    if k > (input.shape[d] if input.dim() else 1):
        raise RuntimeError("selected index k out of range")
    values, indices = TOPK(input, k=k, dim=d, largest=largest, sorted=sorted)
    if values.grad_fn is not None:
        values.grad_fn._saved["indices"] = indices
    return TOPK_RET((values, indices))


SORT.differentiable_outputs = TOPK.differentiable_outputs = (0,)


# ---- all, any, count_nonzero, median ------------------------------------------------------------
def _logical_reduction(name, np_fn):
    op = defop(name)(lambda a, *, dim, keepdim: np.asarray(
        np_fn(a, axis=dim, keepdims=keepdim)))

    def fn(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
        result = op(input, dim=_dims(dim, input.dim()), keepdim=keepdim)
        return result if input.dtype is not dtypes.uint8 else result.to(dtypes.uint8)
    fn.__name__ = name
    expose(fn, name)


_logical_reduction("all", np.all)
_logical_reduction("any", np.any)


def count_nonzero(input: Tensor, dim=None) -> Tensor:
    return Tensor._from_array(np.asarray(np.count_nonzero(input._data, axis=_dims(
        dim, input.dim())), dtype=np.int64))


@defop("median", "MedianBackward0", saves=("self", "result"),
       formulas={"self": "grad shared evenly among the elements equal to result"})
def MEDIAN(a):
    flat = np.sort(a.reshape(-1))
    return flat[(flat.size - 1) // 2].copy()


MEDIAN.derivative(lambda g, s: _evenly(g, s.self, s.result))


def median(input: Tensor, dim=None, keepdim: bool = False):
    if dim is None:
        return MEDIAN(input)
    d = _wrap_dim(dim, input.dim())
    values, indices = sort(input, d)
    k = (input.shape[d] - 1) // 2
    v, i = values.select(d, k), indices.select(d, k)
    if keepdim:
        v, i = v.unsqueeze(d), i.unsqueeze(d)
    return return_type("median")((v, i))


# ---- softmax ---------------------------------------------------------------------------------
@defop("softmax", "SoftmaxBackward0", saves=("dim", "result"),
       formulas={"self": "result * (grad - (grad * result).sum(dim, keepdim=True))"})
def SOFTMAX(a, *, dim):
    e = np.exp(a - np.max(a, axis=dim, keepdims=True))
    return e / np.sum(e, axis=dim, keepdims=True)


SOFTMAX.derivative(lambda g, s: s.result * (g - (g * s.result).sum(s.dim, keepdim=True)))


@defop("log_softmax", "LogSoftmaxBackward0", saves=("dim", "result"),
       formulas={"self": "grad - exp(result) * grad.sum(dim, keepdim=True)"})
def LOG_SOFTMAX(a, *, dim):
    shifted = a - np.max(a, axis=dim, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=dim, keepdims=True))


LOG_SOFTMAX.derivative(lambda g, s: g - s.result.exp() * g.sum(s.dim, keepdim=True))


def _softmax_input(input: Tensor, dim, dtype) -> tuple:
    if dim is None:
        raise TypeError("softmax() missing required argument 'dim'")
    src = input.to(dtype) if dtype is not None else (
        input if input.dtype.is_floating_point else input.to(dtypes.get_default_dtype()))
    return src, _wrap_dim(dim, max(input.dim(), 1)) if input.dim() else 0


def softmax(input: Tensor, dim=None, dtype=None, *, _stacklevel: int = 3) -> Tensor:
    src, d = _softmax_input(input, dim, dtype)
    return SOFTMAX(src, dim=d if src.dim() else None)


def log_softmax(input: Tensor, dim=None, dtype=None, *, _stacklevel: int = 3) -> Tensor:
    src, d = _softmax_input(input, dim, dtype)
    return LOG_SOFTMAX(src, dim=d if src.dim() else None)


for _fn in (mean, prod, var, std, amax, amin, norm, logsumexp, cumsum, cumprod, sort, argsort,
            topk, count_nonzero, median, softmax, log_softmax):
    expose(_fn)
expose(sum_to_size, function=False)
expose(sum_, "sum")
expose(max_, "max")
expose(min_, "min")
