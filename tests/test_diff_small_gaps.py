"""Small gaps of issue 16 against real torch 2.13: the second derivative of mse_loss goes through
MseLossBackwardBackward0; dist with p=0 has no gradient; torch.set_default_tensor_type works,
warns once and refuses as torch does; Variable.volatile reads False with torch's warning;
L-BFGS's strong_wolfe line search takes torch's steps; bernoulli refuses a p outside [0, 1] in
torch's words."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import torch
from difftest import first_line, run_both
from test_diff_rnn_graph import graph_signature

import engine

ROOT = Path(__file__).resolve().parent.parent


# ---- mse_loss, twice differentiated ----------------------------------------------------------
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("target_grad", [False, True], ids=["target fixed", "target learned"])
def test_mse_loss_double_backward_matches_torch(reduction, target_grad):
    def second(lib):
        x = lib.tensor([[1.0, -2.0, 3.5], [0.5, 0.25, -1.0]], dtype=lib.float64,
                       requires_grad=True)
        y = lib.tensor([[0.5, 0.0, 4.0], [1.0, -1.0, 2.0]], dtype=lib.float64,
                       requires_grad=target_grad)
        loss = lib.nn.functional.mse_loss(x, y, reduction=reduction)
        out_grad = lib.ones_like(loss).requires_grad_(reduction == "none")
        grads = lib.autograd.grad(loss, [x, y] if target_grad else [x], out_grad,
                                  create_graph=True)
        second = sum((g * g.detach().sin()).sum() for g in grads)
        second.backward()
        leaves = [x, y, out_grad] if target_grad else [x, out_grad]
        return grads, leaves
    (ours, our_leaves), (theirs, their_leaves) = second(engine), second(torch)
    for e, t in zip(ours, theirs, strict=True):
        assert type(e.grad_fn).__name__ == type(t.grad_fn).__name__ == "MseLossBackwardBackward0"
        assert graph_signature(e.grad_fn) == graph_signature(t.grad_fn)
        np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=1e-12)
    for k, (e, t) in enumerate(zip(our_leaves, their_leaves, strict=True)):
        assert (e.grad is None) == (t.grad is None), f"grad of leaf {k}"
        if t.grad is not None:
            np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), rtol=1e-12,
                                       err_msg=f"grad of leaf {k}")


def test_mse_loss_gradient_of_an_integer_target_stays_float32():
    def grad(lib):
        x = lib.tensor([1.0, 2.0, 5.0], requires_grad=True)
        loss = lib.nn.functional.mse_loss(x, lib.tensor([1, 4, 2]))
        [g] = lib.autograd.grad(loss, [x], create_graph=True)
        return loss, g
    run_both(grad)


# ---- dist with p = 0 -------------------------------------------------------------------------
@pytest.mark.parametrize("p", [0, 0.0])
@pytest.mark.parametrize("other_grad", [False, True], ids=["other fixed", "other learned"])
def test_dist_with_p_zero_has_no_gradient_as_torch(p, other_grad):
    """torch's norm_backward gives no gradient for p=0; for `other` it negates that nothing,
    which fails."""
    def count(lib):
        a = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        b = lib.tensor([1.0, 0.0, 3.5], requires_grad=other_grad)
        d = lib.dist(a, b, p)
        try:
            d.backward()
        except RuntimeError as exc:
            return d.item(), first_line(exc)
        return d.item(), a.grad, b.grad
    assert count(engine) == count(torch)


# ---- legacy API, each in a process of its own (torch warns once per process) -------------------
LEGACY = """
import warnings
warnings.simplefilter("always")
import {lib} as torch
def attempt(f):
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        try:
            result = f()
        except Exception as exc:
            result = type(exc).__name__ + ": " + str(exc).splitlines()[0]
    print(repr(result), [(w.category.__name__, str(w.message)) for w in seen])
{body}
"""
PROGRAMS = {
    "set_default_tensor_type": """
attempt(lambda: torch.set_default_tensor_type('torch.Foo'))
attempt(lambda: torch.set_default_tensor_type(torch.DoubleTensor))
attempt(lambda: (torch.ones(2).dtype, torch.get_default_dtype(), torch.tensor([1.5]).dtype))
attempt(lambda: torch.set_default_tensor_type('torch.FloatTensor'))
attempt(lambda: torch.get_default_dtype())
attempt(lambda: torch.set_default_tensor_type(torch.HalfTensor))
attempt(lambda: torch.get_default_dtype())
attempt(lambda: torch.set_default_tensor_type(torch.IntTensor))
attempt(lambda: torch.set_default_tensor_type(torch.float64))
attempt(lambda: torch.set_default_tensor_type(5))
attempt(lambda: torch.set_default_tensor_type('torch.cuda.FloatTensor'))
attempt(lambda: torch.set_default_tensor_type(torch.FloatTensor))
""",
    "the first call fails": """
attempt(lambda: torch.set_default_tensor_type('torch.cuda.DoubleTensor'))
attempt(lambda: torch.set_default_tensor_type(torch.DoubleTensor))
attempt(lambda: torch.get_default_dtype())
""",
    "volatile": """
