"""Layers, optimizers and hooks PyTorch's tutorials and examples use that the engine once
lacked (issue 16), against real torch: Dropout2d, GroupNorm, Adadelta, ..."""
from __future__ import annotations

import warnings

import pytest

import numpy as np

from difftest import each, run_both
from test_diff_ops_missing import same_chain
from test_optim import train

ADADELTA = [dict(), dict(lr=0.5, rho=0.8, eps=1e-5, weight_decay=0.1), dict(maximize=True)]


@pytest.mark.parametrize("kwargs", ADADELTA, ids=str)
def test_adadelta_updates_equal_torch_step_by_step(kwargs):
    run_both(lambda lib: train(lib, "Adadelta", kwargs)[0])


@pytest.mark.parametrize("kwargs", ADADELTA, ids=str)
def test_adadelta_state_dict_and_repr_match_torch(kwargs):
    def program(lib):
        _, opt = train(lib, "Adadelta", kwargs, steps=2)
        sd = opt.state_dict()
        return [repr(opt), sd["param_groups"],
                [v for s in sd["state"].values() for v in s.values()]]
    run_both(program)


@pytest.mark.parametrize("bad", [dict(rho=1.5), dict(lr=-1), dict(eps=-1e-6),
                                 dict(weight_decay=-0.1)], ids=str)
def test_adadelta_refuses_bad_arguments_like_torch(bad):
    run_both(lambda lib: lib.optim.Adadelta(lib.nn.Linear(2, 2).parameters(), **bad))


def _dropout2d(lib, shape, p=0.5, inplace=False, functional=False):
    """Masks, gradients, the eval identity and the warnings, from one seed."""
    lib.manual_seed(3)
    x = lib.ones(*shape, requires_grad=True)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        if functional:
            y = lib.nn.functional.dropout2d(x * 1, p, inplace=inplace)
        else:
            y = lib.nn.Dropout2d(p, inplace=inplace)(x * 1)
    y.sum().backward()
    layer = lib.nn.Dropout2d(p).eval()
    return [y, x.grad, layer(lib.ones(2, 2)), repr(layer), [str(w.message) for w in seen]]


@pytest.mark.parametrize("shape", [(2, 5, 3, 3), (4, 6, 5), (3, 8), (2, 3, 2, 2, 2)], ids=str)
@pytest.mark.parametrize("how", [dict(), dict(p=0.2, inplace=True), dict(functional=True),
                                 dict(p=1.0), dict(p=0.0)], ids=str)
def test_dropout2d_zeroes_whole_channels_as_torch(shape, how):
    run_both(lambda lib: _dropout2d(lib, shape, **how))


@pytest.mark.parametrize("make", [lambda lib: lib.nn.Dropout2d(1.5),
                                  lambda lib: lib.nn.functional.dropout2d(lib.ones(2, 2), -0.1),
                                  lambda lib: lib.nn.functional.dropout2d(lib.ones(3), 0.5)])
def test_dropout2d_errors_as_torch(make):
    run_both(make)


GROUP_NORM = [((2, 4, 3), 2), ((3, 6, 2, 2), 3), ((2, 4), 2), ((1, 4, 5), 1), ((2, 6, 2, 1, 2), 2)]


@pytest.mark.parametrize("shape,groups", GROUP_NORM, ids=str)
def test_group_norm_as_torch(shape, groups):
    x = np.random.default_rng(7).standard_normal(shape).astype(np.float32)
    c = shape[1]

    def module(lib, x, **kw):
        lib.manual_seed(0)
        layer = lib.nn.GroupNorm(groups, c, **kw)
        if layer.weight is not None:
            with lib.no_grad():
                layer.weight.uniform_(0.5, 1.5)
        return layer(x)
    each([("module", lambda: same_chain(module, x)),
          ("no affine", lambda: same_chain(lambda lib, x: module(lib, x, affine=False), x)),
          ("no bias", lambda: same_chain(lambda lib, x: module(lib, x, bias=False), x)),
          ("functional", lambda: same_chain(
              lambda lib, x, w: lib.nn.functional.group_norm(x, groups, w, eps=1e-3), x,
              np.linspace(0.5, 2, c).astype(np.float32))),
          ("repr", lambda: run_both(lambda lib: repr(lib.nn.GroupNorm(groups, c, eps=1e-3))))])


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.GroupNorm(3, 4), lambda lib: lib.nn.functional.group_norm(lib.ones(4), 2),
    lambda lib: lib.nn.functional.group_norm(lib.ones(2, 3, 4), 2),
    lambda lib: lib.nn.functional.group_norm(lib.ones(1, 2), 2),
    lambda lib: lib.nn.functional.group_norm(lib.ones(2, 4, 4), 2, weight=lib.ones(3))])
def test_group_norm_errors_as_torch(call):
    run_both(call)


