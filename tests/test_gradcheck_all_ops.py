"""Every differentiable op in the registry passes gradcheck (float64, small random inputs), and its
values and vector-Jacobian products agree with real PyTorch.

CASES maps each registry op name to a call that runs it. The call is checked to really run that
op (through the observer API), so the table cannot drift from the registry; registering a new
differentiable op without adding a case here fails `test_every_differentiable_op_has_a_case`.
BROADCASTING adds cases whose operands broadcast, so gradients must be summed back over the
expanded dims.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pytest
import torch

import engine
from engine import observe
from engine.ops import REGISTRY


@dataclass
class Arg:
    shape: tuple
    low: float = -1.5
    high: float = 1.5
    grad: bool = True
    kind: str = "float"      # "float", "int" (values in [low, high)), "bool", "perm" (of shape[0])

    def make(self, rng):
        if self.kind == "int":
            return rng.integers(int(self.low), int(self.high), self.shape).astype(np.int64)
        if self.kind == "bool":
            return rng.random(self.shape) < 0.5
        if self.kind == "perm":
            return rng.permutation(self.shape[0]).astype(np.int64)
        values = rng.uniform(self.low, self.high, self.shape)
        # keep away from kinks (0 for abs/relu, integers for floor, ...) and from ties
        return values + np.sign(values) * 0.05


def pos(*shape):
    return Arg(shape, 0.5, 2.0)


def unit(*shape):
    return Arg(shape, -0.8, 0.8)


def ints(high, *shape, low=0):
    return Arg(shape, low, high, grad=False, kind="int")


def mask(*shape):
    return Arg(shape, grad=False, kind="bool")


def const(*shape):
    return Arg(shape, grad=False)


@dataclass
class Case:
    fn: object                      # fn(lib, *tensors) -> tensor or tuple of tensors
    args: tuple
    eps: float = 1e-6
    atol: float = 1e-5
    op: str | None = None           # the registry op it exercises (default: its key)
    args_kw: dict = field(default_factory=dict)


def case(fn, *args, **kw) -> Case:
    return Case(fn, tuple(a if isinstance(a, Arg) else Arg(a) for a in args), **kw)


def F(lib):
    return lib.nn.functional


def _grad_of(op_call, shape):
    """A function of g running op_call's backward with create_graph: exercises the double-
    backward ops (select_backward, ...), whose input is the incoming gradient."""
    def fn(lib, g):
        base = lib.zeros(shape, dtype=lib.float64, requires_grad=True)
        return lib.autograd.grad(op_call(lib, base), base, g, create_graph=True)[0]
    return fn


def _pad_grad(mode: str, pad: tuple, shape: tuple):
    """The backward op of F.pad's `mode` (reflection_pad2d_backward, ...) as a function of g."""
    return _grad_of(lambda t, b: F(t).pad(b, pad, mode=mode), shape)


def _engine_or_torch(engine_fn, torch_fn):
    return lambda lib, *a: engine_fn(*a) if lib is engine else torch_fn(*a)


def _rnn_layer():
    from engine.ops import rnn_layer
    return rnn_layer


def _attention_ops():
    from engine.ops import attention_ops
    return attention_ops


def _nn_ops():
    from engine.ops import nn_ops
    return nn_ops


