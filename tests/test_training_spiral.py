"""The whole training workflow, end to end: a 2-16-16-2 MLP on a generated two-arm spiral,
200 steps of Adam from the same seed in the engine and in torch; the loss curves agree."""
import math

import numpy as np
import torch

import engine


def spiral(lib, n_per_class: int = 64, turns: float = 1.5):
    """Two interleaved spiral arms with a little seeded noise (built with lib's own ops)."""
    t = lib.linspace(0.2, turns * math.pi, n_per_class)
    arms = []
    for k in range(2):
        angle = t + k * math.pi
        arms.append(lib.stack([t * angle.cos(), t * angle.sin()], dim=1) / (turns * math.pi))
    x = lib.cat(arms) + 0.02 * lib.randn(2 * n_per_class, 2)
    y = lib.cat([lib.zeros(n_per_class, dtype=lib.int64), lib.ones(n_per_class, dtype=lib.int64)])
    return x, y


def train(lib, steps: int = 200):
    lib.manual_seed(0)
    x, y = spiral(lib)
    model = lib.nn.Sequential(lib.nn.Linear(2, 16), lib.nn.Tanh(), lib.nn.Linear(16, 16),
                              lib.nn.Tanh(), lib.nn.Linear(16, 2))
    opt = lib.optim.Adam(model.parameters(), lr=0.01)
    loss_fn = lib.nn.CrossEntropyLoss()
    losses = []
    model.train()
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    model.eval()
    with lib.no_grad():
        accuracy = (model(x).argmax(1) == y).float().mean().item()
    return np.array(losses), accuracy


def test_spiral_mlp_loss_curve_matches_torch():
    ours, our_acc = train(engine)
    theirs, their_acc = train(torch)
    np.testing.assert_allclose(ours, theirs, rtol=1e-4)
    assert our_acc == their_acc
    assert theirs[-1] < theirs[0] * 0.1 and their_acc > 0.95   # it really learned the spiral
