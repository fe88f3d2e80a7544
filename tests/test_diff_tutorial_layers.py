"""Layers, optimizers and hooks PyTorch's tutorials and examples use that the engine once
lacked (issue 16), against real torch: Dropout2d, Adadelta, ..."""
from __future__ import annotations

import warnings

import pytest

from difftest import run_both
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
