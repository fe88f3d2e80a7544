"""One small-CNN training step on 8x1x28x28: two Conv2d (3x3) + ReLU + MaxPool2d, then Linear.

forward + backward + SGD step on our engine and on PyTorch 2.13 CPU (one thread). The engine's
Conv2d is an im2col matmul over a strided window view (engine/ops/conv_pool.py), not a loop
over pixels. `python bench/conv_step.py` prints a Markdown table."""
from __future__ import annotations

import numpy as np
from mlp_step import training_step
from timing import compare, table

import engine

BATCH = 8


def make_step(lib, x, y):
    lib.manual_seed(0)
    nn = lib.nn
    model = nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),    # 8 x 14 x 14
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),   # 16 x 7 x 7
        nn.Flatten(), nn.Linear(16 * 7 * 7, 10))
    return training_step(lib, model, x, y)


def main() -> None:
    import torch  # here, so bench/engine_instructions.py counts the engine without PyTorch
    torch.set_num_threads(1)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((BATCH, 1, 28, 28)).astype(np.float32)
    y = rng.integers(0, 10, BATCH)
    fns = {"engine": make_step(engine, x, y), "torch 2.13 CPU": make_step(torch, x, y)}
    print(f"CNN step, batch {BATCH}x1x28x28: conv-relu-pool x2, linear; forward + backward + "
          "SGD\n")
    print(table("ms", compare(fns, seconds=0.3, repeat=9), "torch 2.13 CPU"))


if __name__ == "__main__":
    main()
