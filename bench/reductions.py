"""Reductions the MLP training step spends its time in, engine vs NumPy vs PyTorch 2.13 CPU.

- `h.sum(0)` of 64x128 float32: a Linear layer's bias gradient (sum_to_size over the batch);
- `c.sum()` of 2x2 float32: per-call overhead (argument checks, the cascade's bookkeeping);
- log_softmax over dim 1 of 64x10 float32, forward and backward (CrossEntropyLoss's core).

The engine adds floats in PyTorch's order (bit-identical sums), NumPy in its own pairwise
order, so NumPy is the floor, not a target. `python bench/reductions.py` prints Markdown tables.
"""
from __future__ import annotations

import numpy as np
from timing import compare, table

import engine


def log_softmax_step(lib, x, g) -> None:
    """log_softmax forward, then backward from a fixed gradient."""
    x.grad = None
    lib.log_softmax(x, 1).backward(g)


def numpy_log_softmax_step(x: np.ndarray, g: np.ndarray) -> np.ndarray:
    z = x - x.max(axis=1, keepdims=True)
    out = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return g - np.exp(out) * g.sum(axis=1, keepdims=True)


def cases(torch) -> dict[str, dict]:
    """Each benchmark: its title and the calls to time, on the same data for every library."""
    rng = np.random.default_rng(0)
    h, c = rng.standard_normal((64, 128), np.float32), rng.random((2, 2), np.float32)
    x, g = rng.standard_normal((64, 10), np.float32), rng.standard_normal((64, 10), np.float32)
    sums, scalars, softmaxes = {}, {}, {}
    for name, lib in (("engine", engine), ("torch 2.13 CPU", torch)):
        ht, ct = lib.from_numpy(h), lib.from_numpy(c)
        xt, gt = lib.tensor(x, requires_grad=True), lib.from_numpy(g)
        sums[name] = lambda ht=ht: ht.sum(0)
        scalars[name] = lambda ct=ct: ct.sum()
        softmaxes[name] = lambda lib=lib, xt=xt, gt=gt: log_softmax_step(lib, xt, gt)
    return {
        "`h.sum(0)`, h 64x128 float32": {**sums, "NumPy": lambda: h.sum(0)},
        "`c.sum()`, c 2x2 float32": {**scalars, "NumPy": lambda: c.sum()},
        "`log_softmax(x, 1).backward(g)`, x 64x10 float32":
            {**softmaxes, "NumPy": lambda: numpy_log_softmax_step(x, g)},
    }


def main() -> None:
    import torch
    torch.set_num_threads(1)
    for title, fns in cases(torch).items():
        print(f"{title}\n\n{table('µs', compare(fns), 'NumPy')}\n")


if __name__ == "__main__":
    main()
