"""Type promotion against real torch: promote_types, result_type over the three operand tiers
(tensors with dimensions, 0-dim tensors, Python numbers), can_cast, the default dtype and what
it changes (integer true division, float scalars, math on integers), dtype objects, finfo/iinfo."""
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import engine
from difftest import each, run_both

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
ALL = DTYPES + ["bfloat16"]
FAST = settings(max_examples=50, deadline=None)


def same(e, t):
    assert str(e) == str(t), f"engine {e} != torch {t}"


def operand(lib, kind, dtype):
    """One operand of a tier: a tensor with dims, a 0-dim tensor, or a Python number."""
    if kind == "scalar":
        return {"bool": True, "int": 3, "float": 2.5}[dtype]
    value = np.array([1, 0, 2]) if kind == "dim" else np.array(2)
    return lib.tensor(value.astype(dtype) if dtype != "bfloat16" else value)


OPERANDS = ([("dim", d) for d in DTYPES] + [("zero", d) for d in DTYPES]
            + [("scalar", s) for s in ("bool", "int", "float")])


# ---- promote_types, can_cast, result_type ------------------------------------------------------
def test_promote_types_table():
    each((f"{a}, {b}", lambda a=a, b=b: same(
        engine.promote_types(getattr(engine, a), getattr(engine, b)),
        torch.promote_types(getattr(torch, a), getattr(torch, b)))) for a in ALL for b in ALL)


def test_can_cast_table():
    each((f"{a} -> {b}", lambda a=a, b=b: same(
        engine.can_cast(getattr(engine, a), getattr(engine, b)),
        torch.can_cast(getattr(torch, a), getattr(torch, b)))) for a in ALL for b in ALL)


def test_result_type_over_operand_tiers():
    """A lower tier (0-dim, then number) only changes the dtype when it is of a higher category
    (bool < integer < float); a float number counts as the default dtype."""
    def case(ka, da, kb, db):
        same(engine.result_type(operand(engine, ka, da), operand(engine, kb, db)),
             torch.result_type(operand(torch, ka, da), operand(torch, kb, db)))
    each((f"{ka}:{da}, {kb}:{db}", lambda a=a, b=b: case(*a, *b))
         for a in OPERANDS for b in OPERANDS for ka, da in [a] for kb, db in [b]
         if not (ka == kb == "scalar"))


@FAST
@given(st.sampled_from(OPERANDS), st.sampled_from(OPERANDS),
       st.sampled_from(["add", "mul", "div", "eq", "where", "maximum", "sub", "pow"]))
def test_ops_produce_the_result_type(a, b, op):
    """The promoted dtype is what the ops actually return (values and errors too)."""
    if a[0] == b[0] == "scalar" or (op in ("maximum", "where") and "scalar" == a[0]):
        return

    def go(lib):
        x, y = operand(lib, *a), operand(lib, *b)
        return {
            "add": lambda: x + y, "sub": lambda: x - y, "mul": lambda: x * y,
            "div": lambda: x / y, "eq": lambda: x == y, "pow": lambda: x ** y,
            "where": lambda: lib.where(lib.tensor([True, False, True]), x, y),
            "maximum": lambda: lib.maximum(x, y if isinstance(y, lib.Tensor) else lib.tensor(y)),
        }[op]()
    run_both(go, printed=True)


# ---- the default dtype --------------------------------------------------------------------------
@pytest.fixture
def default_dtype():
    """Set the default dtype in both libraries; restore float32 afterwards."""
    def set_both(name):
        torch.set_default_dtype(getattr(torch, name))
        engine.set_default_dtype(getattr(engine, name))
    yield set_both
    torch.set_default_dtype(torch.float32)
    engine.set_default_dtype(engine.float32)


DEFAULT_DTYPE_EXPRS = [
    lambda lib: lib.get_default_dtype(),
    lambda lib: lib.tensor([1, 2, 3]) / 2,
    lambda lib: lib.tensor([1, 2, 3]) / lib.tensor([2, 4, 8]),
    lambda lib: lib.tensor([1, 2, 3], dtype=lib.uint8) * 1.5,
    lambda lib: lib.tensor([True, False]) + 0.5,
    lambda lib: lib.tensor([1, 2]).exp(), lambda lib: lib.tensor([1, 2]).sigmoid(),
    lambda lib: lib.tensor([1, 2]).sqrt(), lambda lib: 2 / lib.tensor([1, 2]),
    lambda lib: lib.result_type(lib.tensor([1]), 2.5), lambda lib: lib.result_type(2, 2.5),
    lambda lib: lib.tensor([1, 2], dtype=lib.float16) + 2.5,
    lambda lib: lib.tensor([1, 2], dtype=lib.float32) * lib.tensor(2.5, dtype=lib.float64),
    lambda lib: lib.tensor([1, 2]).logsumexp(0), lambda lib: lib.tensor([1, 2]).atan2(
        lib.tensor([3, 4])),
    lambda lib: lib.where(lib.tensor([True, False]), 1, 2.5),
    lambda lib: lib.tensor([1, 2]).float_power(2), lambda lib: lib.tensor([3, 4]).clamp(0.5),
    lambda lib: lib.tensor([1, 2]).div(2, rounding_mode="floor"),
    lambda lib: lib.tensor([1, 2]).add_(0.5),
]


