"""nn.MultiheadAttention and F.scaled_dot_product_attention against real torch 2.13, node by
node: masks added by BaddbmmBackward0 when the weights are returned, need_weights=False through
ScaledDotProductFlashAttentionForCpuBackward0 (the math fallback, _safe_softmax and dropout, when
training with dropout), kdim/vdim (separate projection weights), add_bias_kv and add_zero_attn;
the same outputs, weights, gradients of inputs and parameters, printed layer, and errors."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from difftest import assert_same_tensor, first_line
from test_diff_rnn_graph import graph_signature

import engine

RNG = np.random.default_rng(2613)
SEQ = RNG.standard_normal((5, 2, 8)).astype(np.float32)      # (L, N, E)
MEM = RNG.standard_normal((4, 2, 6)).astype(np.float32)      # keys/values of another size
FLOAT_MASK = RNG.standard_normal((5, 5)).astype(np.float32)


def causal(lib, n=5):
    return lib.tensor(np.triu(np.ones((n, n), bool), 1))


def padding(lib, n=5):
    return lib.tensor(np.array([[False] * n, [False] * (n - 2) + [True, True]]))


LAYERS = {
    "packed": {},
    "no bias": {"bias": False},
    "add_bias_kv": {"add_bias_kv": True},
    "add_zero_attn": {"add_zero_attn": True},
    "bias_kv and zero_attn": {"add_bias_kv": True, "add_zero_attn": True},
    "kdim/vdim": {"kdim": 6, "vdim": 6},
    "kdim/vdim, bias_kv, zero_attn": {"kdim": 6, "vdim": 6, "add_bias_kv": True,
                                      "add_zero_attn": True},
}
CALLS = {
    "weights": {},
    "no weights": {"need_weights": False},
    "causal mask": {"attn_mask": causal},
    "causal mask, no weights": {"attn_mask": causal, "need_weights": False},
    "float mask": {"attn_mask": lambda lib: lib.tensor(FLOAT_MASK)},
    "padding mask": {"key_padding_mask": padding},
    "padding mask, no weights": {"key_padding_mask": padding, "need_weights": False},
    "both masks": {"attn_mask": causal, "key_padding_mask": padding},
    "both masks, no weights": {"attn_mask": causal, "key_padding_mask": padding,
                               "need_weights": False},
    "is_causal, no weights": {"attn_mask": causal, "is_causal": True, "need_weights": False},
    "per-head weights": {"average_attn_weights": False},
}


def attend(lib, layer_kw: dict, call: dict, *, train_dropout: float = 0.0, memory=False):
    lib.manual_seed(0)
    layer = lib.nn.MultiheadAttention(8, 2, dropout=train_dropout, **layer_kw)
    x = lib.tensor(SEQ, requires_grad=True)
    made = {k: v(lib) if callable(v) else v for k, v in call.items()}
    if memory or "kdim" in layer_kw:
        m = lib.tensor(MEM if "kdim" in layer_kw else SEQ[:4], requires_grad=True)
        if "key_padding_mask" in made:
            made["key_padding_mask"] = padding(lib, 4)
        if "attn_mask" in made:
            made["attn_mask"] = made["attn_mask"][:, :4]
        out, weights = layer(x, m, m, **made)
        leaves = [x, m]
    else:
        out, weights = layer(x, x, x, **made)
        leaves = [x]
    loss = out.pow(2).sum() + (weights.sum() if weights is not None else 0)
    loss.backward()
    return out, weights, leaves + list(layer.parameters()), repr(layer), \
        [name for name, _ in layer.named_parameters()]


def compare(ours, theirs, *, graph: bool = True) -> None:
    (e_out, e_w, e_leaves, e_repr, e_names) = ours
    (t_out, t_w, t_leaves, t_repr, t_names) = theirs
    assert (e_repr, e_names) == (t_repr, t_names)
    assert_same_tensor(e_out, t_out, where="output")
    if graph:
        assert graph_signature(e_out.grad_fn) == graph_signature(t_out.grad_fn), "graph"
    assert (e_w is None) == (t_w is None), "weights returned"
    if t_w is not None:
        assert_same_tensor(e_w, t_w, where="weights")
        if graph:
            assert graph_signature(e_w.grad_fn) == graph_signature(t_w.grad_fn), "weights graph"
    for k, (e, t) in enumerate(zip(e_leaves, t_leaves, strict=True)):
        assert (e.grad is None) == (t.grad is None), f"grad of leaf {k}"
        if t.grad is not None:
            np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), rtol=1e-4, atol=1e-5,
                                       err_msg=f"grad of leaf {k}")


@pytest.mark.parametrize("call", list(CALLS.values()), ids=list(CALLS))
@pytest.mark.parametrize("layer_kw", list(LAYERS.values()), ids=list(LAYERS))
def test_multihead_attention_matches_torch_node_by_node(layer_kw, call):
    compare(attend(engine, layer_kw, call), attend(torch, layer_kw, call))


@pytest.mark.parametrize("call", [{}, {"attn_mask": causal}], ids=["no mask", "mask"])
def test_attention_to_another_sequence_matches_torch(call):
    """key is value but not query: one projection for q, one for k and v together."""
    compare(attend(engine, {}, call, memory=True), attend(torch, {}, call, memory=True))


@pytest.mark.parametrize("call", [{}, {"need_weights": False},
                                  {"need_weights": False, "attn_mask": causal}],
                         ids=["weights", "no weights: the math fallback", "masked math"])
def test_dropout_while_training_matches_torch(call):
    """The same random draws: dropout of the weights, or, without weights, the math fallback
    of scaled_dot_product_attention (_safe_softmax, then dropout)."""
    compare(attend(engine, {}, call, train_dropout=0.3), attend(torch, {}, call, train_dropout=0.3))


def test_unbatched_attention_with_new_options_matches_torch():
    def one(lib):
        lib.manual_seed(0)
        layer = lib.nn.MultiheadAttention(8, 2, add_bias_kv=True, add_zero_attn=True, kdim=6,
                                          vdim=6)
        x = lib.tensor(SEQ[:, 0], requires_grad=True)
        m = lib.tensor(MEM[:, 0], requires_grad=True)
        out, weights = layer(x, m, m, key_padding_mask=lib.tensor([False, False, True, False]))
        (out.sum() + weights.sum()).backward()
        return out, weights, [x, m, *layer.parameters()], repr(layer), \
            [n for n, _ in layer.named_parameters()]
    compare(one(engine), one(torch))


def test_a_mismatched_mask_pair_warns_as_torch():
    def caught(lib):
        lib.manual_seed(0)
        layer = lib.nn.MultiheadAttention(8, 2)
        x = lib.tensor(SEQ)
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            layer(x, x, x, key_padding_mask=padding(lib), attn_mask=lib.tensor(FLOAT_MASK))
        return [(w.category.__name__, str(w.message)) for w in seen]
    assert caught(engine) == caught(torch)
    assert caught(engine)


def _error(fn):
    def run(lib):
        try:
            lib.manual_seed(0)
            fn(lib)
        except Exception as exc:  # noqa: BLE001 - the message is what is compared
            return type(exc).__name__, first_line(exc)
        return None
    return run


ERRORS = {
    "integer mask": lambda lib: lib.nn.MultiheadAttention(8, 2)(
        *[lib.tensor(SEQ)] * 3, attn_mask=lib.zeros(5, 5, dtype=lib.int64)),
    "2-d mask of the wrong shape": lambda lib: lib.nn.MultiheadAttention(8, 2)(
        *[lib.tensor(SEQ)] * 3, attn_mask=causal(lib, 4)),
    "3-d mask of the wrong shape": lambda lib: lib.nn.MultiheadAttention(8, 2)(
        *[lib.tensor(SEQ)] * 3, attn_mask=lib.zeros(2, 5, 5)),
    "padding mask of the wrong length": lambda lib: lib.nn.MultiheadAttention(8, 2)(
        *[lib.tensor(SEQ)] * 3, key_padding_mask=padding(lib, 4)),
    "is_causal without a mask": lambda lib: lib.nn.MultiheadAttention(8, 2)(
        *[lib.tensor(SEQ)] * 3, is_causal=True),
    "4-d query": lambda lib: lib.nn.MultiheadAttention(8, 2)(*[lib.zeros(1, 5, 2, 8)] * 3),
    "keys of the wrong size": lambda lib: lib.nn.MultiheadAttention(8, 2, kdim=6, vdim=6)(
        lib.tensor(SEQ), lib.zeros(4, 2, 5), lib.zeros(4, 2, 5)),
    "embed_dim mismatch": lambda lib: lib.nn.MultiheadAttention(8, 2)(*[lib.zeros(5, 2, 6)] * 3),
    "heads not dividing": lambda lib: lib.nn.MultiheadAttention(8, 3),
    "sdpa math: mask and is_causal": lambda lib: lib.nn.functional.scaled_dot_product_attention(
        *[lib.zeros(2, 3, 4)] * 3, attn_mask=lib.zeros(3, 3), is_causal=True),
}


@pytest.mark.parametrize("fn", list(ERRORS.values()), ids=list(ERRORS))
def test_attention_refuses_as_torch(fn):
    assert _error(fn)(engine) == _error(fn)(torch)
    assert _error(fn)(torch) is not None


# ---- F.scaled_dot_product_attention ----------------------------------------------------------
SDPA = {
    "plain": {},
    "causal": {"is_causal": True},
    "boolean mask": {"attn_mask": lambda lib: causal(lib, 5).logical_not()},
    "float mask": {"attn_mask": lambda lib: lib.tensor(FLOAT_MASK)},
    "scale": {"scale": 0.3},
    "mask and causal (flash takes both)": {"is_causal": True,
                                           "attn_mask": lambda lib: lib.tensor(FLOAT_MASK)},
    "dropout": {"dropout_p": 0.25},
    "dropout, causal": {"dropout_p": 0.25, "is_causal": True},
    "3-d inputs": {"dims": 3},
    "float64": {"dtype": "float64"},
}


@pytest.mark.parametrize("kw", list(SDPA.values()), ids=list(SDPA))
def test_scaled_dot_product_attention_matches_torch(kw):
    def run(lib):
        lib.manual_seed(0)
        kw2 = {k: v(lib) if callable(v) else v for k, v in kw.items()
               if k not in ("dims", "dtype")}
        dtype = getattr(lib, kw.get("dtype", "float32"))
        shape = (2, 5, 4) if kw.get("dims") == 3 else (2, 3, 5, 4)
        q, k, v = (lib.tensor(RNG_SDPA[i][:shape[0], ...].reshape(-1)[:np.prod(shape)]
                              .reshape(shape), dtype=dtype, requires_grad=True)
                   for i in range(3))
        out = lib.nn.functional.scaled_dot_product_attention(q, k, v, **kw2)
        out.pow(2).sum().backward()
        return out, [q, k, v]
    (e_out, e_leaves), (t_out, t_leaves) = run(engine), run(torch)
    assert_same_tensor(e_out, t_out)
    assert graph_signature(e_out.grad_fn) == graph_signature(t_out.grad_fn)
    for e, t in zip(e_leaves, t_leaves, strict=True):
        np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), rtol=1e-4, atol=1e-5)


RNG_SDPA = [RNG.standard_normal((2, 3, 5, 4)) for _ in range(3)]


def test_the_flash_node_saves_what_torch_saves():
    def saved(lib):
        q = lib.ones(1, 2, 3, 4, requires_grad=True)
        node = lib.nn.functional.scaled_dot_product_attention(q, q, q, is_causal=True).grad_fn
        return (type(node).__name__, node._saved_dropout_p, node._saved_is_causal,
                node._saved_scale, node._saved_attn_mask)
    assert saved(engine) == saved(torch)


SHAPE_ERRORS = {
    "batched query, 2-d key": lambda lib, m: m(lib.zeros(5, 2, 8), lib.zeros(5, 8),
                                               lib.zeros(5, 8)),
    "unbatched query, 3-d value": lambda lib, m: m(lib.zeros(5, 8), lib.zeros(5, 8),
                                                   lib.zeros(5, 1, 8)),
    "batched, 1-d padding mask": lambda lib, m: m(*[lib.zeros(5, 2, 8)] * 3,
                                                  key_padding_mask=lib.zeros(5, dtype=lib.bool)),
    "unbatched, 2-d padding mask": lambda lib, m: m(
        *[lib.zeros(5, 8)] * 3, key_padding_mask=lib.zeros(1, 5, dtype=lib.bool)),
    "4-d mask": lambda lib, m: m(*[lib.zeros(5, 2, 8)] * 3, attn_mask=lib.zeros(1, 1, 5, 5)),
    "unbatched, 3-d mask of the wrong shape": lambda lib, m: m(
        *[lib.zeros(5, 8)] * 3, attn_mask=lib.zeros(3, 5, 5)),
}


@pytest.mark.parametrize("fn", list(SHAPE_ERRORS.values()), ids=list(SHAPE_ERRORS))
def test_attention_checks_dims_as_torch(fn):
    check = _error(lambda lib: fn(lib, lib.nn.MultiheadAttention(8, 2)))
    assert check(engine) == check(torch)
    assert check(torch) is not None


SANDBOX_PROGRAM = """import torch
import torch.nn as nn
import torch.nn.functional as F
torch.manual_seed(0)
q = torch.randn(1, 2, 3, 4, requires_grad=True)
out = F.scaled_dot_product_attention(q, q, q, is_causal=True)
print(out.grad_fn.name(), out.shape, out.stride())
mha = nn.MultiheadAttention(8, 2, kdim=4, vdim=4, add_bias_kv=True, add_zero_attn=True)
x, memory = torch.randn(3, 1, 8), torch.randn(5, 1, 4)
o, w = mha(x, memory, memory, need_weights=False)
print(o.grad_fn.name(), w, [name for name, _ in mha.named_parameters()])
o, w = mha(x, memory, memory, attn_mask=torch.zeros(3, 5, dtype=torch.bool))
print(w.shape, w.sum(-1))
"""


def test_learner_code_attends_in_the_sandbox(tmp_path):
    import subprocess
    import sys

    from explorer import Limits
    from explorer.sandbox.pool import WorkerPool
    torch_run = subprocess.run([sys.executable, "-c", SANDBOX_PROGRAM], cwd=tmp_path,
                               capture_output=True, text=True, timeout=120)
    assert torch_run.returncode == 0, torch_run.stderr
    workers = WorkerPool(size=1)
    try:
        run = workers.run(SANDBOX_PROGRAM, 0, Limits(cpu_seconds=5, wall_seconds=30))
    finally:
        workers.close()
    assert run.error is None, run.error
    assert run.stdout == torch_run.stdout
