"""The Training page's logic: toy data sets are reproducible, and training an MLP on the engine
gives the loss curve, accuracy and per-layer gradient norms real PyTorch gives for the same seed
and data; the one-step source runs the same on both."""
import contextlib
import io
import math

import numpy as np
import pytest
import torch

from explorer.sandbox.execute import execute
from explorer.training import (
    DATASETS,
    OPTIMIZERS,
    Boundary,
    FinishedRuns,
    TrainConfig,
    build_mlp,
    make_dataset,
    make_optimizer,
    step_source,
    train,
)
from explorer.views.training import boundary_figure, grad_norm_figure, loss_figure


def torch_curve(config: TrainConfig, x: np.ndarray, y: np.ndarray):
    """The same training written directly against real torch: losses, accuracies, norms."""
    torch.manual_seed(config.seed)
    model = build_mlp(config.hidden, config.activation, 2, int(y.max()) + 1, nn=torch.nn)
    opt = make_optimizer(config.optimizer, model.parameters(), config.lr, optim=torch.optim)
    inputs, targets = torch.from_numpy(x), torch.from_numpy(y)
    losses, accuracies, norms = [], [], []
    for _ in range(config.steps):
        opt.zero_grad()
        logits = model(inputs)
        loss = torch.nn.functional.cross_entropy(logits, targets)
        loss.backward()
        norms.append([math.sqrt(sum(float(p.grad.double().pow(2).sum())
                                    for p in layer.parameters()))
                      for layer in model if isinstance(layer, torch.nn.Linear)])
        accuracies.append(float((logits.argmax(1) == targets).float().mean()))
        losses.append(loss.item())
        opt.step()
    return np.array(losses), np.array(accuracies), np.array(norms), model


@pytest.mark.parametrize("dataset,optimizer,activation", [
    ("spiral", "adam", "tanh"), ("moons", "momentum", "relu"), ("circles", "sgd", "sigmoid")])
