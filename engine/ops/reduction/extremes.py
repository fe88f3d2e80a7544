"""max / min (over everything, or over a dim with indices), amax / amin, aminmax, argmax /
argmin. A gradient goes to the elements that were picked: shared evenly among equal ones for
max(), amax and aminmax, to the returned index for max(dim)."""
from __future__ import annotations

import numpy as np

from ... import dtypes
from ...tensor import Tensor, _wrap_dim
from ..arguments import ABSENT
from ..pointwise.selection import maximum, minimum
from ..registry import defop
from .common import (contiguous, empty_check, expand_to, normalized_dims, np_axis, publish,
                     return_type, unsqueeze_reduced, where, zero)


def evenly(g: Tensor, x: Tensor, result: Tensor) -> Tensor:
    """A full max/min/median's gradient is shared equally among the elements equal to it
    (the nan ones, when the result is nan)."""
    mask = x.isnan() if bool(np.isnan(result._data).any()) else x == result
    return expand_to(where(mask, g / mask.sum(), zero(g)), x.shape)


def _full_extreme(name: str, grad_fn: str, np_fn):
    @defop(name, grad_fn, saves=("self", "result"),
           formulas={"self": "grad shared evenly among the elements of self equal to result"})
    def op(a):
        return np.asarray(np_fn(a))

    @op.derivative
    def _(g, s):
        return evenly(g, s.self, s.result)
    return op


MAX_ALL = _full_extreme("max", "MaxBackward1", np.max)
MIN_ALL = _full_extreme("min", "MinBackward1", np.min)


def scatter_at(g: Tensor, idx: Tensor, dim: int, keepdim: bool, sizes) -> Tensor:
    """zeros(sizes) with g placed at idx along dim (value_selecting_reduction_backward)."""
    if not sizes:
        return g
    if not keepdim:
        g, idx = g.unsqueeze(dim), idx.unsqueeze(dim)
    return Tensor._from_array(np.zeros(sizes, g.dtype.np)).scatter(dim, idx, g)


AT_INDICES = "zeros(self.sizes()) with grad at indices along dim (unsqueezed unless keepdim)"


def _dim_extreme(name: str, grad_fn: str, arg_fn):
    @defop(name + "_dim", grad_fn, saves=("dim", "keepdim", "self_sym_sizes", "result1"),
           n_outputs=2, formulas={"self": AT_INDICES})
    def op(a, *, dim, keepdim):
        if a.ndim == 0:
            return a.copy(), np.zeros((), np.int64)
        idx = arg_fn(a, axis=dim, keepdims=True)
        values = np.take_along_axis(a, idx, axis=dim)
        if not keepdim:
            values, idx = values.squeeze(dim), idx.squeeze(dim)
        return contiguous(values), contiguous(idx.astype(np.int64))

    @op.derivative
    def _(grads, s):
        return scatter_at(grads[0], s.result1, s.dim, s.keepdim, s.self_sym_sizes)
    return op


MAX_DIM = _dim_extreme("max", "MaxBackward0", np.argmax)
MIN_DIM = _dim_extreme("min", "MinBackward0", np.argmin)
MAX_RET, MIN_RET = return_type("max"), return_type("min")


def _extreme(all_op, dim_op, ret, name):
    def fn(input: Tensor, dim=ABSENT, keepdim: bool = False, *, out=None):
        if isinstance(dim, Tensor):  # torch.max(a, b) is maximum
            return (maximum if name == "max" else minimum)(input, dim)
        if dim is ABSENT:
            empty_check(name, input, None)
            return all_op(input)
        d = _wrap_dim(dim, input.dim())
        empty_check(name, input, (d,), dim)
        return ret(dim_op(input, dim=d, keepdim=keepdim))
    fn.__name__ = fn.__qualname__ = name
    return fn


max_ = _extreme(MAX_ALL, MAX_DIM, MAX_RET, "max")
min_ = _extreme(MIN_ALL, MIN_DIM, MIN_RET, "min")


