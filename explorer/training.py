"""Training a small MLP on a toy 2-D data set, one step at a time, for the Training page.

Everything runs on the engine in the app's own process (the learner types no code here, so
there is nothing to sandbox), so what one visitor may make the server compute is bounded: one
training at a time (`claim_training`), on one core (NumPy's BLAS held to one thread while it
trains) and CPU_SECONDS of the server's CPU each. `train` is a generator so the page can draw
the loss curve while it grows. The data sets come from the engine's seeded generator, so a (config) always gives the
same points, the same initial weights and therefore the same curve, the one real PyTorch draws
for the same seed."""
from __future__ import annotations

import itertools
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

import engine

__all__ = [
    "ACTIVATIONS",
    "CPU_SECONDS",
    "DATASETS",
    "OPTIMIZERS",
    "Boundary",
    "FinishedRuns",
    "StepRecord",
    "TrainConfig",
    "Training",
    "build_mlp",
    "claim_training",
    "layers",
    "make_dataset",
    "make_optimizer",
    "release_training",
    "step_source",
    "train",
]

ACTIVATIONS = {"tanh": "Tanh", "relu": "ReLU", "sigmoid": "Sigmoid", "gelu": "GELU"}
OPTIMIZERS = ("sgd", "momentum", "adam")
MOMENTUM = 0.9
CPU_SECONDS = 20.0    # server CPU one training may use; a longer one stops, marked cut
_ONE_AT_A_TIME = threading.Semaphore(1)
# The default generator is process-wide (as in torch) and app sessions are threads: seeding and
# drawing the initial weights must not interleave with another session's.
_SEEDING = threading.Lock()


