"""nn.MultiheadAttention, as the transformer tutorials use it (issue 16), against real torch:
parameters drawn from the same seed, outputs and attention weights, the whole grad_fn graph,
gradients of the input and of every parameter."""
from __future__ import annotations

import numpy as np
import pytest

from difftest import run_both
from test_diff_ops_missing import chain

RNG = np.random.default_rng(1619)
SEQ = RNG.standard_normal((5, 2, 8)).astype(np.float32)     # (L, N, E)
MEM = RNG.standard_normal((3, 2, 8)).astype(np.float32)


def _attend(lib, x, memory=None, *, kw=None, call=None, same_graph=True):
    lib.manual_seed(0)
    layer = lib.nn.MultiheadAttention(8, 2, **(kw or {}))
    if memory is None:
        out, weights = layer(x, x, x, **(call or {}))
    else:
        out, weights = layer(x, memory, memory, **(call or {}))
    (out.sum() + (weights.sum() if weights is not None else 0)).backward()
    grads = [p.grad for p in layer.parameters()]
    graph = chain(out.grad_fn) if same_graph else None
    return [out, weights, x.grad, grads, graph, repr(layer)]


def _mask(lib):
    return lib.tensor(np.triu(np.ones((5, 5), bool), 1))


def _padding(lib):
    return lib.tensor(np.array([[False] * 5, [False, False, False, True, True]]))


CASES = {
    "self-attention": dict(),
    "unaveraged weights": dict(call=dict(average_attn_weights=False)),
    "no weights": dict(call=dict(need_weights=False), same_graph=False),
    "no bias": dict(kw=dict(bias=False)),
    "batch first": dict(kw=dict(batch_first=True)),
    "dropout": dict(kw=dict(dropout=0.3)),
    "causal mask": dict(call=dict(attn_mask=_mask), same_graph=False),
    "padding mask": dict(call=dict(key_padding_mask=_padding), same_graph=False),
}


@pytest.mark.parametrize("name", list(CASES))
def test_self_attention_as_torch(name):
    case = CASES[name]

    def program(lib, x):
        made = {k: v(lib) if callable(v) else v for k, v in case.get("call", {}).items()}
        return _attend(lib, x, kw=case.get("kw"), call=made,
                       same_graph=case.get("same_graph", True))
    run_both(program, SEQ, requires_grad=True)


def test_attention_to_a_memory_as_torch():
    run_both(lambda lib, x, m: _attend(lib, x, m), SEQ, MEM, requires_grad=True)


def test_unbatched_attention_as_torch():
    run_both(lambda lib, x: _attend(lib, x), SEQ[:, 0], requires_grad=True)


def test_attention_in_eval_mode_without_grad_as_torch():
    """Values only: whether torch takes its fused inference kernel (a contiguous output) depends
    on process state earlier tests may change (the engine writes what a fresh torch writes)."""
    def program(lib, x):
        lib.manual_seed(0)
        layer = lib.nn.MultiheadAttention(8, 2, batch_first=True).eval()
        with lib.no_grad():
            return list(layer(x, x, x))
    run_both(program, SEQ, strides=False)


@pytest.mark.parametrize("make", [lambda lib: lib.nn.MultiheadAttention(6, 4),
                                  lambda lib: lib.nn.MultiheadAttention(0, 1)],
                         ids=["indivisible", "empty"])
def test_attention_refuses_as_torch(make):
    run_both(make)
