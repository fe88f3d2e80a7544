"""softmax and log_softmax, and the backward ops they record (_softmax_backward_data, ...),
so a gradient taken with create_graph shows PyTorch's SoftmaxBackwardDataBackward0."""
from __future__ import annotations

import numpy as np

from ...tensor import Tensor, _wrap_dim
from ..registry import defop
from .common import contiguous, publish, wide
from .exact_sum import accumulate


def _exp(x: np.ndarray) -> np.ndarray:
    """exp rounded from float64 for float32 (NumPy's float32 exp is often an ulp off)."""
    return _in_float64(np.exp, x) if x.dtype == np.float32 else np.exp(x)


def _log(x: np.ndarray) -> np.ndarray:
    return _in_float64(np.log, x) if x.dtype == np.float32 else np.log(x)


def _in_float64(fn, x: np.ndarray) -> np.ndarray:
    wide = np.array(x, np.float64)      # a copy of its own, so fn can work in place
    return fn(wide, out=wide).astype(np.float32)


# ---- softmax, log_softmax ------------------------------------------------------------------
@defop("softmax", "SoftmaxBackward0", saves=("dim", "result"),
       formulas={"self": "result * (grad - (grad * result).sum(dim, keepdim=True))"})
def SOFTMAX(a, *, dim):
    x = wide(a)
    axis = dim if a.ndim else None
    e = _exp(x - np.maximum.reduce(x, axis, keepdims=True)) if x.size else x
    total = np.add.reduce(e, axis, keepdims=True)
    if a.ndim and dim == a.ndim - 1:  # PyTorch's last-dim kernel scales by 1 / sum
        return contiguous((e * (1 / total)).astype(a.dtype, copy=False))
    return contiguous(np.asarray(e / total).astype(a.dtype, copy=False))


@SOFTMAX.derivative
def _(g, s):
    return SOFTMAX_BACKWARD(g, s.result, dim=s.dim)


@defop("_softmax_backward_data", "SoftmaxBackwardDataBackward0",
       inputs=("grad_output", "output"), saves=("grad_output", "output", "dim"),
       formulas={"grad_output": "_softmax_backward_data(grad, output, dim)",
                 "output": "grad * (grad_output - (grad_output * output).sum(dim, keepdim=True))"
                           " - grad_output * (grad * output).sum(dim, keepdim=True)"},
       reads={"grad_output": ("output", "dim"), "output": ("grad_output", "output", "dim")})
def SOFTMAX_BACKWARD(g, out, *, dim):
    """softmax's gradient as one op, as PyTorch records it: output * (grad - the sum of
    grad * output over dim), each step rounded to the dtype as the separate ops would."""
    product = np.asarray(g * out)
    total = accumulate(np.sum, product, (dim,) if g.ndim else None, True, g.dtype)
    return contiguous(np.asarray(out * (g - total)))


@SOFTMAX_BACKWARD.derivative
def _(g, s):
    go, out, dim = s.grad_output, s.output, s.dim
    return (SOFTMAX_BACKWARD(g, out, dim=dim),
            g * (go - (go * out).sum(dim, keepdim=True)) - go * (g * out).sum(dim, keepdim=True))


@defop("log_softmax", "LogSoftmaxBackward0", saves=("dim", "result"),
       formulas={"self": "grad - exp(result) * grad.sum(dim, keepdim=True)"})
def LOG_SOFTMAX(a, *, dim):
    x = wide(a)
    axis = dim if a.ndim else None
    shifted = x - np.maximum.reduce(x, axis, keepdims=True) if x.size else x
    total = np.add.reduce(_exp(shifted), axis, keepdims=True)
    return contiguous(np.asarray(shifted - _log(total)).astype(a.dtype, copy=False))


@LOG_SOFTMAX.derivative
def _(g, s):
    return LOG_SOFTMAX_BACKWARD(g, s.result, dim=s.dim)


@defop("_log_softmax_backward_data", "LogSoftmaxBackwardDataBackward0",
       inputs=("grad_output", "output"), saves=("grad_output", "output", "dim"),
       formulas={"grad_output": "grad - (grad * exp(output)).sum(dim, keepdim=True)",
                 "output": "-grad_output.sum(dim, keepdim=True) * exp(output) * grad"},
       reads={"grad_output": ("output", "dim"), "output": ("grad_output", "output", "dim")})
def LOG_SOFTMAX_BACKWARD(g, out, *, dim):
    """log_softmax's gradient as one op, as PyTorch records it: grad - exp(output) * the sum
    of grad over dim (summed in PyTorch's order, each step rounded to the dtype)."""
    total = accumulate(np.sum, g, (dim,) if g.ndim else None, True, g.dtype)
    return contiguous(np.asarray(g - _exp(out) * total))


@LOG_SOFTMAX_BACKWARD.derivative
def _(g, s):
    e = s.output.exp()
    return g - (g * e).sum(s.dim, keepdim=True), -s.grad_output.sum(s.dim, keepdim=True) * e * g


def _softmax(name: str, op, input: Tensor, dim, dtype) -> Tensor:
    src = input.to(dtype) if dtype is not None else input
    d = _wrap_dim(dim, src.dim())
    if not src.dtype.is_floating_point:
        last = "lastdim_" if src.dim() == 0 or d == src.dim() - 1 else ""
        raise NotImplementedError(f"\"{name}_{last}kernel_impl\" not implemented for "
                                  f"'{src.dtype.scalar_name}'")
    return op(src, dim=d)


def softmax(input: Tensor, dim: int, dtype=None, *, _stacklevel: int = 3) -> Tensor:
    return _softmax("softmax", SOFTMAX, input, dim, dtype)


def log_softmax(input: Tensor, dim: int, dtype=None, *, _stacklevel: int = 3) -> Tensor:
    return _softmax("log_softmax", LOG_SOFTMAX, input, dim, dtype)


publish(softmax, "softmax", {"dim": "int"})
publish(log_softmax, "log_softmax", {"dim": "int"})
