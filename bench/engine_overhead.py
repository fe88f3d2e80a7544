"""Engine overhead on a tiny graph: `(a*b + a).sum().backward()` on 2x2 float32 leaves.

At this size every microsecond is bookkeeping (dispatch, dtype and layout decisions, graph
nodes, the backward queue), so this measures what the engine adds per op. Compared, in one run,
with PyTorch 2.13 CPU on one thread and with the same forward and backward written by hand in
NumPy (the floor: no graph at all). `python bench/engine_overhead.py` prints a Markdown table."""
from __future__ import annotations

import numpy as np
import torch
from timing import compare, table

import engine


def step(lib, a, b) -> None:
    a.grad = b.grad = None
    (a * b + a).sum().backward()


def numpy_step(a: np.ndarray, b: np.ndarray) -> tuple:
    """y = sum(a*b + a): forward, then dy/da = b + 1 and dy/db = a from a ones gradient."""
    y = (a * b + a).sum()
    g = np.ones_like(a)          # d sum / d (a*b + a)
    ga = g * b + g               # through mul (self) and add
    gb = g * a                   # through mul (other)
    return y, ga, gb


def main() -> None:
    torch.set_num_threads(1)
    fns = {}
    for name, lib in (("engine", engine), ("torch 2.13 CPU", torch)):
        a = lib.rand(2, 2, requires_grad=True)
        b = lib.rand(2, 2, requires_grad=True)
        fns[name] = lambda lib=lib, a=a, b=b: step(lib, a, b)
    x, y = np.random.rand(2, 2).astype(np.float32), np.random.rand(2, 2).astype(np.float32)
    fns["NumPy by hand"] = lambda: numpy_step(x, y)
    print("`(a*b + a).sum().backward()`, 2x2 float32, per iteration\n")
    print(table("µs", compare(fns), "torch 2.13 CPU"))


if __name__ == "__main__":
    main()
