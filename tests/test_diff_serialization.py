"""torch.save of what tutorials save besides tensors (issue 16): NumPy arrays and scalars and
whole Modules. torch.load's default (weights_only=True) refuses them with torch's "Weights only
load failed" error, naming the same global; with weights_only=False NumPy values come back as
torch returns them, while a whole Module is refused (rebuilding it would run its class's code,
which this format never does)."""
from __future__ import annotations

import io

import numpy as np
import pytest

import engine
from difftest import run_both

SAVED = {
    "ndarray": lambda lib: np.arange(6.0).reshape(2, 3),
    "numpy scalar": lambda lib: np.float64(1.5),
    "int scalar in a list": lambda lib: [lib.ones(2), np.int32(3)],
    "dict of arrays": lambda lib: {"w": np.ones((2, 2), np.float32), "n": 3},
    "module": lambda lib: lib.nn.Linear(2, 1),
    "module in a checkpoint": lambda lib: {"epoch": 1, "model": lib.nn.Sequential(
        lib.nn.Linear(2, 2), lib.nn.ReLU())},
}


def _saved(lib, make):
    buf = io.BytesIO()
    lib.save(make(lib), buf)
    buf.seek(0)
    return buf


@pytest.mark.parametrize("what", list(SAVED))
def test_default_load_refuses_as_torch(what):
    run_both(lambda lib: lib.load(_saved(lib, SAVED[what])))
    run_both(lambda lib: lib.load(_saved(lib, SAVED[what]), weights_only=True))


@pytest.mark.parametrize("what", ["ndarray", "numpy scalar", "int scalar in a list",
                                  "dict of arrays"])
def test_numpy_values_load_with_weights_only_false_as_torch(what):
    def loaded(lib):
        value = lib.load(_saved(lib, SAVED[what]), weights_only=False)
        return repr(value), type(value).__name__
    run_both(loaded)


@pytest.mark.parametrize("what", ["module", "module in a checkpoint"])
def test_a_whole_module_is_refused_clearly_even_with_weights_only_false(what):
    with pytest.raises(RuntimeError, match="does not rebuild a whole torch.nn.modules"):
        engine.load(_saved(engine, SAVED[what]), weights_only=False)