def _amax_backward(g: Tensor, x: Tensor, result: Tensor, dims, keepdim: bool) -> Tensor:
    """grad shared evenly among the elements equal to the result along dims."""
    mask = x == unsqueeze_reduced(result, x.shape, dims, keepdim)
    count = mask.sum(dims if dims is not None else tuple(range(x.dim())), keepdim=True) \
        if x.dim() else mask.sum()
    return (unsqueeze_reduced(g, x.shape, dims, keepdim) / count) * mask


def _amax_op(name: str, grad_fn: str, np_fn):
    @defop(name, grad_fn, saves=("dim", "keepdim", "result", "self"),
           formulas={"self": "grad shared evenly among the elements of self equal to result "
                             "along dim (unsqueezed unless keepdim)"})
    def op(a, *, dim, keepdim):
        return contiguous(np_fn(a, axis=np_axis(dim, a.ndim), keepdims=keepdim))

    @op.derivative
    def _(g, s):
        return _amax_backward(g, s.self, s.result, s.dim, s.keepdim)
    return op


AMAX = _amax_op("amax", "AmaxBackward0", np.max)
AMIN = _amax_op("amin", "AminBackward0", np.min)


def amax(input: Tensor, dim=(), keepdim: bool = False) -> Tensor:
    dims = normalized_dims(dim, input.dim())
    empty_check("amax", input, dims, dim)
    return AMAX(input, dim=dims, keepdim=keepdim)


def amin(input: Tensor, dim=(), keepdim: bool = False) -> Tensor:
    dims = normalized_dims(dim, input.dim())
    empty_check("amin", input, dims, dim)
    return AMIN(input, dim=dims, keepdim=keepdim)


AMINMAX_RET = return_type("aminmax", ("min", "max"))


@defop("aminmax", "AminmaxBackward0", saves=("dim", "keepdim", "self", "result", "result1"),
       n_outputs=2, differentiable_outputs=(0, 1),
       formulas={"self": "amin_backward(grad_min, self, result, dim, keepdim) "
                         "+ amax_backward(grad_max, self, result1, dim, keepdim)"})
def AMINMAX(a, *, dim, keepdim):
    axis = np_axis(dim, a.ndim)
    return (contiguous(np.min(a, axis=axis, keepdims=keepdim)),
            contiguous(np.max(a, axis=axis, keepdims=keepdim)))


@AMINMAX.derivative
def _(grads, s):
    out = None
    for g, result in zip(grads, (s.result, s.result1)):
        if g is not None:
            part = _amax_backward(g, s.self, result, s.dim, s.keepdim)
            out = part if out is None else out + part
    return out


def aminmax(input: Tensor, *, dim=None, keepdim: bool = False):
    dims = None if dim is None else (_wrap_dim(dim, input.dim()),)
    empty_check("aminmax", input, dims)
    return AMINMAX_RET(AMINMAX(input, dim=dims, keepdim=keepdim))


def _arg(name: str, np_fn):
    """argmax / argmin: the index of the first extreme, over everything or along dim."""
    @defop(name)
    def op(a, *, dim, keepdim):
        if dim is None or a.ndim == 0:
            flat = np.asarray(np_fn(a.reshape(-1))).astype(np.int64)
            return flat.reshape((1,) * a.ndim) if keepdim else flat
        return contiguous(np_fn(a, axis=dim, keepdims=keepdim).astype(np.int64))

    def fn(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
        if input.dtype is dtypes.bool:
            raise RuntimeError(f"{name}(): does not support bool input")
        d = None if dim is None else _wrap_dim(dim, input.dim())
        empty_check(name, input, None if d is None else (d,), dim)
        return op(input, dim=d, keepdim=keepdim)
    fn.__name__ = fn.__qualname__ = name
    publish(fn, name, {"dim": "opt_int"})


_arg("argmax", np.argmax)
_arg("argmin", np.argmin)
publish(max_, "max", {"dim": "int_or_tensor"}, overloads=((0, 0), (1, 2), (1, 1)))
publish(min_, "min", {"dim": "int_or_tensor"}, overloads=((0, 0), (1, 2), (1, 1)))
publish(amax, "amax", {"dim": "dims"})
publish(amin, "amin", {"dim": "dims"})
publish(aminmax, "aminmax", {})
