"""The kernels attention runs on in torch 2.13 CPU, each the one node torch records:

- baddbmm (BaddbmmBackward0): beta * input + alpha * batch1 @ batch2, how multi-head attention
  adds its mask to the scores when it returns the weights;
- _scaled_dot_product_flash_attention_for_cpu (ScaledDotProductFlashAttentionForCpuBackward0):
  softmax(q @ kᵀ * scale + mask) @ v as one op, what scaled_dot_product_attention picks on a CPU
  without dropout (and multi-head attention with need_weights=False);
- _safe_softmax (SafeSoftmaxBackward0): softmax that gives 0, not nan, for a row masked out
  entirely, which the math fallback (with dropout) uses.

Backwards are written in engine ops, so create_graph works."""
from __future__ import annotations

import math

import numpy as np

from .registry import defop


# ---- baddbmm ---------------------------------------------------------------------------------
@defop("baddbmm", "BaddbmmBackward0", inputs=("self", "batch1", "batch2"),
       saves=("alpha", "batch1", "batch2", "beta", "self_sym_sizes"),
       formulas={"self": "(grad * beta).sum_to(self.shape)",
                 "batch1": "grad.bmm(batch2.transpose(1, 2)) * alpha",
                 "batch2": "batch1.transpose(1, 2).bmm(grad) * alpha"},
       reads={"self": ("beta", "self_sym_sizes"), "batch1": ("batch2", "alpha"),
              "batch2": ("batch1", "alpha")})
def BADDBMM(a, b1, b2, *, beta=1, alpha=1):
    product = np.matmul(b1, b2)
    if alpha != 1:
        product = product * np.asarray(alpha, dtype=product.dtype)
    if beta == 0:
        return product
    added = a if beta == 1 else a * np.asarray(beta, dtype=a.dtype)
    return np.ascontiguousarray(product + added, dtype=product.dtype)


@BADDBMM.derivative
def _(g, s):
    grad_self = g if s.beta == 1 else g * s.beta
    if tuple(grad_self.shape) != tuple(s.self_sym_sizes):
        grad_self = grad_self.sum_to_size(*s.self_sym_sizes)
    grad_1 = g.bmm(s.batch2.transpose(1, 2)) if s.needs("batch1") else None
    grad_2 = s.batch1.transpose(1, 2).bmm(g) if s.needs("batch2") else None
    if s.alpha != 1:
        grad_1, grad_2 = (None if x is None else x * s.alpha for x in (grad_1, grad_2))
    return grad_self, grad_1, grad_2


# ---- scaled dot-product attention, one op ----------------------------------------------------
def _causal(length: int, source: int) -> np.ndarray:
    """True where a query may look: at keys up to its own position (top-left aligned)."""
    return np.tril(np.ones((length, source), dtype=bool))


def _scores(q, k, attn_mask, is_causal: bool, scale):
    s = np.matmul(q, np.swapaxes(k, -1, -2)) * np.asarray(scale_of(q, scale), dtype=q.dtype)
    if is_causal:
        s = np.where(_causal(q.shape[-2], k.shape[-2]), s, -np.inf)
    if attn_mask is not None:
        mask = attn_mask._data
        s = np.where(mask, s, -np.inf) if mask.dtype == np.bool_ else s + mask
    return s.astype(q.dtype, copy=False)


@defop("_scaled_dot_product_flash_attention_for_cpu",
       "ScaledDotProductFlashAttentionForCpuBackward0", inputs=("query", "key", "value"),
       saves=("attn_mask", "dropout_p", "is_causal", "key", "query", "scale", "value",
              "result", "result1"),
       n_outputs=2, formulas={
           "query": "dS @ k * scale, dS = P ⊙ (grad @ vᵀ − rowsum(P ⊙ (grad @ vᵀ)))",
           "key": "dSᵀ @ q * scale",
           "value": "Pᵀ @ grad,  P = softmax(q @ kᵀ * scale + mask)"})
def FLASH_ATTENTION(q, k, v, *, dropout_p=0.0, is_causal=False, attn_mask=None, scale=None):
    """(output, logsumexp of each query's scores)."""
    s = _scores(q, k, attn_mask, is_causal, scale)
    top = s.max(-1, keepdims=True)
    top = np.where(np.isfinite(top), top, 0)
    p = np.exp(s - top)
    total = p.sum(-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(total > 0, p / total, 0).astype(q.dtype)
        logsumexp = (top + np.log(total))[..., 0].astype(np.float32)
    output = np.empty_like(q, order="K")    # laid out as the query is, as torch's kernel does
    output[...] = np.matmul(p, v)
    return output, logsumexp


@FLASH_ATTENTION.derivative
def _(grads, s):
    from .creation import tensor
    g = grads[0]
    q, k, v = s.query, s.key, s.value
    scale = scale_of(q, s.scale)
    scores = q.matmul(k.transpose(-2, -1)) * scale
    if s.is_causal:
        allowed = _causal(q.shape[-2], k.shape[-2])
        scores = scores + tensor(np.where(allowed, 0.0, -np.inf), dtype=q.dtype)
    if s.attn_mask is not None:
        mask = s.attn_mask
        scores = scores + (mask if mask.dtype.is_floating_point else tensor(
            np.where(mask.numpy(), 0.0, -np.inf), dtype=q.dtype))
    p = scores.softmax(-1)
    dp = g.matmul(v.transpose(-2, -1))
    ds = p * (dp - (dp * p).sum(-1, keepdim=True))
    return ds.matmul(k) * scale, ds.transpose(-2, -1).matmul(q) * scale, \
        p.transpose(-2, -1).matmul(g)


# ---- softmax with fully masked rows as zeros -------------------------------------------------
@defop("_safe_softmax", "SafeSoftmaxBackward0", saves=("dim", "result"),
       formulas={"self": "result * (grad - (grad * result).sum(dim, keepdim=True))"})
def SAFE_SOFTMAX(a, *, dim):
    top = a.max(dim, keepdims=True)
    top = np.where(np.isfinite(top), top, 0)
    e = np.exp(a - top)
    total = e.sum(dim, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, e / total, 0).astype(a.dtype)


SAFE_SOFTMAX.derivative(
    lambda g, s: s.result * (g - (g * s.result).sum(s.dim, keepdim=True)))


def scale_of(query, scale=None) -> float:
    """sdp::calculate_scale: 1/sqrt(head size) unless given."""
    return 1.0 / math.sqrt(query.shape[-1]) if scale is None else float(scale)
