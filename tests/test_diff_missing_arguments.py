"""A call that leaves out a required argument fails with torch's first line, against real torch:
'add() missing 1 required positional arguments: "other"' where torch's binding has one
signature, "received an invalid combination of arguments - got (...), but expected ..." where
it has several, and Python's own words where torch writes the function in Python. Which is which
is a table the engine keeps (engine/ops/torch_bindings.py); the first test checks it against
torch 2.13 (`python tests/test_diff_missing_arguments.py` writes it afresh)."""
from __future__ import annotations

import inspect
import pathlib
import sys

import numpy as np
import pytest
import torch

import engine
from difftest import first_line, run_both
from engine.ops import TENSOR_METHODS, TORCH_FUNCTIONS
from engine.ops import torch_bindings

SQUARE = np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32)
COMBINATION = "received an invalid combination of arguments - got (), but expected "


def _signatures(call) -> tuple | None:
    """The signatures torch lists when a call without arguments fits none of several, or None
    when its binding has one (or the call needs no argument)."""
    try:
        call()
    except TypeError as e:
        text = str(e)
        if COMBINATION in text.splitlines()[0]:
            shown = text.splitlines()[0].split(COMBINATION, 1)[1]
            if shown != "one of:":
                return (shown,)
            return tuple(line[3:] for line in text.splitlines()[1:] if line.startswith(" * "))
    except Exception:    # noqa: BLE001 - any other refusal: not an overload question
        pass
    return None


def _in_python(fn) -> bool:
    return inspect.isfunction(fn) or inspect.ismethod(fn)


def probe_torch() -> dict:
    functions = {name: getattr(torch, name) for name in sorted(TORCH_FUNCTIONS)}
    self = torch.ones(2, 2)
    methods = {name: getattr(self, name) for name in sorted(TENSOR_METHODS)
               if not name.startswith("__")}
    overloads = [{name: _signatures(fn) for name, fn in table.items()}
                 for table in (functions, methods)]
    return {
        "FUNCTION_OVERLOADS": {k: v for k, v in overloads[0].items() if v is not None},
        "METHOD_OVERLOADS": {k: v for k, v in overloads[1].items() if v is not None},
        "FUNCTIONS_IN_PYTHON": frozenset(k for k, fn in functions.items() if _in_python(fn)),
        "METHODS_IN_PYTHON": frozenset(k for k, fn in methods.items() if _in_python(fn)),
    }


def test_the_binding_table_is_torchs():
    torchs = probe_torch()
    assert {name: getattr(torch_bindings, name) for name in torchs} == torchs, "run `python tests/test_diff_missing_arguments.py` to write it afresh"


# Still different, each for a reason of its own (strict: a fixed one must leave this list)
FUNCTIONS_DIFFERENT = {
    "arange": "arange() is arange(0) here; torch has no signature without an end",
    "einsum": "torch's einsum, written in Python, checks its operands itself (a ValueError)",
    "from_numpy": "torch's binding counts its one argument itself",
    "iinfo": "iinfo is a class here; Python names its __init__",
    "norm": "a reduction's binding speaks torch's words where torch's norm is Python's",
    "tile": "the engine names tile's varargs sizes (dims is its keyword)",
    "unique": "torch's unique is wrapped in a Python helper, _return_output",
}
METHODS_DIFFERENT = {
    "repeat_interleave": "the engine's repeats default to None",
    "split": "torch's Tensor.split is a method of a Python class (Tensor.split, split_size)",
    "unflatten": "torch's Tensor.unflatten is a method of a Python class (Tensor.unflatten)",
}


def _cases(names, different) -> list:
    return [pytest.param(name, marks=pytest.mark.xfail(reason=different[name], strict=True))
            if name in different else name for name in names]


def _refusal(call) -> str | None:
    try:
        call()
    except Exception as e:    # noqa: BLE001 - the refusal is what is compared
        return f"{type(e).__name__}: {first_line(e)}"
    return None


@pytest.mark.parametrize("name", _cases(sorted(TORCH_FUNCTIONS), FUNCTIONS_DIFFERENT))
def test_a_torch_function_without_its_arguments_as_torch(name):
    """The same refusal, or none (what a call without arguments returns, torch.finfo() or a
    random tensor, other tests compare)."""
    assert _refusal(getattr(engine, name)) == _refusal(getattr(torch, name))


METHODS = sorted(name for name in TENSOR_METHODS if not name.startswith("__"))


@pytest.mark.parametrize("name", _cases(METHODS, METHODS_DIFFERENT))
def test_a_tensor_method_without_its_arguments_as_torch(name):
    assert _refusal(getattr(engine.tensor(SQUARE), name)) == \
        _refusal(getattr(torch.tensor(SQUARE), name))


# Some arguments given, one left out
PARTIAL = {
    "transpose(0)": lambda lib, a: a.transpose(0),
    "torch.matmul(a)": lambda lib, a: lib.matmul(a),
    "torch.gather(a, 0)": lambda lib, a: lib.gather(a, 0),
    "torch.mm(a)": lambda lib, a: lib.mm(a),
    "masked_fill(mask)": lambda lib, a: a.masked_fill(a > 0),
    "torch.arccos()": lambda lib, a: lib.arccos(),
    "torch.allclose(a)": lambda lib, a: lib.allclose(a),
    "torch.add(a, alpha=2)": lambda lib, a: lib.add(a, alpha=2),
}


