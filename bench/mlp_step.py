"""One MLP training step: 784-128-10, batch 64, ReLU, CrossEntropyLoss, SGD (lr 0.01).

forward + backward + optimizer step, on our engine, on PyTorch 2.13 CPU (one thread) and
written by hand in NumPy (the floor: the same matrix products, no graph). Target: the engine
within 1.25x of the NumPy floor. `python bench/mlp_step.py` prints a Markdown table."""
from __future__ import annotations

import numpy as np
from timing import compare, table

import engine

BATCH, IN, HIDDEN, OUT = 64, 784, 128, 10


def make_step(lib, x, y):
    """A step of the same model on engine or torch (same API: that is the point)."""
    lib.manual_seed(0)
    model = lib.nn.Sequential(lib.nn.Linear(IN, HIDDEN), lib.nn.ReLU(), lib.nn.Linear(HIDDEN, OUT))
    return training_step(lib, model, x, y)


def training_step(lib, model, x: np.ndarray, y: np.ndarray):
    """step(): forward, CrossEntropyLoss, backward and an SGD update (lr 0.01) of model."""
    loss_fn = lib.nn.CrossEntropyLoss()
    opt = lib.optim.SGD(model.parameters(), lr=0.01)
    x, y = lib.from_numpy(x), lib.from_numpy(y)

    def step() -> float:
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()
    return step


def make_numpy_step(x: np.ndarray, y: np.ndarray):
    rng = np.random.default_rng(0)
    w1 = rng.uniform(-IN ** -0.5, IN ** -0.5, (HIDDEN, IN)).astype(np.float32)
    b1 = np.zeros(HIDDEN, np.float32)
    w2 = rng.uniform(-HIDDEN ** -0.5, HIDDEN ** -0.5, (OUT, HIDDEN)).astype(np.float32)
    b2 = np.zeros(OUT, np.float32)
    rows = np.arange(BATCH)

    def step() -> float:
        h = x @ w1.T + b1
        r = np.maximum(h, 0)
        z = r @ w2.T + b2
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        p = e / e.sum(axis=1, keepdims=True)
        loss = -np.log(p[rows, y]).mean()
        dz = p                                  # d loss / d logits = (softmax - onehot) / N
        dz[rows, y] -= 1
        dz /= BATCH
        dw2, db2 = dz.T @ r, dz.sum(axis=0)
        dh = (dz @ w2) * (h > 0)
        dw1, db1 = dh.T @ x, dh.sum(axis=0)
        for param, grad in ((w1, dw1), (b1, db1), (w2, dw2), (b2, db2)):
            param -= 0.01 * grad
        return float(loss)
    return step


def main() -> None:
    import torch  # here, so bench/memory_steady.py measures the engine without PyTorch loaded
    torch.set_num_threads(1)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((BATCH, IN)).astype(np.float32)
    y = rng.integers(0, OUT, BATCH)
    fns = {"engine": make_step(engine, x, y), "torch 2.13 CPU": make_step(torch, x, y),
           "NumPy by hand": make_numpy_step(x, y)}
    print(f"MLP {IN}-{HIDDEN}-{OUT}, batch {BATCH}: forward + backward + SGD step\n")
    print(table("ms", compare(fns, seconds=0.3, repeat=11), "NumPy by hand"))


if __name__ == "__main__":
    main()