def _hooked(lib, register: str, make, x, hook_result=None, inputs_need_grad=True):
    """What the module's backward hooks saw (grads as given), its output's grad_fn chain and
    the input's gradient, with the warnings raised."""
    lib.manual_seed(0)
    module = make(lib)
    seen = []

    def hook(m, grad_input, grad_output):
        seen.append((type(m).__name__, list(grad_input), list(grad_output)))
        return hook_result(grad_input) if hook_result else None
    getattr(module, register)(hook)
    x = lib.tensor(x, requires_grad=inputs_need_grad)
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        y = module(x)
        y.sum().backward()
    names = [type(y.grad_fn).__name__] + [type(f).__name__ for f, _ in y.grad_fn.next_functions
                                          if f is not None]
    return [seen, names, x.grad, [str(w.message) for w in said]]


MODULES = {
    "linear": lambda lib: lib.nn.Linear(3, 2),
    "sequential": lambda lib: lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.ReLU(),
                                                lib.nn.Linear(4, 2)),
    "relu": lambda lib: lib.nn.ReLU(),
}
X = np.random.default_rng(5).standard_normal((4, 3)).astype(np.float32)


@pytest.mark.parametrize("register", ["register_full_backward_hook", "register_backward_hook"])
@pytest.mark.parametrize("name", list(MODULES))
def test_module_backward_hooks_see_what_torchs_see(register, name):
    run_both(lambda lib: _hooked(lib, register, MODULES[name], X))


def test_a_full_backward_hook_can_replace_grad_input_as_torch():
    run_both(lambda lib: _hooked(lib, "register_full_backward_hook", MODULES["relu"], X,
                                 hook_result=lambda gi: (gi[0] * 2,)))


def test_a_full_backward_hook_fires_at_the_output_when_no_input_needs_a_gradient():
    run_both(lambda lib: _hooked(lib, "register_full_backward_hook", MODULES["linear"], X,
                                 inputs_need_grad=False))


@pytest.mark.parametrize("bad", [
    lambda lib: _hooked(lib, "register_full_backward_hook", MODULES["relu"], X,
                        hook_result=lambda gi: (gi[0], gi[0])),
    lambda lib: _mixed_hooks(lib)], ids=["wrong count", "mixed"])
def test_backward_hook_errors_as_torch(bad):
    run_both(bad)


def _mixed_hooks(lib):
    layer = lib.nn.Linear(2, 2)
    layer.register_backward_hook(lambda *a: None)
    layer.register_full_backward_hook(lambda *a: None)


def test_removing_a_backward_hook_as_torch():
    def program(lib):
        layer, calls = lib.nn.Linear(2, 2), []
        handle = layer.register_full_backward_hook(lambda *a: calls.append(1))
        layer(lib.ones(1, 2, requires_grad=True)).sum().backward()
        handle.remove()
        layer(lib.ones(1, 2, requires_grad=True)).sum().backward()
        return len(calls)
    run_both(program)


def _lbfgs_fit(lib, steps=4, **kw):
    """A small least-squares fit by L-BFGS: the losses each step returned and the weights (in
    float64: twenty iterations a step would carry float32's rounding differences far)."""
    lib.manual_seed(0)
    model = lib.nn.Sequential(lib.nn.Linear(3, 2), lib.nn.Linear(2, 1)).double()
    x, y = lib.randn(20, 3, dtype=lib.float64), lib.randn(20, 1, dtype=lib.float64)
    opt = lib.optim.LBFGS(model.parameters(), **kw)

    def closure():
        opt.zero_grad()
        loss = lib.nn.functional.mse_loss(model(x), y)
        loss.backward()
        return loss
    losses = [opt.step(closure) for _ in range(steps)]
    state = opt.state[next(model.parameters())]
    return [losses, [p.detach() for p in model.parameters()], state["func_evals"],
            state["n_iter"], repr(opt)]


@pytest.mark.parametrize("kw", [dict(), dict(lr=0.5, max_iter=5), dict(history_size=2),
                                dict(max_iter=3, max_eval=2, tolerance_change=1e-3)], ids=str)
def test_lbfgs_steps_as_torch(kw):
    run_both(lambda lib: _lbfgs_fit(lib, **kw))


@pytest.mark.parametrize("bad", [
    lambda lib: lib.optim.LBFGS(lib.nn.Linear(2, 1).parameters(), lr=-1),
    lambda lib: lib.optim.LBFGS([{"params": [lib.ones(1, requires_grad=True)]},
                                 {"params": [lib.ones(1, requires_grad=True)]}]),
    lambda lib: _lbfgs_fit(lib, line_search_fn="armijo")], ids=["lr", "groups", "search"])
def test_lbfgs_refuses_as_torch(bad):
    run_both(bad)