@pytest.mark.parametrize("name", PARTIAL)
def test_a_call_missing_one_argument_as_torch(name):
    run_both(PARTIAL[name], SQUARE)


def _table(name: str, table) -> str:
    if isinstance(table, frozenset):
        rows = "".join(f"    {key!r},\n".replace("'", '"') for key in sorted(table))
        return f"{name} = frozenset({{\n{rows}}})\n"
    rows = "".join(f"    {key!r}: (\n" + "".join(f"        {sig!r},\n" for sig in value) + "    ),\n"
                   for key, value in table.items()).replace("'", '"')
    return f"{name} = {{\n{rows}}}\n"


def _write_table() -> None:
    path = pathlib.Path(engine.__file__).parent / "ops" / "torch_bindings.py"
    path.write_text(
        '"""How torch 2.13 binds the functions and methods the engine publishes: the signatures of\n'
        'those with several (the ones torch shows; a call missing an argument fits one of them or\n'
        'is "an invalid combination of arguments"), and which torch writes in Python (Python\'s own\n'
        'binding errors, no NumPy names). Written by `python tests/test_diff_missing_arguments.py`,\n'
        'which also checks it against torch."""\n'
        "# flake8: noqa: E501\n"
        + "\n".join(_table(name, table) for name, table in probe_torch().items()))


if __name__ == "__main__":
    sys.path.insert(0, str(pathlib.Path(__file__).parent))
    _write_table()


# A number or a list where the input tensor goes, alone or before another argument: torch's
# parser checks each parameter in turn (the input's type before anything is counted missing),
# lets a number stand for add/sub/mul/div's tensors, and names an alias by the alias.
NOT_TENSORS = [(3,), (3, 1), ([1.0],)]
NOT_TENSORS_DIFFERENT = {
    "norm": "torch's norm, written in Python, reads .layout where the engine reads .dtype",
    "unique": "torch's unique is wrapped in a Python helper (_unique2, _return_output)",
    "repeat_interleave": "torch tries its repeats-only overload first",
    "broadcast_to": "the engine reads the size before the input",
    "pow": "torch's pow has a Scalar-self overload; the engine checks the exponent",
    "float_power": "as pow",
    "rand_like": "the engine's binding takes no positional dtype",
    "randn_like": "as rand_like",
    "round": "torch's round takes a positional 'decimals' overload",
    "round_": "as round",
}
FIRST_TAKES_A_TENSOR = sorted(
    name for name, fn in TORCH_FUNCTIONS.items()
    if list(inspect.signature(fn).parameters)[:1] in (["input"], ["A"], ["self"]))


@pytest.mark.parametrize("args", NOT_TENSORS, ids=["a number", "two numbers", "a list"])
@pytest.mark.parametrize("name", FIRST_TAKES_A_TENSOR)
def test_a_torch_function_given_no_tensor_first_as_torch(name, args):
    ours, theirs = _refusal(lambda: getattr(engine, name)(*args)), \
        _refusal(lambda: getattr(torch, name)(*args))
    if name in NOT_TENSORS_DIFFERENT and ours != theirs:
        pytest.xfail(NOT_TENSORS_DIFFERENT[name])
    assert ours == theirs


@pytest.mark.parametrize("call", [lambda lib: lib.add(3, 1), lambda lib: lib.sub(3, 1.5),
                                  lambda lib: lib.mul(True, 2), lambda lib: lib.div(7, 2),
                                  lambda lib: lib.floor_divide(7, 2),
                                  lambda lib: lib.add(3, 1, alpha=2)],
                         ids=["add", "sub", "mul", "div", "floor_divide", "alpha"])
def test_two_numbers_make_a_tensor_where_torch_lets_them(call):
    run_both(call)


class NotATensor:
    """An object of the learner's own class where a tensor goes."""


SECOND_NOT_A_TENSOR_DIFFERENT = {
    "bmm": "the engine checks the first operand's dims before the second's type",
    "ger": "as bmm", "outer": "as bmm",
    "index_put": "torch wants a tuple of tensors for indices",
}


@pytest.mark.parametrize("second", [NotATensor, type(None), list],
                         ids=["an object", "None", "a list"])
@pytest.mark.parametrize("name", FIRST_TAKES_A_TENSOR)
def test_a_torch_function_given_no_tensor_second_as_torch(name, second):
    """A tensor-declared argument that is not one is torch's TypeError naming it, whatever
    position it has (the engine met the AttributeError of reading it)."""
    value = {NotATensor: NotATensor(), type(None): None, list: [1.0]}[second]
    ours = _refusal(lambda: getattr(engine, name)(engine.ones(2, 2), value))
    theirs = _refusal(lambda: getattr(torch, name)(torch.ones(2, 2), value))
    if ours != theirs and (theirs is None or "must be Tensor" not in theirs) and \
            (ours is None or "has no attribute" not in ours):
        return     # another refusal, not the one this test is about (other tests compare it)
    if name in SECOND_NOT_A_TENSOR_DIFFERENT and ours != theirs:
        pytest.xfail(SECOND_NOT_A_TENSOR_DIFFERENT[name])
    assert ours == theirs
