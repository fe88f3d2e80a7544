"""One LSTM layer as one op, the way PyTorch's CPU kernel records a float32 nn.LSTM: a single
MkldnnRnnLayerBackward0 node per layer and direction, with edges to the layer's input, its four
weights and its initial h and c. (float64, packed sequences, GRU and RNN run cell by cell in
torch too, and so here: nn/modules/rnn.py.)

The backward is backpropagation through time written in engine ops, so create_graph works: the
gates are recomputed from the saved inputs, then walked from the last step to the first."""
from __future__ import annotations

import numpy as np

from .joining import cat, stack
from .registry import defop


def _sigmoid(a: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-a))


@defop("mkldnn_rnn_layer", "MkldnnRnnLayerBackward0",
       inputs=("input", "weight0", "weight1", "weight2", "weight3", "hx_", "cx_"),
       saves=("input", "weight0", "weight1", "weight2", "weight3", "hx_", "cx_", "reverse"),
       n_outputs=4, differentiable_outputs=(0, 1, 2),
       formulas={"input": "Σ_t δgates_t · W_ih   (through time, from the last step back)",
                 "weight0": "Σ_t δgates_tᵀ · x_t",
                 "weight1": "Σ_t δgates_tᵀ · h_{t-1}",
                 "weight2": "Σ_t δgates_t",
                 "weight3": "Σ_t δgates_t",
                 "hx_": "δgates at the first step · W_hh",
                 "cx_": "δc at the first step ⊙ forget gate"})
def LSTM_LAYER(x, w_ih, w_hh, b_ih, b_hh, hx, cx, *, reverse):
    """(output, h_n, c_n, workspace) of one layer over x (T, B, input_size): the gates i, f, g,
    o in that order, c = f*c + i*g, h = o*tanh(c); `reverse` walks time backwards."""
    size = w_hh.shape[1]
    projected = x @ w_ih.T
    if b_ih is not None:
        projected = projected + (b_ih + b_hh)
    output = np.empty(x.shape[:2] + (size,), dtype=x.dtype)
    workspace = np.empty(x.shape[:2] + (5 * size,), dtype=x.dtype)
    h, c = hx, cx
    for t in (range(x.shape[0] - 1, -1, -1) if reverse else range(x.shape[0])):
        gates = projected[t] + h @ w_hh.T
        i, f, o = (_sigmoid(gates[:, k * size:(k + 1) * size]) for k in (0, 1, 3))
        g = np.tanh(gates[:, 2 * size:3 * size])
        c = f * c + i * g
        h = o * np.tanh(c)
        output[t] = h
        workspace[t] = np.concatenate([i, f, g, o, c], axis=1)
    return output, np.array(h, dtype=x.dtype), np.array(c, dtype=x.dtype), workspace


@LSTM_LAYER.derivative
def _(grads, s):
    grad_output, grad_h, grad_c = grads[:3]
    x, w_ih, w_hh, hx, cx = s.input, s.weight0, s.weight1, s.hx_, s.cx_
    length = x.shape[0]
    projected = x @ w_ih.t()
    if s.weight2 is not None:
        projected = projected + (s.weight2 + s.weight3)
    h, c, steps = hx, cx, []
    for t in (range(length - 1, -1, -1) if s.reverse else range(length)):
        i, f, g, o = (projected[t] + h @ w_hh.t()).chunk(4, 1)
        i, f, g, o = i.sigmoid(), f.sigmoid(), g.tanh(), o.sigmoid()
        steps.append((t, i, f, g, o, c, h))
        c = f * c + i * g
        h = o * c.tanh()
    dh = grad_h if grad_h is not None else hx.new_zeros(hx.shape)
    dc = grad_c if grad_c is not None else cx.new_zeros(cx.shape)
    d_gates, h_before = [None] * length, [None] * length
    for t, i, f, g, o, c_before, h_prev in reversed(steps):
        if grad_output is not None:
            dh = dh + grad_output[t]
        tanh_c = (f * c_before + i * g).tanh()
        dc = dc + dh * o * (1 - tanh_c * tanh_c)
        d_gates[t] = cat([dc * g * i * (1 - i), dc * c_before * f * (1 - f),
                          dc * i * (1 - g * g), dh * tanh_c * o * (1 - o)], 1)
        h_before[t] = h_prev
        dc = dc * f
        dh = d_gates[t] @ w_hh
    flat = stack(d_gates).reshape(-1, d_gates[0].shape[1])
    grad_x = stack(d_gates) @ w_ih if s.needs("input") else None
    grad_w_ih = flat.t() @ x.reshape(flat.shape[0], -1)
    grad_w_hh = flat.t() @ stack(h_before).reshape(flat.shape[0], -1)
    grad_b = flat.sum(0) if s.weight2 is not None else None
    return grad_x, grad_w_ih, grad_w_hh, grad_b, grad_b, dh, dc


# ---- unsafe_split: how torch's C++ cells cut their gates -----------------------------------------
@defop("unsafe_split", "UnsafeSplitBackward0", saves=("dim", "split_size", "self_sym_sizes"),
       n_outputs=-1, formulas={"self": "cat(grads, dim)"})
def UNSAFE_SPLIT(a, *, dim, split_size):
    """split without view tracking, as PyTorch's GRU and LSTM cells chunk their gates. Here the
    parts are copies, so writing to one never reaches the others (in PyTorch it would)."""
    size = a.shape[dim]
    return tuple(a[(slice(None),) * dim + (slice(b, min(b + split_size, size)),)].copy()
                 for b in range(0, size, split_size))


@UNSAFE_SPLIT.derivative
def _(grads, s):
    from .creation import zeros
    shape, parts = list(s.self_sym_sizes), []
    size = shape[s.dim]
    dtype = next(g.dtype for g in grads if g is not None)
    for g, begin in zip(grads, range(0, size, s.split_size)):
        if g is None:
            shape[s.dim] = min(s.split_size, size - begin)
            g = zeros(tuple(shape), dtype=dtype)
        parts.append(g)
    return cat(parts, s.dim)


def unsafe_chunk(x, chunks: int, dim: int):
    """x.unsafe_chunk(chunks, dim) for a dim that divides evenly (a cell's gates)."""
    return UNSAFE_SPLIT(x, dim=dim, split_size=-(-x.shape[dim] // chunks))