def test_engine_training_matches_torch_step_by_step(dataset, optimizer, activation):
    config = TrainConfig(dataset=dataset, optimizer=optimizer, activation=activation,
                         hidden=(12, 8), lr=0.05, steps=40, n_points=120, boundary_every=20)
    x, y = make_dataset(dataset, config.n_points, config.noise, config.seed)
    records = list(train(config))
    losses, accuracies, norms, _model = torch_curve(config, x, y)
    assert [r.step for r in records] == list(range(config.steps))
    np.testing.assert_allclose([r.loss for r in records], losses, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose([r.accuracy for r in records], accuracies)
    np.testing.assert_allclose([list(r.grad_norms.values()) for r in records], norms,
                               rtol=1e-4, atol=1e-7)
    assert list(records[0].grad_norms) == ["layer 1 (2→12)", "layer 2 (12→8)",
                                           f"layer 3 (8→{int(y.max()) + 1})"]
    assert losses[-1] < losses[0]     # it learns something in 40 steps


def test_decision_boundary_is_torch_models_prediction_on_the_grid():
    config = TrainConfig(dataset="moons", steps=21, boundary_every=10, n_points=100, grid=30)
    x, y = make_dataset("moons", 100, config.noise, 0)
    records = list(train(config))
    assert [r.step for r in records if r.boundary is not None] == [0, 10, 20]
    last = records[-1].boundary
    # torch's model after 20 updates (the boundary is drawn before the 21st)
    *_, model = torch_curve(TrainConfig(**{**config.__dict__, "steps": 20}), x, y)
    gx, gy = np.meshgrid(last.xs, last.ys)
    with torch.no_grad():
        probs = torch.softmax(model(torch.from_numpy(np.stack([gx.ravel(), gy.ravel()], 1))), 1)
    np.testing.assert_array_equal(last.label, probs.argmax(1).numpy().reshape(30, 30))
    np.testing.assert_allclose(last.confidence, probs.max(1).values.numpy().reshape(30, 30),
                               rtol=1e-5)
    assert last.xs.min() < x[:, 0].min() and last.ys.max() > x[:, 1].max()   # covers the data


@pytest.mark.parametrize("name", DATASETS)
def test_datasets_are_deterministic_and_balanced(name):
    x, y = make_dataset(name, 240, 0.1, seed=3)
    again_x, again_y = make_dataset(name, 240, 0.1, seed=3)
    np.testing.assert_array_equal(x, again_x)
    np.testing.assert_array_equal(y, again_y)
    assert not np.array_equal(x, make_dataset(name, 240, 0.1, seed=4)[0])
    assert x.shape == (240, 2) and x.dtype == np.float32 and y.dtype == np.int64
    counts = np.bincount(y)
    assert len(counts) >= 2 and (counts == counts[0]).all()


def test_circles_are_a_ring_around_a_smaller_ring():
    x, y = make_dataset("circles", 200, noise=0.0)
    radius = np.linalg.norm(x, axis=1)
    np.testing.assert_allclose(radius[y == 0], 1.0, rtol=1e-6)
    np.testing.assert_allclose(radius[y == 1], 0.5, rtol=1e-6)


def test_noise_comes_from_the_seeded_generator_torch_also_has():
    x, _ = make_dataset("moons", 100, noise=0.2, seed=5)
    clean, _ = make_dataset("moons", 100, noise=0.0, seed=5)
    g = torch.Generator().manual_seed(5)
    expected = 0.2 * torch.randn(100, 2, generator=g, dtype=torch.float64).numpy()
    np.testing.assert_allclose(x - clean, expected, atol=1e-6)


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_one_step_source_runs_the_same_on_the_engine_and_on_torch(optimizer):
    source = step_source(TrainConfig(optimizer=optimizer, hidden=(4,)))
    run = execute(source)
    assert run.error is None, run.error
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(source, {})   # noqa: S102 - our own generated script, on real torch
    assert float(run.stdout) == pytest.approx(float(printed.getvalue()), rel=1e-6)
    grad_fns = [op.grad_fn for op in run.graph.ops]
    assert grad_fns.count("AddmmBackward0") == 2 and "TanhBackward0" in grad_fns
    assert grad_fns[-1] == "NllLossBackward0"
    assert next(v.name for v in run.variables if v.kind == "module") == "model"


def test_training_figures_plot_exactly_the_records():
    config = TrainConfig(dataset="spiral", steps=12, boundary_every=5, n_points=90, grid=20)
    x, y = make_dataset("spiral", 90, config.noise, 0)
    records = list(train(config))
    loss, accuracy = loss_figure(records).data
    assert list(loss.x) == list(range(12)) and list(loss.y) == [r.loss for r in records]
    assert list(accuracy.y) == [r.accuracy for r in records]
    norms = grad_norm_figure(records).data
    assert [t.name for t in norms] == list(records[0].grad_norms)
    for trace in norms:
        assert list(trace.y) == [r.grad_norms[trace.name] for r in records]
    boundary = records[-1].boundary
    heat, *points = boundary_figure(boundary, x, y, step=11).data
    np.testing.assert_array_equal(np.floor(heat.z).astype(int), boundary.label)   # class band
    np.testing.assert_array_equal(heat.customdata, boundary.confidence)
    assert len(points) == 3
    for k, trace in enumerate(points):
        np.testing.assert_array_equal(np.stack([trace.x, trace.y], 1), x[y == k])


def test_more_confident_cells_are_drawn_deeper_within_their_class_band():
    xs = ys = np.array([0.0, 1.0], dtype=np.float32)
    boundary = Boundary(xs, ys, np.array([[0, 0], [1, 1]]), np.array([[0.5, 1.0], [0.6, 0.9]]))
    z = np.asarray(boundary_figure(boundary, np.zeros((2, 2)), np.array([0, 1])).data[0].z)
    assert 0 <= z[0, 0] < z[0, 1] < 1 <= z[1, 0] < z[1, 1] < 2


def test_finished_runs_keep_the_most_recently_used():
    runs = FinishedRuns(size=2)
    a, b, c = (TrainConfig(seed=k) for k in range(3))
    for config in (a, b):
        runs.put(config, f"run {config.seed}")
    assert runs.get(a) == "run 0"        # a is now the most recently used
    runs.put(c, "run 2")
    assert runs.get(b) is None
    assert (runs.get(a), runs.get(c)) == ("run 0", "run 2")


def test_a_training_stops_at_its_cpu_budget_and_says_so():
    """Training runs in the server's own process, so what one visitor's settings may cost is
    bounded (twelfth outside attack F10: 2,000 steps were 130 s of server CPU per submit): it
    stops at the first step past the budget, with a final decision boundary."""
    from explorer.training import TrainConfig, train
    config = TrainConfig(steps=2000, n_points=600, hidden=(64, 64, 64))
    records = list(train(config, cpu_seconds=0.0))
    assert len(records) == 1 and records[0].boundary is not None
    whole = list(train(TrainConfig(steps=3), cpu_seconds=60.0))
    assert [r.step for r in whole] == [0, 1, 2]


def test_one_training_at_a_time():
    import threading

    from explorer.training import claim_training, release_training
    assert claim_training(0)
    try:
        other = []
        thread = threading.Thread(target=lambda: other.append(claim_training(0.05)))
        thread.start()
        thread.join()
        assert other == [False], "a second training waits for the first"
    finally:
        release_training()
    assert claim_training(0)
    release_training()