@pytest.mark.parametrize("name", ["float64", "float16", "float32"])
def test_default_dtype_decides_float_results(default_dtype, name):
    default_dtype(name)
    each((i, lambda e=e: run_both(e, printed=True)) for i, e in enumerate(DEFAULT_DTYPE_EXPRS))


def test_set_default_dtype_refuses_integers(default_dtype):
    for name in ("int64", "int32", "bool", "uint8"):
        run_both(lambda lib: lib.set_default_dtype(getattr(lib, name)))
    run_both(lambda lib: lib.get_default_dtype())


# ---- integer true division ----------------------------------------------------------------------
def test_integer_true_division_gives_the_default_float():
    ints = [d for d in DTYPES if d not in ("float16", "float32", "float64")]
    each((f"{a} / {b}", lambda a=a, b=b: run_both(
        lambda lib, x, y: (x / y, lib.true_divide(x, y), lib.div(x, y),
                           x.div(y, rounding_mode=None), x / 2, 7 / y, x.div_(y)),
        np.array([1, 2, 7]).astype(a), np.array([2, 4, 1]).astype(b), printed=True))
        for a in ints for b in ints)


# ---- dtype objects, finfo, iinfo -------------------------------------------------------------
@pytest.mark.parametrize("name", ALL)
def test_dtype_attributes(name):
    e, t = getattr(engine, name), getattr(torch, name)
    for attr in ("is_floating_point", "is_signed", "is_complex", "itemsize"):
        assert getattr(e, attr) == getattr(t, attr), attr
    assert repr(e) == repr(t) and str(e) == str(t)
    assert str(e.to_real()) == str(t.to_real())


def test_dtype_aliases():
    for alias in ("half", "float", "double", "short", "int", "long"):
        assert str(getattr(engine, alias)) == str(getattr(torch, alias))


@pytest.mark.parametrize("name", ALL)
def test_finfo_iinfo(name):
    def info(lib):
        d = getattr(lib, name)
        out = []
        for fn in (lib.finfo, lib.iinfo):
            try:
                i = fn(d)
                out.append((repr(i), i.bits, i.max, i.min, i.dtype) + (
                    (i.eps, i.tiny, i.smallest_normal, i.resolution) if fn is lib.finfo else ()))
            except TypeError as exc:
                out.append(str(exc))
        return out
    assert info(engine) == info(torch)


def test_finfo_of_default_and_bad_argument():
    assert repr(engine.finfo()) == repr(torch.finfo())
    run_both(lambda lib: lib.finfo(1))
    run_both(lambda lib: lib.iinfo(lib.float32))


# ---- Python numbers that do not fit the tensor's dtype ------------------------------------------
OUT_OF_RANGE = [
    lambda lib: lib.tensor([250, 3], dtype=lib.uint8) + 10,
    lambda lib: lib.tensor([1, 2], dtype=lib.uint8) + 300,
    lambda lib: lib.tensor([1, 2], dtype=lib.int8) * -200,
    lambda lib: lib.tensor([1, 2], dtype=lib.uint8) - 3,
    lambda lib: lib.tensor([255, 2], dtype=lib.uint8) == -1,
    lambda lib: lib.tensor([1, 2], dtype=lib.int32) + 2 ** 40,
    lambda lib: lib.tensor([1, 2]) + 2 ** 70,
    lambda lib: lib.tensor([1.0, 2.0], dtype=lib.float16) + 1e6,
    lambda lib: lib.tensor([1, 2], dtype=lib.int8).add_(1000),
    lambda lib: lib.tensor([0, 5], dtype=lib.uint8).clamp(-255, 3),
    lambda lib: lib.tensor([0, 5], dtype=lib.uint8).clamp(-256, 3),
    lambda lib: lib.tensor([0, 5], dtype=lib.uint8).clamp(0, 256),
    lambda lib: lib.tensor([0, 5], dtype=lib.int8).clamp(-129, 0),
    lambda lib: lib.tensor([0, 5], dtype=lib.int32).clamp(0, 2 ** 31),
    lambda lib: lib.tensor([0.0, 5.0], dtype=lib.float16).clamp(0, 1e5),
    lambda lib: lib.tensor([0.0, 5.0], dtype=lib.float16).clamp(0, float("inf")),
    lambda lib: lib.tensor([0.0, 5.0]).clamp(max=1e39),
    lambda lib: lib.tensor([0, 5], dtype=lib.uint8).clamp_min(300),
    lambda lib: lib.tensor([0, 5], dtype=lib.uint8).clamp_max_(-1),
]


@pytest.mark.parametrize("expr", OUT_OF_RANGE)
def test_numbers_out_of_the_dtype_range(expr):
    """Arithmetic wraps a number into the tensor's dtype; clamp's bounds must fit it."""
    run_both(expr, printed=True)
