"""AccumulateGrad keeps a gradient nobody else holds as .grad (no copy), as torch's does, and
copies one that someone can still see: a learner's tensor never becomes a leaf's .grad, so the
next backward's in-place accumulation never changes it. Real torch is the oracle for values."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import engine
from engine.autograd import graph


def _scenario(lib, held: list) -> list:
    """Gradients a learner holds (a hook's argument, the gradient given to backward), two
    backward passes, and what each held tensor and each .grad then contain."""
    x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = lib.tensor([0.5, -1.0, 2.0], requires_grad=True)
    x.register_hook(lambda g: held.append(g))
    given = lib.tensor([1.0, 10.0, 100.0])
    for _ in range(2):
        (x * y).sum().backward()
        (y + 0).backward(given)
    return [t.detach().numpy().copy() for t in (*held, given, x.grad, y.grad)]


def test_a_gradient_the_learner_holds_is_copied_not_kept() -> None:
    held_e, held_t = [], []
    got, expected = _scenario(engine, held_e), _scenario(torch, held_t)
    for e, t in zip(got, expected, strict=True):
        np.testing.assert_array_equal(e, t)


@pytest.mark.parametrize("held", [False, True])
def test_plain_backward_keeps_an_unshared_gradient(monkeypatch, held: bool) -> None:
    copies = []
    copy = graph._grad_like
    monkeypatch.setattr(graph, "_grad_like", lambda *a: copies.append(a) or copy(*a))
    a = engine.rand(2, 2, requires_grad=True)
    b = engine.rand(2, 2, requires_grad=True)
    kept = []
    if held:
        b.register_hook(kept.append)
    (a * b + a).sum().backward()
    assert len(copies) == int(held)   # only the gradient the hook kept is copied
    np.testing.assert_array_equal(a.grad.numpy(), b.detach().numpy() + 1)
    assert all(g is not b.grad for g in kept)


def _cat_grads(lib) -> list:
    """Leaves whose gradients cat's backward cuts from one buffer: torch keeps those views."""
    a = lib.rand(2, requires_grad=True)
    b = lib.rand(3, requires_grad=True)
    lib.cat([a, b]).mul(2).sum().backward()
    return [(g.storage_offset(), g.untyped_storage().nbytes(), g._is_view(), g.stride())
            for g in (a.grad, b.grad)]


def test_an_unshared_view_gradient_is_kept_as_torch_keeps_it() -> None:
    assert _cat_grads(engine) == _cat_grads(torch)


def test_a_linear_layer_keeps_its_gradients_without_copies(monkeypatch) -> None:
    copies = []
    copy = graph._grad_like
    monkeypatch.setattr(graph, "_grad_like", lambda *a: copies.append(a) or copy(*a))
    layer = engine.nn.Linear(5, 3)
    layer(engine.rand(4, 5)).sum().backward()   # weight.t()'s and the bias's are views
    assert copies == []
    assert not layer.weight.grad._is_view() and layer.weight.grad.stride() == (5, 1)
