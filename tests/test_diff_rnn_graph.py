"""nn.RNN, nn.GRU (float32) and a float64 nn.LSTM record the graph torch 2.13's CPU kernel
records, node by node: the input projected for every step at once (one AddmmBackward0 per layer
and direction, ViewBackward0, UnbindBackward0), the given states unbound per layer, GRU and LSTM
gates cut by unsafe_chunk (UnsafeSplitBackward0), outputs stacked (StackBackward0), directions
joined by CatBackward0, batch_first transposed back in place for RNN/GRU (TransposeBackward1) and
out of place for LSTM. The values and gradients are torch's too (float noise: matrix products)."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from difftest import assert_same_tensor

import engine


def graph_signature(fn) -> list:
    """Every node reachable from grad_fn `fn`, numbered in depth-first order along
    next_functions: (class name, ((child number, input_nr) or None, ...)). Two graphs with the
    same signature have the same nodes, the same edges and the same edge order."""
    numbers, nodes = {}, []

    def visit(node):
        if node is None:
            return None
        if node not in numbers:
            numbers[node] = len(nodes)
            nodes.append(None)
            edges = tuple(None if f is None else (visit(f), nr) for f, nr in node.next_functions)
            nodes[numbers[node]] = (type(node).__name__, edges)
        return numbers[node]
    visit(fn)
    return nodes


CONFIGS = {
    "one layer": {},
    "two layers": {"num_layers": 2},
    "bidirectional": {"bidirectional": True},
    "batch_first": {"batch_first": True},
    "no bias": {"bias": False},
    "two bidirectional batch_first layers": {"num_layers": 2, "bidirectional": True,
                                             "batch_first": True},
    "dropout, in eval": {"num_layers": 2, "dropout": 0.5},
}
KINDS = [("RNN", "float32", {}), ("RNN", "float32", {"nonlinearity": "relu"}),
         ("GRU", "float32", {}), ("LSTM", "float64", {}), ("RNN", "float64", {}),
         ("GRU", "float64", {})]


def run(lib, kind: str, dtype: str, config: dict, *, initial: bool, unbatched: bool = False):
    lib.manual_seed(0)
    dt = getattr(lib, dtype)
    module = getattr(lib.nn, kind)(3, 4, **config).to(dt)
    if config.get("dropout"):
        module.eval()
    directions = 2 if module.bidirectional else 1
    shape = (5, 3) if unbatched else (2, 5, 3) if module.batch_first else (5, 2, 3)
    x = lib.randn(*shape, dtype=dt, requires_grad=True)
    state = None
    if initial:
        h0 = lib.randn(module.num_layers * directions, *(() if unbatched else (2,)), 4,
                       dtype=dt, requires_grad=True)
        state = (h0, h0 * 2) if kind == "LSTM" else h0
    output, h = module(x, state)
    finals = list(h) if kind == "LSTM" else [h]
    loss = output.pow(2).sum() + sum(f.sin().sum() for f in finals)
    loss.backward()
    leaves = [x, *module.parameters()] + ([h0] if initial else [])
    return [output, *finals, loss], leaves


@pytest.mark.parametrize("kind,dtype,extra", KINDS,
                         ids=[f"{k} {d} {e or ''}".strip() for k, d, e in KINDS])
@pytest.mark.parametrize("config", list(CONFIGS.values()), ids=list(CONFIGS))
@pytest.mark.parametrize("initial", [True, False], ids=["given h0", "zero h0"])
def test_recurrent_graph_values_and_grads_are_torchs(kind, dtype, extra, config, initial):
    config = {**config, **extra}
    ours, our_leaves = run(engine, kind, dtype, config, initial=initial)
    theirs, their_leaves = run(torch, kind, dtype, config, initial=initial)
    for k, (e, t) in enumerate(zip(ours, theirs, strict=True)):
        assert_same_tensor(e, t, where=f"result {k}")
        assert graph_signature(e.grad_fn) == graph_signature(t.grad_fn), f"graph of result {k}"
    rtol, atol = (1e-4, 1e-5) if dtype == "float32" else (1e-10, 1e-12)
    for k, (e, t) in enumerate(zip(our_leaves, their_leaves, strict=True)):
        np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), rtol=rtol, atol=atol,
                                   err_msg=f"grad of leaf {k}")


@pytest.mark.parametrize("kind,dtype", [("RNN", "float32"), ("GRU", "float32"),
                                        ("LSTM", "float64"), ("LSTM", "float32")])
def test_an_unbatched_sequence_records_torchs_graph(kind, dtype):
    ours, _ = run(engine, kind, dtype, {}, initial=True, unbatched=True)
    theirs, _ = run(torch, kind, dtype, {}, initial=True, unbatched=True)
    for k, (e, t) in enumerate(zip(ours, theirs, strict=True)):
        assert_same_tensor(e, t, where=f"result {k}")
        assert graph_signature(e.grad_fn) == graph_signature(t.grad_fn), f"graph of result {k}"


def test_the_gates_are_cut_by_unsafe_split():
    """The node a learner clicks on in a GRU's graph is torch's UnsafeSplitBackward0, and its
    saved attributes read as torch's."""
    def split_node(lib):
        lib.manual_seed(0)
        gru = lib.nn.GRU(3, 4)
        output, _ = gru(lib.randn(2, 1, 3))
        seen, stack = set(), [output.grad_fn]
        while stack:
            node = stack.pop()
            if node is None or node in seen:
                continue
            if type(node).__name__ == "UnsafeSplitBackward0":
                return node._saved_dim, node._saved_split_size, tuple(node._saved_self_sym_sizes)
            seen.add(node)
            stack.extend(f for f, _ in node.next_functions)
    assert split_node(engine) == split_node(torch)
    assert split_node(engine) is not None


def test_double_backward_through_a_gru():
    def second_order(lib):
        lib.manual_seed(0)
        gru = lib.nn.GRU(3, 4, bidirectional=True).double()
        x = lib.randn(4, 2, 3, dtype=lib.float64, requires_grad=True)
        output, _ = gru(x)
        [gx] = lib.autograd.grad(output.pow(2).sum(), x, create_graph=True)
        gx.pow(2).sum().backward()
        return x.grad.numpy(), gru.weight_hh_l0_reverse.grad.numpy()
    for e, t in zip(second_order(engine), second_order(torch)):
        np.testing.assert_allclose(e, t, rtol=1e-10, atol=1e-12)


def test_an_empty_sequence_is_refused_with_torchs_message():
    def first_line(lib):
        lib.manual_seed(0)
        try:
            lib.nn.GRU(3, 4)(lib.randn(0, 2, 3))
        except Exception as exc:   # noqa: BLE001 - the message is what is compared
            return type(exc).__name__, str(exc).splitlines()[0]
    assert first_line(engine) == first_line(torch)


@pytest.mark.parametrize("kind", ["RNNCell", "GRUCell", "LSTMCell"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_cell_records_torchs_graph(kind, dtype):
    def step(lib):
        lib.manual_seed(0)
        dt = getattr(lib, dtype)
        cell = getattr(lib.nn, kind)(3, 4).to(dt)
        x = lib.randn(2, 3, dtype=dt, requires_grad=True)
        h = lib.randn(2, 4, dtype=dt, requires_grad=True)
        out = cell(x, (h, h * 2) if kind == "LSTMCell" else h)
        return list(out) if isinstance(out, tuple) else [out]
    for k, (e, t) in enumerate(zip(step(engine), step(torch), strict=True)):
        assert_same_tensor(e, t, where=f"result {k}")
        assert graph_signature(e.grad_fn) == graph_signature(t.grad_fn), f"graph of result {k}"
