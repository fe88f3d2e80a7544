"""nn.LSTM against real torch 2.13: a float32 LSTM records one MkldnnRnnLayerBackward0 node per
layer and direction, as torch's CPU kernel does (the engine recorded every cell op); the same
output, h_n, c_n and gradients (float noise: matrix products summed in another order), the same
grad_fn names and graph, for stacked, bidirectional, batch_first, bias-free and unbatched
layers; double backward through it; float64 runs cell by cell in both."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from difftest import assert_same_tensor, autograd_nodes

import engine

CONFIGS = {
    "one layer": {},
    "two layers": {"num_layers": 2},
    "bidirectional": {"bidirectional": True},
    "batch_first": {"batch_first": True},
    "no bias": {"bias": False},
    "all at once": {"num_layers": 2, "bidirectional": True, "batch_first": True},
    "two layers with dropout, in eval": {"num_layers": 2, "dropout": 0.5},
}


def run(lib, config: dict, *, unbatched: bool = False, initial: bool = True,
        dtype: str = "float32"):
    lib.manual_seed(0)
    lstm = lib.nn.LSTM(3, 4, **config).to(getattr(lib, dtype))
    if config.get("dropout"):
        lstm.eval()
    directions = 2 if lstm.bidirectional else 1
    shape = (5, 3) if unbatched else (2, 5, 3) if lstm.batch_first else (5, 2, 3)
    x = lib.randn(*shape, dtype=getattr(lib, dtype), requires_grad=True)
    state = None
    if initial:
        h0 = lib.randn(lstm.num_layers * directions, *((2,) if not unbatched else ()), 4,
                       dtype=x.dtype, requires_grad=True)
        state = (h0, h0 * 2)
    output, (h, c) = lstm(x, state)
    loss = output.pow(2).sum() + h.sum() * 0.5 + c.sin().sum()
    loss.backward()
    leaves = [x, *lstm.parameters()] + ([state[0]] if initial else [])
    return output, h, c, loss, leaves


@pytest.mark.parametrize("config", list(CONFIGS.values()), ids=list(CONFIGS))
@pytest.mark.parametrize("initial", [True, False], ids=["given h0", "zero h0"])
def test_lstm_matches_torch(config, initial):
    ours, theirs = run(engine, config, initial=initial), run(torch, config, initial=initial)
    for name, e, t in zip(("output", "h_n", "c_n", "loss"), ours[:4], theirs[:4]):
        assert_same_tensor(e, t, values=False, where=name)
        np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=1e-5,
                                   atol=1e-6, err_msg=name)
    assert autograd_nodes(ours[3].grad_fn) == autograd_nodes(theirs[3].grad_fn)
    for k, (e, t) in enumerate(zip(ours[4], theirs[4], strict=True)):
        np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), rtol=1e-5, atol=1e-5,
                                   err_msg=f"grad of leaf {k}")


def test_an_lstm_layers_edges_are_torchs():
    """Input, the four weights, then h0 and c0 (SelectBackward0 of the given states)."""
    def edges(lib):
        output = run(lib, {"num_layers": 2})[0]
        layer = output.grad_fn
        return [type(f).__name__ if f is not None else None for f, _ in layer.next_functions]
    assert edges(engine) == edges(torch)
    assert edges(engine)[0] == "MkldnnRnnLayerBackward0"


def test_an_unbatched_sequence_matches_torch():
    ours, theirs = run(engine, {}, unbatched=True), run(torch, {}, unbatched=True)
    for name, e, t in zip(("output", "h_n", "c_n"), ours[:3], theirs[:3]):
        assert_same_tensor(e, t, values=False, where=name)
    assert autograd_nodes(ours[1].grad_fn) == autograd_nodes(theirs[1].grad_fn)


def test_float64_runs_cell_by_cell_in_both():
    ours = run(engine, {}, dtype="float64")
    theirs = run(torch, {}, dtype="float64")
    assert "MkldnnRnnLayerBackward0" not in autograd_nodes(theirs[3].grad_fn)
    assert "MkldnnRnnLayerBackward0" not in autograd_nodes(ours[3].grad_fn)
    for e, t in zip(ours[4], theirs[4]):
        np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_double_backward_through_an_lstm_layer():
    def second_order(lib):
        lib.manual_seed(0)
        lstm = lib.nn.LSTM(3, 4)
        x = lib.randn(4, 2, 3, requires_grad=True)
        output, _ = lstm(x)
        [gx] = lib.autograd.grad(output.pow(2).sum(), x, create_graph=True)
        gx.pow(2).sum().backward()
        return x.grad.numpy(), lstm.weight_hh_l0.grad.numpy()
    for e, t in zip(second_order(engine), second_order(torch)):
        np.testing.assert_allclose(e, t, rtol=1e-4, atol=1e-5)
