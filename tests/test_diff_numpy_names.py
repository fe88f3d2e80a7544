"""NumPy's keyword names and torch's published surface, against real torch.

torch's argument parser takes `axis` for `dim`, `keepdims` for `keepdim`, `x`/`a`/`x1` for
`input` and `x2` for `other` in every function and method it parses, so a learner's NumPy habit
(`x.sum(axis=0, keepdims=True)`) runs; the functions torch writes in Python (split, norm,
unique, unflatten, torch.nn.functional) refuse them. And torch.<name> exists exactly where torch
has it: `torch.view(x, 4)` is an AttributeError in torch, so it must not run here."""
from __future__ import annotations

import inspect

import numpy as np
import pytest
import torch

import engine
from difftest import run_both

A = np.arange(12, dtype=np.float32).reshape(3, 4) / 7
B = np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4)

NUMPY_NAMES = {
    "sum axis keepdims": lambda lib, a: a.sum(axis=0, keepdims=True),
    "torch.sum a= axis=": lambda lib, a: lib.sum(a=a, axis=1),
    "mean keepdims": lambda lib, a: a.mean(1, keepdims=True),
    "max axis keepdims": lambda lib, a: a.max(axis=1, keepdims=True),
    "amax axis": lambda lib, a: lib.amax(a, axis=(0, 1), keepdims=True),
    "std axis keepdims": lambda lib, a: a.std(axis=0, keepdims=True),
    "var_mean axis": lambda lib, a: lib.var_mean(a, axis=1),
    "argmax axis keepdims": lambda lib, a: a.argmax(axis=1, keepdims=True),
    "logsumexp axis": lambda lib, a: lib.logsumexp(a, axis=1),
    "cumsum axis": lambda lib, a: a.cumsum(axis=1),
    "softmax axis": lambda lib, a: lib.softmax(a, axis=1),
    "log_softmax method axis": lambda lib, a: a.log_softmax(axis=0),
    "cat axis": lambda lib, a: lib.cat([a, a], axis=1),
    "stack axis": lambda lib, a: lib.stack([a, a], axis=2),
    "unsqueeze axis": lambda lib, a: a.unsqueeze(axis=0),
    "squeeze axis": lambda lib, a: a.unsqueeze(1).squeeze(axis=1),
    "size axis": lambda lib, a: a.size(axis=1),
    "stride axis": lambda lib, a: a.stride(axis=0),
    "torch.add x1 x2": lambda lib, a: lib.add(x1=a, x2=a),
    "Tensor.mul x2": lambda lib, a: a.mul(x2=3),
    "torch.exp x": lambda lib, a: lib.exp(x=a),
    "linalg.vector_norm x axis keepdims": lambda lib, a: lib.linalg.vector_norm(
        x=a, axis=1, keepdims=True),
    "linalg.norm input": lambda lib, a: lib.linalg.norm(input=a),
    "linalg.matrix_norm input": lambda lib, a: lib.linalg.matrix_norm(input=a),
    # refused, as torch refuses them
    "dim and axis both": lambda lib, a: lib.sum(a, dim=0, axis=1),
    "torch.norm axis": lambda lib, a: lib.norm(a, axis=0),
    "F.softmax axis": lambda lib, a: lib.nn.functional.softmax(a, axis=0),
}


@pytest.mark.parametrize("name", NUMPY_NAMES)
def test_numpy_keyword_names_as_torch(name):
    run_both(NUMPY_NAMES[name], A, requires_grad=True)


# Methods torch writes in Python refuse NumPy's names; their messages name the method
# differently (Tensor.split() against split()), so only the refusal is compared.
@pytest.mark.parametrize("call", [
    lambda lib, a: a.split(1, axis=0), lambda lib, a: a.norm(axis=0),
    lambda lib, a: a.unique(axis=0), lambda lib, a: a.unflatten(axis=1, sizes=(2, 2))],
    ids=["split", "norm", "unique", "unflatten"])
def test_methods_torch_writes_in_python_refuse_numpy_names(call):
    for lib in (torch, engine):
        with pytest.raises(TypeError, match="unexpected keyword argument 'axis'"):
            call(lib, lib.tensor(A))


def test_a_numpy_name_takes_the_same_gradient():
    run_both(lambda lib, a, b: (a * b).sum(axis=1, keepdims=True) * a.mean(axis=0), A, B,
             backward=True)


# ---- what torch.<name> offers -------------------------------------------------------------------
def _public(module) -> list[str]:
    return sorted(name for name, value in vars(module).items()
                  if not name.startswith("_") and not inspect.ismodule(value))


def test_every_torch_function_the_engine_publishes_exists_in_torch():
    """torch.view, torch.expand, torch.to, torch.repeat, torch.absolute_ ... ran here and
    raise AttributeError in torch."""
    internal = {"annotations", "LEGACY_TYPES", "TENSOR_METHODS", "TORCH_FUNCTIONS",
                "name_classes_as_torch"}
    extra = [name for name in _public(engine) if name not in internal and not hasattr(torch, name)]
    assert extra == []


@pytest.mark.parametrize("name", ["view", "view_as", "reshape_as", "expand", "expand_as",
                                  "contiguous", "to", "type_as", "type", "copy_", "repeat",
                                  "absolute_"])
def test_a_tensor_method_torch_lacks_as_a_function_is_no_function_here(name):
    assert (hasattr(engine, name), hasattr(engine.Tensor, name)) == \
        (hasattr(torch, name), hasattr(torch.Tensor, name))


@pytest.mark.parametrize("name", ["view", "expand", "repeat", "abs_", "absolute_", "type",
                                  "contiguous"])
def test_tensor_methods_stay(name):
    run_both(lambda lib, a: getattr(a.clone(), name)(*{"view": (12,), "expand": (3, 4),
                                                       "repeat": (1, 2)}.get(name, ())), A)


NOT_A_TENSOR = {
    "det": lambda lib: lib.det(3), "inverse": lambda lib: lib.inverse(2.0),
    "linalg.det": lambda lib: lib.linalg.det(3), "linalg.inv": lambda lib: lib.linalg.inv([1.0]),
    "linalg.svd": lambda lib: lib.linalg.svd(3), "linalg.svdvals": lambda lib: lib.linalg.svdvals(3),
    "linalg.cross": lambda lib: lib.linalg.cross(3, 4), "linalg.norm": lambda lib: lib.linalg.norm(3),
    "linalg.vector_norm": lambda lib: lib.linalg.vector_norm(3),
    "linalg.matrix_norm": lambda lib: lib.linalg.matrix_norm(3),
}


@pytest.mark.parametrize("name", NOT_A_TENSOR)
def test_a_number_for_a_linalg_input_is_torchs_type_error(name):
    run_both(NOT_A_TENSOR[name])