CASES = {
    # ---- views -------------------------------------------------------------------------------
    "view": case(lambda t, x: x.view(3, 2), (2, 3)),
    "_reshape_alias": case(lambda t, x: x.t().reshape(3, 1, 2), (2, 3)),
    "_unsafe_view": case(lambda t, x: x.t().reshape(6), (2, 3)),
    "transpose": case(lambda t, x: x.transpose(0, 2), (2, 3, 2)),
    "t": case(lambda t, x: x.t(), (2, 3)),
    "permute": case(lambda t, x: x.permute(2, 0, 1), (2, 3, 2)),
    "squeeze": case(lambda t, x: x.squeeze(), (2, 1, 3)),
    "squeeze_dim": case(lambda t, x: x.squeeze(1), (2, 1, 3)),
    "squeeze_dims": case(lambda t, x: x.squeeze((1, 3)), (2, 1, 3, 1)),
    "unsqueeze": case(lambda t, x: x.unsqueeze(1), (2, 3)),
    "expand": case(lambda t, x: x.expand(4, 2, 3), (2, 1)),
    "select": case(lambda t, x: x[1], (3, 2)),
    "select_backward": case(_grad_of(lambda t, b: b.select(0, 1), (3, 2)), (2,)),
    "slice": case(lambda t, x: x[:, 1:3], (2, 4)),
    "slice_backward": case(_grad_of(lambda t, b: b[:, 1:3], (2, 4)), (2, 2)),
    "unbind": case(lambda t, x: x.unbind(1), (2, 3)),
    "split": case(lambda t, x: x.split(2, dim=1), (2, 5)),
    "split_with_sizes": case(lambda t, x: x.split([1, 3], dim=1), (2, 4)),
    "as_strided": case(lambda t, x: x.as_strided((2, 2), (1, 2), 1), (6,)),
    "as_strided_backward": case(_grad_of(lambda t, b: b.as_strided((2, 2), (1, 2), 1), (6,)),
                                (2, 2)),
    "diagonal": case(lambda t, x: x.diagonal(), (3, 3)),
    "unfold": case(lambda t, x: x.unfold(1, 2, 1), (2, 4)),
    "clone": case(lambda t, x: x.clone(), (2, 3)),
    "_to_copy": case(lambda t, x: x.float().double() * 2, (2, 3), eps=1e-3, atol=1e-4),
    "copy_": case(lambda t, x, y: x.clone().copy_(y), (2, 3), (3,)),
    "alias": case(lambda t, x: x[...], (2, 3)),
    # ---- indexing ----------------------------------------------------------------------------
    "index": case(lambda t, x: x[t.tensor([0, 2, 0])], (3, 2)),
    "index_backward": case(_grad_of(lambda t, b: b[t.tensor([0, 2, 0])], (3, 2)), (3, 2)),
    "index_put_": case(lambda t, x, v: x.clone().index_put_((t.tensor([2, 0]),), v), (3, 2),
                       (2, 2)),
    "gather": case(lambda t, x, i: x.gather(1, i), (2, 3), ints(3, 2, 3)),
    "scatter": case(lambda t, x, s: x.scatter(1, t.tensor([[2, 0], [1, 2]]), s), (2, 3),
                    (2, 2)),
    "scatter_value": case(lambda t, x: x.scatter(1, t.tensor([[2, 0], [1, 2]]), 0.5), (2, 3)),
    "scatter_add": case(lambda t, x, s: x.scatter_add(1, t.tensor([[2, 2], [1, 0]]), s),
                        (2, 3), (2, 2)),
    "index_select": case(lambda t, x, i: x.index_select(0, i), (3, 2), ints(3, 4)),
    "take": case(lambda t, x, i: x.take(i), (2, 3), ints(6, 4)),
    "masked_fill": case(lambda t, x, m: x.masked_fill(m, 0.5), (2, 3), mask(2, 3)),
    "masked_fill_tensor": case(lambda t, x, m, v: x.masked_fill(m, v), (2, 3), mask(2, 3), ()),
    "masked_select": case(lambda t, x, m: x.masked_select(m), (2, 3), mask(2, 3)),
    "fill": case(lambda t, x: x.clone().fill_(2.0) * x, (2, 3)),
    "fill_tensor": case(lambda t, x, v: x.clone().fill_(v) * x, (2, 3), ()),
    "zero": case(lambda t, x: x.clone().zero_() + x, (2, 3)),
    # ---- joining -----------------------------------------------------------------------------
    "cat": case(lambda t, x, y: t.cat([x, y], 1), (2, 3), (2, 1)),
    "stack": case(lambda t, x, y: t.stack([x, y], 1), (2, 3), (2, 3)),
    "repeat": case(lambda t, x: x.repeat(2, 1, 2), (2, 3)),
    "flip": case(lambda t, x: x.flip(0, 1), (2, 3)),
    "roll": case(lambda t, x: x.roll(1, 1), (2, 3)),
    "tril": case(lambda t, x: x.tril(), (3, 3)),
    "triu": case(lambda t, x: x.triu(1), (3, 3)),
    # ---- matrix products ---------------------------------------------------------------------
    "mm": case(lambda t, x, y: x.mm(y), (2, 3), (3, 4)),
    "bmm": case(lambda t, x, y: x.bmm(y), (2, 2, 3), (2, 3, 2)),
    "mv": case(lambda t, x, y: x.mv(y), (2, 3), (3,)),
    "dot": case(lambda t, x, y: x.dot(y), (3,), (3,)),
    "squeeze_": case(lambda t, x, y: x @ y, (3,), (3, 2)),
    # ---- pointwise ---------------------------------------------------------------------------
    "exp": case(lambda t, x: x.exp(), (2, 3)),
    "acosh": case(lambda t, x: x.acosh(), Arg((2, 3), 1.2, 3.0)),
    "asinh": case(lambda t, x: x.asinh(), (2, 3)),
    "atanh": case(lambda t, x: x.atanh(), unit(2, 3)),
    "erfc": case(lambda t, x: x.erfc(), (2, 3)),
    "sgn": case(lambda t, x: x.sgn() * x, (2, 3)),
    "nan_to_num": case(lambda t, x: x.nan_to_num(), (2, 3)),
    "round_decimals": case(lambda t, x: x.round(decimals=1) + x, (2, 3)),
    "clamp_min": case(lambda t, x: x.clamp_min(-0.5), (2, 3)),
    "clamp_max": case(lambda t, x: x.clamp_max(0.5), (2, 3)),
    "clamp_min_tensor": case(lambda t, x, y: x.clamp_min(y), (2, 3), (2, 3)),
    "clamp_max_tensor": case(lambda t, x, y: x.clamp_max(y), (2, 3), (2, 3)),
    "clamp_tensor": case(lambda t, x, lo, hi: x.clamp(lo, hi), (2, 3), Arg((2, 3), -1.5, -0.2),
                         Arg((2, 3), 0.2, 1.5)),
    "fmax": case(lambda t, x, y: t.fmax(x, y), (2, 3), (2, 3)),
    "fmin": case(lambda t, x, y: t.fmin(x, y), (2, 3), (2, 3)),
    "fmod_scalar": case(lambda t, x: t.fmod(x, 0.7), (2, 3)),
    "remainder_scalar": case(lambda t, x: t.remainder(x, 0.7), (2, 3)),
    "addcmul": case(lambda t, x, y, z: t.addcmul(x, y, z, value=0.5), (2, 3), (2, 3), (3,)),
    "addcdiv": case(lambda t, x, y, z: t.addcdiv(x, y, z, value=0.5), (2, 3), (2, 3), pos(3)),
    "lerp": case(lambda t, x, y: t.lerp(x, y, 0.3), (2, 3), (2, 3)),
    "lerp_tensor": case(lambda t, x, y, w: t.lerp(x, y, w), (2, 3), (2, 3), (2, 3)),
    "rsub_tensor": case(lambda t, x, y: t.rsub(x, y), (2, 3), (2, 3)),
    "floor_divide": case(lambda t, x, y: x // y, (2, 3), pos(2, 3)),
    "remainder_scalar_tensor": case(lambda t, x: t.remainder(2.0, x), pos(2, 3)),
    "exp2": case(lambda t, x: x.exp2(), (2, 3)),
    "expm1": case(lambda t, x: x.expm1(), (2, 3)),
    "log": case(lambda t, x: x.log(), pos(2, 3)),
    "log2": case(lambda t, x: x.log2(), pos(2, 3)),
    "log10": case(lambda t, x: x.log10(), pos(2, 3)),
    "log1p": case(lambda t, x: x.log1p(), pos(2, 3)),
    "sqrt": case(lambda t, x: x.sqrt(), pos(2, 3)),
    "rsqrt": case(lambda t, x: x.rsqrt(), pos(2, 3)),
    "sin": case(lambda t, x: x.sin(), (2, 3)),
    "cos": case(lambda t, x: x.cos(), (2, 3)),
    "tan": case(lambda t, x: x.tan(), unit(2, 3)),
    "asin": case(lambda t, x: x.asin(), unit(2, 3)),
    "acos": case(lambda t, x: x.acos(), unit(2, 3)),
    "atan": case(lambda t, x: x.atan(), (2, 3)),
    "sinh": case(lambda t, x: x.sinh(), (2, 3)),
    "cosh": case(lambda t, x: x.cosh(), (2, 3)),
    "tanh": case(lambda t, x: x.tanh(), (2, 3)),
    "sigmoid": case(lambda t, x: x.sigmoid(), (2, 3)),
    "erf": case(lambda t, x: x.erf(), (2, 3)),
    "reciprocal": case(lambda t, x: x.reciprocal(), pos(2, 3)),
    "relu": case(lambda t, x: x.relu(), (2, 3)),
    "abs": case(lambda t, x: x.abs(), (2, 3)),
    "sign": case(lambda t, x: x.sign() * x, (2, 3)),
    "floor": case(lambda t, x: x.floor() + x, (2, 3)),
    "ceil": case(lambda t, x: x.ceil() + x, (2, 3)),
    "trunc": case(lambda t, x: x.trunc() + x, (2, 3)),
    "frac": case(lambda t, x: x.frac(), (2, 3)),
    "eq_scalar_": case(lambda t, x: (x * 1).eq_(0.5) + x, (2, 3)),
    "eq_tensor_": case(lambda t, x, y: (x * 1).eq_(y) + x, (2, 3), (2, 3)),
    "ne_scalar_": case(lambda t, x: (x * 1).ne_(0.5) + x, (2, 3)),
    "ne_tensor_": case(lambda t, x, y: (x * 1).ne_(y) + x, (2, 3), (2, 3)),
    "lt_scalar_": case(lambda t, x: (x * 1).lt_(0.5) + x, (2, 3)),
    "lt_tensor_": case(lambda t, x, y: (x * 1).lt_(y) + x, (2, 3), (2, 3)),
    "le_scalar_": case(lambda t, x: (x * 1).le_(0.5) + x, (2, 3)),
    "le_tensor_": case(lambda t, x, y: (x * 1).le_(y) + x, (2, 3), (2, 3)),
    "gt_scalar_": case(lambda t, x: (x * 1).gt_(0.5) + x, (2, 3)),
    "gt_tensor_": case(lambda t, x, y: (x * 1).gt_(y) + x, (2, 3), (2, 3)),
    "ge_scalar_": case(lambda t, x: (x * 1).ge_(0.5) + x, (2, 3)),
    "ge_tensor_": case(lambda t, x, y: (x * 1).ge_(y) + x, (2, 3), (2, 3)),
    "neg": case(lambda t, x: -x, (2, 3)),
    "round": case(lambda t, x: x.round() + x, (2, 3)),
    "add": case(lambda t, x, y: x.add(y, alpha=2), (2, 3), (2, 3)),
    "sub": case(lambda t, x, y: x.sub(y, alpha=3), (2, 3), (2, 3)),
    "mul": case(lambda t, x, y: x * y, (2, 3), (2, 3)),
    "div": case(lambda t, x, y: x / y, (2, 3), pos(2, 3)),
    "div_rounding": case(lambda t, x, y: x.div(y, rounding_mode="floor") + x, (2, 3), pos(2, 3)),
    "rsub": case(lambda t, x: 2 - x, (2, 3)),
    "pow": case(lambda t, x: x ** 3, (2, 3)),
    "pow_tensor": case(lambda t, x, y: x ** y, pos(2, 3), (2, 3)),
    "pow_scalar_base": case(lambda t, x: 2 ** x, (2, 3)),
    "clamp": case(lambda t, x: x.clamp(-0.7, 0.9), (2, 3)),
    "where": case(lambda t, c, x, y: t.where(c, x, y), mask(2, 3), (2, 3), (2, 3)),
    "maximum": case(lambda t, x, y: t.maximum(x, y), (2, 3), (2, 3)),
    "minimum": case(lambda t, x, y: t.minimum(x, y), (2, 3), (2, 3)),
    "atan2": case(lambda t, x, y: t.atan2(x, y), (2, 3), (2, 3)),
    "hypot": case(lambda t, x, y: t.hypot(x, y), (2, 3), (2, 3)),
    "logaddexp": case(lambda t, x, y: t.logaddexp(x, y), (2, 3), (2, 3)),
    "logaddexp2": case(lambda t, x, y: t.logaddexp2(x, y), (2, 3), (2, 3)),
    "xlogy": case(lambda t, x, y: t.xlogy(x, y), (2, 3), pos(2, 3)),
    "xlogy_scalar_other": case(lambda t, x: t.xlogy(x, 2.5), (2, 3)),
    "xlogy_scalar_self": case(lambda t, y: t.xlogy(2.5, y), pos(2, 3)),
    "deg2rad": case(lambda t, x: x.deg2rad(), (2, 3)),
    "rad2deg": case(lambda t, x: x.rad2deg(), (2, 3)),
    "sinc": case(lambda t, x: x.sinc(), (2, 3)),
    "logit": case(lambda t, x: x.logit(), Arg((2, 3), 0.1, 0.4)),
    "fmod": case(lambda t, x, y: t.fmod(x, y), Arg((2, 3), 2, 5), const(2, 3)),
    "remainder": case(lambda t, x, y: t.remainder(x, y), Arg((2, 3), 2, 5), const(2, 3)),
    # ---- reductions --------------------------------------------------------------------------
    "sum": case(lambda t, x: x.sum(), (2, 3)),
    "sum_dim": case(lambda t, x: x.sum(1, keepdim=True), (2, 3)),
    "mean": case(lambda t, x: x.mean(), (2, 3)),
    "mean_dim": case(lambda t, x: x.mean((0, 2)), (2, 3, 2)),
    "prod": case(lambda t, x: x.prod(), (2, 3)),
    "prod_dim": case(lambda t, x: x.prod(1), (2, 3)),
    "var": case(lambda t, x: x.var(1), (2, 3)),
    "std": case(lambda t, x: x.std(), (2, 3)),
    "max": case(lambda t, x: x.max(), (2, 3)),
    "min": case(lambda t, x: x.min(), (2, 3)),
    "max_dim": case(lambda t, x: x.max(1), (2, 3)),
    "min_dim": case(lambda t, x: x.min(0, keepdim=True), (2, 3)),
    "amax": case(lambda t, x: x.amax(1), (2, 3)),
    "amin": case(lambda t, x: x.amin(0), (2, 3)),
    "linalg_vector_norm": case(lambda t, x: x.norm(), (2, 3)),
    "logsumexp": case(lambda t, x: x.logsumexp(1), (2, 3)),
    "cumsum": case(lambda t, x: x.cumsum(1), (2, 3)),
    "cumprod": case(lambda t, x: x.cumprod(1), (2, 3)),
    "sort": case(lambda t, x: x.sort(1), (2, 3)),
    "topk": case(lambda t, x: x.topk(2), (2, 3)),
    "median": case(lambda t, x: x.median(), (2, 3)),
    "softmax": case(lambda t, x: x.softmax(1), (2, 3)),
    "nansum": case(lambda t, x: x.nansum(), (2, 3)),
    "aminmax": case(lambda t, x: x.aminmax(dim=1), (2, 3)),
    "cummax": case(lambda t, x: x.cummax(1), (2, 3)),
    "cummin": case(lambda t, x: x.cummin(1), (2, 3)),
    "logcumsumexp": case(lambda t, x: x.logcumsumexp(1), (2, 3)),
    "kthvalue": case(lambda t, x: x.kthvalue(2, 1), (2, 3)),
    "median_dim": case(lambda t, x: x.median(1), (2, 3)),
    "mode": case(lambda t, x: x.mode(1), (2, 3)),
    "nanmedian": case(lambda t, x: x.nanmedian(), (2, 3)),
    "nanmedian_dim": case(lambda t, x: x.nanmedian(1), (2, 3)),
    "sort_stable": case(lambda t, x: x.sort(dim=1, stable=True), (2, 3)),
    "std_mean": case(lambda t, x: t.std_mean(x, 1), (2, 3)),
    "var_mean": case(lambda t, x: t.var_mean(x, 1), (2, 3)),
    "log_softmax": case(lambda t, x: x.log_softmax(0), (2, 3)),
    # ---- neural-network primitives -----------------------------------------------------------
    "addmm": case(lambda t, x, w, b: F(t).linear(x, w, b), (2, 3), (4, 3), (4,)),
    "mul_scalar": case(lambda t, x, i: F(t).cross_entropy(x, i, label_smoothing=0.2), (3, 4),
                       ints(4, 3)),
    "div_scalar": case(lambda t, x, p: F(t).cross_entropy(x, p), (3, 4), pos(3, 4)),
    "transpose_": case(_engine_or_torch(
        lambda x: _nn_ops().TRANSPOSE_INPLACE(x * 1, dim0=0, dim1=1),
        lambda x: (x * 1).transpose_(0, 1)), (2, 3)),
    "mkldnn_rnn_layer": case(_engine_or_torch(
        lambda x, *w_h_c: _rnn_layer().LSTM_LAYER(x, *w_h_c, reverse=False)[:3],
        lambda x, w_ih, w_hh, b_ih, b_hh, h, c: (lambda out, h_n, c_n: (out, h_n[0], c_n[0]))(
            *torch.lstm(x, (h[None], c[None]), [w_ih, w_hh, b_ih, b_hh], True, 1, 0.0, False,
                        False, False))), (3, 2, 2), (8, 2), (8, 2), (8,), (8,), (2, 2), (2, 2)),
    "unsafe_split": case(_engine_or_torch(
        lambda x: _rnn_layer().UNSAFE_SPLIT(x, dim=1, split_size=2),
        lambda x: x.unsafe_split(2, 1)), (2, 5)),
    "_pack_padded_sequence": case(lambda t, x: t.nn.utils.rnn.pack_padded_sequence(
        x, [3, 2, 1], batch_first=True).data, (3, 4, 2)),
    "baddbmm": case(_engine_or_torch(
        lambda m, a, b: _attention_ops().BADDBMM(m, a, b),
        lambda m, a, b: torch.baddbmm(m, a, b)), (1, 3, 2), (4, 3, 5), (4, 5, 2)),
    "_scaled_dot_product_flash_attention_for_cpu": case(
        lambda t, q, k, v: F(t).scaled_dot_product_attention(
            q, k, v, attn_mask=t.arange(15, dtype=t.float64).view(3, 5) * 0.1, is_causal=True),
        (1, 2, 3, 4), (1, 2, 5, 4), (1, 2, 5, 4)),
    "_safe_softmax": case(_engine_or_torch(
        lambda x: _attention_ops().SAFE_SOFTMAX(x, dim=1),
        lambda x: torch._safe_softmax(x, 1)), (2, 3)),
    "mse_loss_backward": case(lambda t, x, y: t.autograd.grad(
        F(t).mse_loss(x, y, reduction="sum"), x, create_graph=True)[0], (2, 3), (2, 3)),
    "convolution": case(lambda t, x, w, b: F(t).conv2d(x, w, b, padding=1), (1, 2, 3, 3),
                        (2, 2, 2, 2), (2,)),
    "max_pool2d_with_indices": case(lambda t, x: F(t).max_pool2d(x, 2), (1, 2, 4, 4)),
    "adaptive_max_pool2d": case(lambda t, x: F(t).adaptive_max_pool2d(x, (2, 1)), (1, 2, 4, 3)),
    "avg_pool3d": case(lambda t, x: F(t).avg_pool3d(x, 2), (1, 1, 2, 4, 4)),
    "max_pool3d_with_indices": case(lambda t, x: F(t).max_pool3d(x, 2), (1, 1, 2, 4, 4)),
    "threshold": case(lambda t, x: F(t).threshold(x, 0.1, 20.0), (2, 3)),
    "_log_softmax_backward_data": case(lambda t, g, x: t.autograd.grad(
        t.log_softmax(x, 1), x, g, create_graph=True)[0], (2, 3), (2, 3)),
    "_softmax_backward_data": case(lambda t, g, x: t.autograd.grad(
        t.softmax(x, 1), x, g, create_graph=True)[0], (2, 3), (2, 3)),
    "threshold_backward": case(lambda t, g, x: t.autograd.grad(
        F(t).threshold(x, 0.1, 20.0), x, g, create_graph=True)[0], (2, 3), (2, 3)),
    "avg_pool2d": case(lambda t, x: F(t).avg_pool2d(x, 2), (1, 2, 4, 4)),
    "adaptive_avg_pool2d": case(lambda t, x: F(t).adaptive_avg_pool2d(x, (2, 1)), (1, 2, 4, 3)),
    "native_batch_norm": case(lambda t, x, w, b: F(t).batch_norm(x, None, None, w, b, True),
                              (3, 2, 2), (2,), (2,)),
    "native_layer_norm": case(lambda t, x, w, b: F(t).layer_norm(x, (3,), w, b), (2, 3), (3,),
                              (3,)),
    "embedding": case(lambda t, i, w: F(t).embedding(i, w), ints(4, 2, 3), (4, 2)),
    "constant_pad_nd": case(lambda t, x: F(t).pad(x, (1, 2)), (2, 3)),
    "reflection_pad1d": case(lambda t, x: F(t).pad(x, (1, 2), mode="reflect"), (2, 3)),
    "reflection_pad2d": case(lambda t, x: F(t).pad(x, (1, 2, 2, 0), mode="reflect"), (1, 3, 4)),
    "reflection_pad3d": case(lambda t, x: F(t).pad(x, (1, 0, 1, 1, 0, 1), mode="reflect"),
                             (1, 2, 2, 3)),
    "replication_pad1d": case(lambda t, x: F(t).pad(x, (2, 1), mode="replicate"), (2, 3)),
    "replication_pad2d": case(lambda t, x: F(t).pad(x, (1, 2, 2, 0), mode="replicate"),
                              (1, 3, 4)),
    "replication_pad3d": case(lambda t, x: F(t).pad(x, (1, 0, 1, 1, 0, 2), mode="replicate"),
                              (1, 2, 2, 3)),
    **{f"{kind}_pad{len(pad) // 2}d_backward": case(_pad_grad(mode, pad, shape), out)
       for kind, mode in (("reflection", "reflect"), ("replication", "replicate"))
       for pad, shape, out in (((1, 1), (2, 3), (2, 5)), ((1, 0, 0, 1), (1, 2, 3), (1, 3, 4)),
                               ((1, 0, 0, 1, 1, 0), (1, 2, 2, 3), (1, 3, 3, 4)))},
    "leaky_relu": case(lambda t, x: F(t).leaky_relu(x, 0.1), (2, 3)),
    "elu": case(lambda t, x: F(t).elu(x), (2, 3)),
    "gelu": case(lambda t, x: F(t).gelu(x), (2, 3)),
    "silu": case(lambda t, x: F(t).silu(x), (2, 3)),
    "softplus": case(lambda t, x: F(t).softplus(x), (2, 3)),
    "mse_loss": case(lambda t, x, y: F(t).mse_loss(x, y), (2, 3), (2, 3)),
    "smooth_l1_loss": case(lambda t, x, y: F(t).smooth_l1_loss(x, y, reduction="sum"), (2, 3),
                           Arg((2, 3), -3, 3)),
    "binary_cross_entropy": case(lambda t, p, y: F(t).binary_cross_entropy(p, y),
                                 Arg((2, 3), 0.1, 0.8), Arg((2, 3), 0.0, 1.0, grad=False)),
    "binary_cross_entropy_with_logits": case(
        lambda t, x, y, w: F(t).binary_cross_entropy_with_logits(x, y, pos_weight=w), (2, 3),
        Arg((2, 3), 0.0, 1.0), Arg((3,), 0.5, 2.0, grad=False)),
    "nll_loss": case(lambda t, x, i: F(t).nll_loss(x, i), (3, 4), ints(4, 3)),
    "native_group_norm": case(lambda t, x, w, b: F(t).group_norm(x, 2, w, b), (2, 4, 3),
                              pos(4), (4,)),
    # ---- contractions and counting (test_diff_ops_missing) -----------------------------------
    "trace": case(lambda t, x: t.trace(x), (3, 4)),
    "linalg_cross": case(lambda t, x, y: t.linalg.cross(x, y), (2, 3), (1, 3)),
    "unique": case(lambda t, x: t.unique(x), (4,)),
    "unique_dim": case(lambda t, x: t.unique(x, dim=0), (3, 2)),
    # ---- linear algebra and distances (test_diff_linalg) ---------------------------------------
    "linalg_det": case(lambda t, x: t.linalg.det(x), (2, 3, 3)),
    "linalg_inv_ex": case(lambda t, x: t.linalg.inv(x + 3 * t.eye(3, dtype=x.dtype)), (3, 3)),
    "linalg_svd": case(lambda t, x: t.linalg.svd(x, full_matrices=False), (5, 2)),
    "_cdist_forward": case(lambda t, x, y: t.cdist(x, y, p=3.0), (2, 3, 2), (4, 2)),
    "_euclidean_dist": case(lambda t, x, y: t.cdist(x, y), (30, 2), (4, 2)),
    "dist": case(lambda t, x, y: t.dist(x, y, 3), (2, 3), (3,)),
    "diag_embed": case(lambda t, x: t.diag(x, -1), (3,)),
    "tanh_backward": case(_grad_of(lambda t, b: b.tanh(), (3,)), (3,)),
    "sigmoid_backward": case(_grad_of(lambda t, b: b.sigmoid(), (3,)), (3,)),
    "add_scalar": case(lambda t, x: t.autograd.grad(t.autograd.grad(
        x.sigmoid().sum(), x, create_graph=True)[0].sum(), x, create_graph=True)[0], (3,)),
    "diagonal_copy": case(lambda t, x: t.diag(x, 1), (3, 4)),
    # ---- resampling (test_diff_interpolate) ----------------------------------------------------
    "upsample_nearest1d": case(lambda t, x: F(t).interpolate(x, size=7), (1, 2, 3)),
    "upsample_nearest2d": case(lambda t, x: F(t).interpolate(x, scale_factor=1.5), (1, 1, 3, 2)),
    "upsample_nearest3d": case(lambda t, x: F(t).interpolate(x, size=(3, 2, 4)), (1, 1, 2, 2, 3)),
    "_upsample_nearest_exact1d": case(
        lambda t, x: F(t).interpolate(x, size=5, mode="nearest-exact"), (1, 2, 3)),
    "_upsample_nearest_exact2d": case(
        lambda t, x: F(t).interpolate(x, size=(5, 3), mode="nearest-exact"), (1, 1, 3, 2)),
    "_upsample_nearest_exact3d": case(
        lambda t, x: F(t).interpolate(x, scale_factor=2, mode="nearest-exact"), (1, 1, 2, 2, 1)),
    "upsample_linear1d": case(lambda t, x: F(t).interpolate(x, size=7, mode="linear"), (1, 2, 3)),
    "upsample_bilinear2d": case(
        lambda t, x: F(t).interpolate(x, size=(4, 5), mode="bilinear", align_corners=True),
        (1, 2, 3, 2)),
    "upsample_trilinear3d": case(
        lambda t, x: F(t).interpolate(x, scale_factor=(2, 1.5, 1), mode="trilinear"),
        (1, 1, 2, 2, 3)),
}

NO_DERIVATIVE = {"unique", "unique_dim"}   # a node whose backward raises, as in torch

BROADCASTING = {
    "mul (2, 3) * (3,)": case(lambda t, x, y: x * y, (2, 3), (3,), op="mul"),
    "mul (2, 1) * (1, 3)": case(lambda t, x, y: x * y, (2, 1), (1, 3), op="mul"),
    "add (4, 1, 3) + (2, 3), alpha": case(lambda t, x, y: x.add(y, alpha=0.5), (4, 1, 3), (2, 3),
                                          op="add"),
    "sub 0-dim - (2, 3)": case(lambda t, x, y: x - y, (), (2, 3), op="sub"),
    "div (3,) / (2, 1)": case(lambda t, x, y: x / y, (3,), pos(2, 1), op="div"),
    "pow (2, 1) ** (3,)": case(lambda t, x, y: x ** y, pos(2, 1), (3,), op="pow_tensor"),
    "where (2, 1) / (3,) / 0-dim": case(lambda t, c, x, y: t.where(c, x, y), mask(2, 1), (3,),
                                        (), op="where"),
    "maximum (2, 3) vs (3,)": case(lambda t, x, y: t.maximum(x, y), (2, 3), (3,),
                                   op="maximum"),
    "atan2 (1, 3) vs (2, 1)": case(lambda t, x, y: t.atan2(x, y), (1, 3), (2, 1), op="atan2"),
    "copy_ (3,) into (2, 3)": case(lambda t, x, y: x.clone().copy_(y), (2, 3), (3,), op="copy_"),
    "masked_fill (2, 3) with a (3,) mask": case(lambda t, x, m: x.masked_fill(m, 1.0), (2, 3),
                                                mask(3), op="masked_fill"),
    "in-place add_ of a (3,) into (2, 3)": case(lambda t, x, y: (x * 1).add_(y), (2, 3), (3,),
                                                op="add"),
    "gather with an index smaller than the input": case(lambda t, x, i: x.gather(1, i), (2, 3),
                                                        ints(3, 2, 2), op="gather"),
    "matmul batch (2, 1, 2, 3) @ (3, 3, 2)": case(lambda t, x, y: x @ y, (2, 1, 2, 3),
                                                  (3, 3, 2), op="bmm"),
    "lstm layer walking time backwards": case(_engine_or_torch(
        lambda x, *w_h_c: _rnn_layer().LSTM_LAYER(x, *w_h_c, reverse=True)[:3],
        lambda x, w_ih, w_hh, b_ih, b_hh, h, c: (lambda out, h_n, c_n: (
            out.flip(0), h_n[0], c_n[0]))(*torch.lstm(
                x.flip(0), (h[None], c[None]), [w_ih, w_hh, b_ih, b_hh], True, 1, 0.0, False,
                False, False))), (3, 2, 2), (8, 2), (8, 2), (8,), (8,), (2, 2), (2, 2),
        op="mkldnn_rnn_layer"),
    "svd of a square matrix": case(lambda t, x: t.linalg.svd(x), (3, 3), op="linalg_svd"),
    "svd of a batch of wide matrices (unsigned: MKL may sign them otherwise)": case(
        lambda t, x: [v.abs() for v in t.linalg.svd(x, full_matrices=False)], (2, 2, 3),
        op="linalg_svd"),
    "singular values only": case(lambda t, x: t.linalg.svdvals(x), (4, 3), op="linalg_svd"),
    "cdist p=1 of a batch against one matrix": case(lambda t, x, y: t.cdist(x, y, p=1.0),
                                                    (3, 2), (2, 4, 2), op="_cdist_forward"),
    "cdist p=inf": case(lambda t, x, y: t.cdist(x, y, p=float("inf")), (3, 2), (4, 2),
                        op="_cdist_forward"),
    "cdist p=2 by matrix products, batched": case(
        lambda t, x, y: t.cdist(x, y, compute_mode="use_mm_for_euclid_dist"), (2, 3, 2), (4, 2),
        op="_euclidean_dist"),
}


def _inputs(c: Case, lib, seed: int):
    rng = np.random.default_rng(seed)
    out = []
    for a in c.args:
        value = lib.tensor(a.make(rng))
        if value.dtype.is_floating_point:
            value = value.double().requires_grad_(a.grad)
        out.append(value)
    return out


def _outputs(result) -> list:
    items = result if isinstance(result, (tuple, list)) else [result]
    return [o for o in items if o.requires_grad]


def check(name: str, c: Case) -> None:
    seed = sum(map(ord, name))
    fn = c.fn
    # 1. the call runs the op it stands for
    ran = []
    with observe.observing(lambda ev: ran.append(getattr(ev, "op", None))):
        fn(engine, *_inputs(c, engine, seed))
    op = c.op or name
    assert op in ran, f"the case for {name!r} runs {sorted(set(filter(None, ran)))}, not {op!r}"
    if REGISTRY[op].grad_fn == "NotImplemented" or op in NO_DERIVATIVE:   # nor has PyTorch
        errors = []
        for lib in (torch, engine):
            out = fn(lib, *_inputs(c, lib, seed))
            with pytest.raises(RuntimeError) as caught:
                out.sum().backward()
            errors.append((out.grad_fn.name(), str(caught.value).splitlines()[0]))
        assert errors[1] == errors[0]
        return
    # 2. gradcheck on the engine
    inputs = _inputs(c, engine, seed)
    assert engine.autograd.gradcheck(lambda *a: fn(engine, *a), inputs, eps=c.eps,
                                     atol=c.atol)
    # 3. the same values and vector-Jacobian products as PyTorch
    results = {}
    for lib in (torch, engine):
        args = _inputs(c, lib, seed)
        outs = _outputs(fn(lib, *args))
        rng = np.random.default_rng(seed + 1)
        cotangents = [lib.tensor(rng.uniform(-1, 1, tuple(o.shape))) for o in outs]
        diff = [a for a in args if a.requires_grad]
        grads = lib.autograd.grad(outs, diff, cotangents, allow_unused=True)
        results[lib] = ([o.detach().numpy() for o in outs],
                        [None if g is None else g.numpy() for g in grads])
    (t_out, t_grads), (e_out, e_grads) = results[torch], results[engine]
    for i, (e, t) in enumerate(zip(e_out, t_out, strict=True)):
        np.testing.assert_allclose(e, t, rtol=1e-10, atol=1e-12, err_msg=f"output {i}")
    for i, (e, t) in enumerate(zip(e_grads, t_grads, strict=True)):
        if t is None:
            assert e is None or not np.any(e), f"grad of input {i}: torch None"
        else:
            assert e is not None, f"grad of input {i}: engine None, torch {t}"
            np.testing.assert_allclose(e, t, rtol=1e-10, atol=1e-12, err_msg=f"grad {i}")


def test_every_differentiable_op_has_a_case():
    differentiable = {name for name, op in REGISTRY.items() if op.node_cls is not None}
    missing = differentiable - set(CASES)
    assert not missing, f"add gradcheck cases for: {sorted(missing)}"
    stale = set(CASES) - differentiable
    assert not stale, f"cases for ops that are no longer differentiable registry ops: {stale}"


OUTSIDE_AUTOGRAD: dict = {}  # failures in other areas' formulas, with a reproducer each


@pytest.mark.parametrize("name", [
    pytest.param(n, marks=pytest.mark.xfail(reason=OUTSIDE_AUTOGRAD[n], strict=True))
    if n in OUTSIDE_AUTOGRAD else n for n in sorted(CASES)])
def test_gradcheck_op(name):
    check(name, CASES[name])


@pytest.mark.parametrize("name", BROADCASTING)
def test_gradcheck_broadcasting_backward(name):
    check(name, BROADCASTING[name])
