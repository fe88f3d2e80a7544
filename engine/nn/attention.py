"""Multi-head attention as torch.nn.functional.multi_head_attention_forward computes it when
the weights are asked for (need_weights=True, the default): the same ops in the same order, so
the graph shows torch's nodes. Packed in-projection only (kdim = vdim = embed_dim)."""
from __future__ import annotations

import math

from ..dtypes import bool as bool_
from ..ops.creation import zeros_like
from ..tensor import Tensor


def _in_projection_packed(q: Tensor, k: Tensor, v: Tensor, w: Tensor, b: Tensor | None):
    """q, k and v projected by the three blocks of w: one linear for self-attention, two when
    key is value, else three (torch's _in_projection_packed)."""
    from .functional import linear
    e = q.shape[-1]
    if k is v:
        if q is k:
            proj = linear(q, w, b)
            proj = proj.unflatten(-1, (3, e)).unsqueeze(0).transpose(0, -2).squeeze(-2)
            proj = proj.contiguous()
            return proj[0], proj[1], proj[2]
        w_q, w_kv = w.split([e, e * 2])
        b_q, b_kv = b.split([e, e * 2]) if b is not None else (None, None)
        kv = linear(k, w_kv, b_kv).unflatten(-1, (2, e)).unsqueeze(0).transpose(0, -2)
        kv = kv.squeeze(-2).contiguous()
        return linear(q, w_q, b_q), kv[0], kv[1]
    w_q, w_k, w_v = w.chunk(3)
    b_q, b_k, b_v = b.chunk(3) if b is not None else (None, None, None)
    return linear(q, w_q, b_q), linear(k, w_k, b_k), linear(v, w_v, b_v)


def _float_mask(mask: Tensor | None, dtype) -> Tensor | None:
    """A boolean mask as 0 where attention is allowed and -inf where not (torch's
    _canonical_mask); a float mask as it is."""
    if mask is None or mask.dtype is not bool_:
        return mask
    return zeros_like(mask, dtype=dtype).masked_fill_(mask, float("-inf"))


def multi_head_attention(query: Tensor, key: Tensor, value: Tensor, num_heads: int,
                         in_proj_weight: Tensor, in_proj_bias: Tensor | None,
                         out_proj_weight: Tensor, out_proj_bias: Tensor | None,
                         dropout_p: float, training: bool, key_padding_mask=None,
                         attn_mask=None, average_attn_weights: bool = True):
    """(attention output, attention weights) for (L, N, E) inputs, or unbatched (L, E)."""
    from .functional import dropout, linear, softmax
    batched = query.dim() == 3
    if not batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    head_dim = embed_dim // num_heads
    key_padding_mask = _float_mask(key_padding_mask, query.dtype)
    attn_mask = _float_mask(attn_mask, query.dtype)
    q, k, v = _in_projection_packed(query, key, value, in_proj_weight, in_proj_bias)
    if attn_mask is not None and attn_mask.dim() == 2:
        if tuple(attn_mask.shape) != (tgt_len, src_len):
            raise RuntimeError(f"The shape of the 2D attn_mask is {attn_mask.shape}, but should "
                               f"be {(tgt_len, src_len)}.")
        attn_mask = attn_mask.unsqueeze(0)
    q = q.view(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    k = k.view(k.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
    v = v.view(v.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
    if key_padding_mask is not None:
        key_padding_mask = key_padding_mask.view(bsz, 1, 1, src_len).expand(
            -1, num_heads, -1, -1).reshape(bsz * num_heads, 1, src_len)
        attn_mask = key_padding_mask if attn_mask is None else attn_mask + key_padding_mask
    scores = (q * math.sqrt(1.0 / float(head_dim))).bmm(k.transpose(-2, -1))
    if attn_mask is not None:
        scores = scores + attn_mask
    weights = softmax(scores, dim=-1)
    if training and dropout_p > 0.0:
        weights = dropout(weights, p=dropout_p)
    out = weights.bmm(v).transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
    out = linear(out, out_proj_weight, out_proj_bias)
    out = out.view(tgt_len, bsz, out.shape[1])
    weights = weights.view(bsz, num_heads, tgt_len, src_len)
    if average_attn_weights:
        weights = weights.mean(dim=1)
    if not batched:
        return out.squeeze(1), weights.squeeze(0)
    return out, weights