def _spiral(g, n: int, noise: float, classes: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """`classes` arms winding out from the centre (CS231n's spiral)."""
    per = n // classes
    radius = np.linspace(0.0, 1.0, per)
    xs, ys = [], []
    for k in range(classes):
        angle = np.linspace(k * 4.0, (k + 1) * 4.0, per) + noise * _randn(g, per)
        xs.append(np.stack([radius * np.sin(angle), radius * np.cos(angle)], axis=1))
        ys.append(np.full(per, k))
    return np.concatenate(xs), np.concatenate(ys)


def _moons(g, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (scikit-learn's make_moons)."""
    per = n // 2
    t = np.linspace(0.0, math.pi, per)
    upper = np.stack([np.cos(t), np.sin(t)], axis=1)
    lower = np.stack([1.0 - np.cos(t), 0.5 - np.sin(t)], axis=1)
    x = np.concatenate([upper, lower]) + noise * _randn(g, 2 * per, 2)
    return x, np.repeat([0, 1], per)


def _circles(g, n: int, noise: float, factor: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """A ring around a smaller ring (scikit-learn's make_circles)."""
    per = n // 2
    t = np.linspace(0.0, 2 * math.pi, per, endpoint=False)
    ring = np.stack([np.cos(t), np.sin(t)], axis=1)
    x = np.concatenate([ring, factor * ring]) + noise * _randn(g, 2 * per, 2)
    return x, np.repeat([0, 1], per)


def _randn(g, *shape: int) -> np.ndarray:
    return engine.randn(*shape, generator=g, dtype=engine.float64).numpy()


DATASETS = {"spiral": _spiral, "moons": _moons, "circles": _circles}


def make_dataset(name: str, n: int = 300, noise: float = 0.1,
                 seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Points (n, 2) float32 and labels (n,) int64; the same for the same arguments."""
    g = engine.Generator().manual_seed(seed)
    x, y = DATASETS[name](g, n, noise)
    return x.astype(np.float32), y.astype(np.int64)


def build_mlp(hidden: tuple = (16, 16), activation: str = "tanh", n_in: int = 2,
              n_out: int = 2, nn=engine.nn):
    """Linear, activation, ..., Linear: a Sequential, as a learner would write it."""
    sizes = (n_in,) + tuple(hidden)
    modules = []
    for a, b in itertools.pairwise(sizes):
        modules += [nn.Linear(a, b), getattr(nn, ACTIVATIONS[activation])()]
    return nn.Sequential(*modules, nn.Linear(sizes[-1], n_out))


def make_optimizer(name: str, params, lr: float, optim=engine.optim):
    """"sgd", "momentum" (SGD with momentum 0.9) or "adam"."""
    if name == "adam":
        return optim.Adam(params, lr=lr)
    return optim.SGD(params, lr=lr, momentum=MOMENTUM if name == "momentum" else 0.0)


def layers(model) -> list[tuple[str, object]]:
    """The model's Linear layers with a readable name each, e.g. "layer 1 (2→16)"."""
    linears = [m for _, m in model.named_children() if list(m.parameters())]
    return [(f"layer {k} ({m.in_features}→{m.out_features})", m)
            for k, m in enumerate(linears, start=1)]


@dataclass(frozen=True)
class TrainConfig:
    dataset: str = "spiral"
    n_points: int = 300
    noise: float = 0.1
    hidden: tuple = (16, 16)
    activation: str = "tanh"
    optimizer: str = "adam"
    lr: float = 0.01
    steps: int = 300
    seed: int = 0
    boundary_every: int = 25      # a decision-boundary grid every this many steps
    grid: int = 60                # grid points per side


@dataclass(frozen=True)
class Boundary:
    """The model's prediction over a grid covering the data: xs (grid,), ys (grid,), and per
    grid cell (ys × xs) the predicted class and its probability."""

    xs: np.ndarray
    ys: np.ndarray
    label: np.ndarray
    confidence: np.ndarray


@dataclass(frozen=True)
class StepRecord:
    step: int                     # 0-based: the loss before the step-th update
    loss: float
    accuracy: float
    grad_norms: dict              # layer name -> L2 norm of all its parameters' gradients
    boundary: Boundary | None = None


@dataclass(frozen=True)
class Training:
    """A finished training run: every step's record, the last decision boundary, the data."""

    records: tuple[StepRecord, ...]
    boundary: Boundary
    data: tuple[np.ndarray, np.ndarray]
    cut: bool = False             # stopped at CPU_SECONDS before its last step


def claim_training(wait: float) -> bool:
    """Take the server's one training slot, waiting up to `wait` seconds; whether it was had
    (then release_training() when done). Trainings run in the server's own process, so one
    visitor submitting many settings at once must queue rather than take every core (and the
    GIL) from other learners."""
    return _ONE_AT_A_TIME.acquire(timeout=wait)


def release_training() -> None:
    _ONE_AT_A_TIME.release()


class FinishedRuns:
    """The last `size` finished trainings by config, shared by every session (they are pure
    functions of the config): a lecture hall opening the page with the same settings trains
    once. Those put with `keep` (the page's default settings, which every visitor opens on)
    are kept apart, never pushed out by `size` others: any seed is another config, so 16
    submits of new seeds evicted the training every visitor shares (fourteenth outside attack
    F4). Thread-safe, as Streamlit sessions are threads."""

    def __init__(self, size: int = 16) -> None:
        self._size = size
        self._runs: OrderedDict[TrainConfig, Training] = OrderedDict()
        self._kept: dict[TrainConfig, Training] = {}
        self._lock = threading.Lock()

    def get(self, config: TrainConfig) -> Training | None:
        with self._lock:
            if config in self._kept:
                return self._kept[config]
            if config in self._runs:
                self._runs.move_to_end(config)
            return self._runs.get(config)

    def put(self, config: TrainConfig, training: Training, keep: bool = False) -> None:
        with self._lock:
            if keep:
                self._kept[config] = training
                self._runs.pop(config, None)
                return
            self._runs[config] = training
            self._runs.move_to_end(config)
            while len(self._runs) > self._size:
                self._runs.popitem(last=False)


def _grid(x: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    lo, hi = x.min(axis=0), x.max(axis=0)
    pad = 0.1 * (hi - lo)
    return (np.linspace(lo[0] - pad[0], hi[0] + pad[0], size, dtype=np.float32),
            np.linspace(lo[1] - pad[1], hi[1] + pad[1], size, dtype=np.float32))


def _boundary(model, xs: np.ndarray, ys: np.ndarray) -> Boundary:
    gx, gy = np.meshgrid(xs, ys)
    points = np.stack([gx.ravel(), gy.ravel()], axis=1)
    with engine.no_grad():
        probs = engine.softmax(model(engine.from_numpy(points)), dim=1).numpy()
    shape = (len(ys), len(xs))
    return Boundary(xs, ys, probs.argmax(1).reshape(shape), probs.max(1).reshape(shape))


def _grad_norm(module) -> float:
    return math.sqrt(sum(float((p.grad.double() ** 2).sum())
                         for p in module.parameters() if p.grad is not None))


def train(config: TrainConfig = TrainConfig(), data: tuple | None = None,
          cpu_seconds: float | None = None) -> Iterator[StepRecord]:
    """Full-batch training with cross-entropy; one StepRecord per step (the loss and gradient
    norms of that step's forward/backward, before the update), with a decision boundary at
    step 0, every `boundary_every` steps and at the last step: config.steps - 1, or the first
    step that ends after `cpu_seconds` (default CPU_SECONDS) of the server process's CPU time.

    NumPy's BLAS runs on one thread meanwhile (threadpoolctl), so the server's one training
    uses one core and leaves the others to the learners' runs; and the CPU it is charged is
    every thread's (time.process_time). Its own thread's (time.thread_time) missed BLAS's
    threads: 40 s of CPU over both cores for a "20 s" training (fourteenth outside attack F4).
    Other sessions' work in the server is charged too, so a busy server stops a long training
    sooner, never later. Close the generator when it is left early, before another training
    may start: that is when BLAS gets its threads back."""
    x, y = data if data is not None else make_dataset(
        config.dataset, config.n_points, config.noise, config.seed)
    with _SEEDING:
        engine.manual_seed(config.seed)
        model = build_mlp(config.hidden, config.activation, 2, int(y.max()) + 1)
    optimizer = make_optimizer(config.optimizer, model.parameters(), config.lr)
    loss_fn = engine.nn.CrossEntropyLoss()
    inputs, targets = engine.from_numpy(x), engine.from_numpy(y)
    xs, ys = _grid(x, config.grid)
    with threadpool_limits(limits=1):
        deadline = time.process_time() + (CPU_SECONDS if cpu_seconds is None else cpu_seconds)
        for step in range(config.steps):
            optimizer.zero_grad()
            logits = model(inputs)
            loss = loss_fn(logits, targets)
            loss.backward()
            norms = {name: _grad_norm(m) for name, m in layers(model)}
            accuracy = float((logits.argmax(1) == targets).float().mean())
            last = step == config.steps - 1 or time.process_time() > deadline
            boundary = _boundary(model, xs, ys) \
                if step % config.boundary_every == 0 or last else None
            optimizer.step()
            yield StepRecord(step, float(loss), accuracy, norms, boundary)
            if last:
                return


def _short(v: float) -> str:
    return repr(round(float(v), 3) + 0.0)   # + 0.0 turns -0.0 into 0.0


def step_source(config: TrainConfig = TrainConfig(), n_points: int = 8) -> str:
    """PyTorch code for one training step of this model on a few of the points: run it with
    explorer.run_code to draw its graph (collapsed by module); it also runs on real torch."""
    x, y = make_dataset(config.dataset, config.n_points, config.noise, config.seed)
    pick = np.linspace(0, len(x) - 1, n_points).astype(int)
    points = ", ".join(f"[{_short(a)}, {_short(b)}]" for a, b in x[pick])
    labels = ", ".join(str(int(v)) for v in y[pick])
    sizes = (2,) + tuple(config.hidden)
    act = ACTIVATIONS[config.activation]
    body = "".join(f"    nn.Linear({a}, {b}), nn.{act}(),\n" for a, b in itertools.pairwise(sizes))
    body += f"    nn.Linear({sizes[-1]}, {int(y.max()) + 1}),\n"
    if config.optimizer == "adam":
        opt = f"torch.optim.Adam(model.parameters(), lr={config.lr})"
    else:
        momentum = MOMENTUM if config.optimizer == "momentum" else 0.0
        opt = f"torch.optim.SGD(model.parameters(), lr={config.lr}, momentum={momentum})"
    return (f"import torch\nimport torch.nn as nn\n\ntorch.manual_seed({config.seed})\n"
            f"x = torch.tensor([{points}])\ny = torch.tensor([{labels}])\n"
            f"model = nn.Sequential(\n{body})\noptimizer = {opt}\n"
            f"loss_fn = nn.CrossEntropyLoss()\n\n"
            f"optimizer.zero_grad()\nloss = loss_fn(model(x), y)\nloss.backward()\n"
            f"optimizer.step()\nprint(loss.item())\n")