v = torch.autograd.Variable(torch.ones(2), requires_grad=True)
attempt(lambda: v.volatile)
attempt(lambda: torch.ones(1).volatile)
attempt(lambda: setattr(v, 'volatile', True))
attempt(lambda: (v.volatile, v.requires_grad))
attempt(lambda: torch.autograd.Variable(torch.ones(2), volatile=True).volatile)
""",
}


def _legacy_run(lib: str, body: str) -> str:
    source = LEGACY.format(lib=lib, body=textwrap.dedent(body))
    done = subprocess.run([sys.executable, "-c", source], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_legacy_calls_answer_and_warn_as_torch(name):
    ours, theirs = _legacy_run("engine", PROGRAMS[name]), _legacy_run("torch", PROGRAMS[name])
    assert ours == theirs
    assert "Warning" in theirs


# ---- L-BFGS with the strong Wolfe line search ------------------------------------------------
def _lbfgs(lib, steps=3, **kw):
    """Fit a small model by L-BFGS (float64, so twenty iterations keep torch's digits)."""
    lib.manual_seed(0)
    model = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.Tanh(), lib.nn.Linear(4, 1)).double()
    x, y = lib.randn(30, 3, dtype=lib.float64), lib.randn(30, 1, dtype=lib.float64)
    opt = lib.optim.LBFGS(model.parameters(), line_search_fn="strong_wolfe", **kw)
    calls = []

    def closure():
        opt.zero_grad()
        loss = lib.nn.functional.mse_loss(model(x), y)
        loss.backward()
        calls.append(float(loss))
        return loss
    losses = [float(opt.step(closure)) for _ in range(steps)]
    state = opt.state[next(model.parameters())]
    return losses, calls, [p.detach().numpy() for p in model.parameters()], \
        state["func_evals"], state["n_iter"], float(state["t"])


@pytest.mark.parametrize("kw", [{}, {"lr": 0.1}, {"max_iter": 4, "history_size": 2},
                                {"max_iter": 50, "max_eval": 12},
                                {"tolerance_change": 1e-4}], ids=str)
def test_lbfgs_strong_wolfe_takes_torchs_steps(kw):
    ours, theirs = _lbfgs(engine, **kw), _lbfgs(torch, **kw)
    assert ours[3:5] == theirs[3:5], "evaluations and iterations"
    assert len(ours[1]) == len(theirs[1]), "closure calls"
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-9, err_msg="every loss evaluated")
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-9)
    for e, t in zip(ours[2], theirs[2], strict=True):
        np.testing.assert_allclose(e, t, rtol=1e-8, atol=1e-10)
    assert ours[5] == pytest.approx(theirs[5], rel=1e-8)


def test_lbfgs_strong_wolfe_on_the_rosenbrock_function():
    """The classic: a line search that must bracket and zoom (cubic interpolation) often."""
    def rosenbrock(lib):
        xy = lib.tensor([-1.5, 2.0], dtype=lib.float64, requires_grad=True)
        opt = lib.optim.LBFGS([xy], lr=1, max_iter=100, line_search_fn="strong_wolfe")

        def closure():
            opt.zero_grad()
            loss = (1 - xy[0]) ** 2 + 100 * (xy[1] - xy[0] ** 2) ** 2
            loss.backward()
            return loss
        opt.step(closure)
        state = opt.state[xy]
        return xy.detach().numpy(), state["func_evals"], state["n_iter"]
    ours, theirs = rosenbrock(engine), rosenbrock(torch)
    assert ours[1:] == theirs[1:]
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-9)


def test_lbfgs_refuses_an_unknown_line_search_as_torch():
    def refuse(lib):
        try:
            w = lib.ones(1, requires_grad=True)
            opt = lib.optim.LBFGS([w], line_search_fn="armijo")

            def closure():
                opt.zero_grad()
                loss = (w * 3).pow(2).sum()
                loss.backward()
                return loss
            opt.step(closure)
        except Exception as exc:  # noqa: BLE001 - the message is what is compared
            return type(exc).__name__, first_line(exc)
    assert refuse(engine) == refuse(torch)


# ---- bernoulli's refusals of a probability outside [0, 1] --------------------------------------
@pytest.mark.parametrize("call", [
    lambda lib: lib.tensor([2.0]).bernoulli(), lambda lib: lib.bernoulli(lib.tensor([-0.5])),
    lambda lib: lib.tensor([0.5]).bernoulli_(lib.tensor([float("nan")])),
    lambda lib: lib.tensor([0.5]).bernoulli(2.0), lambda lib: lib.tensor([0.5]).bernoulli_(-1e-7),
    lambda lib: lib.bernoulli(lib.tensor([0.5]), 1.5)],
    ids=["tensor p", "function", "nan p", "number p", "tiny p", "function number p"])
def test_bernoulli_refuses_p_outside_0_1_as_torch(call):
    run_both(call)
