"""Differential tests: engine.printing.format_tensor must reproduce repr() of real torch tensors."""
from __future__ import annotations

import contextlib
import math

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from engine import dtypes, printing

DTYPE_NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32",
               "float64"]
FLOAT_NAMES = ["float16", "float32", "float64"]
NAN, INF = math.nan, math.inf


@pytest.fixture(autouse=True)
def _clean_state():
    """Every test starts and ends with default print options and default dtype in both libraries."""
    _reset()
    yield
    _reset()


def _reset() -> None:
    torch.set_printoptions(profile="default")
    printing.set_printoptions(profile="default")
    torch.set_default_dtype(torch.float32)
    dtypes.set_default_dtype(dtypes.float32)


@contextlib.contextmanager
def both_options(**kwargs):
    """Apply the same print options to torch and the engine, restoring defaults afterwards."""
    torch.set_printoptions(**kwargs)
    printing.set_printoptions(**kwargs)
    try:
        yield
    finally:
        _reset()


def engine_repr(t: torch.Tensor) -> str:
    grad_fn = None if t.grad_fn is None else type(t.grad_fn).__name__
    dtype = getattr(dtypes, str(t.dtype).removeprefix("torch."))
    return printing.format_tensor(t.detach().numpy(), dtype, requires_grad=t.requires_grad,
                                  grad_fn_name=grad_fn)


def check(t: torch.Tensor) -> None:
    assert engine_repr(t) == repr(t)


def sample(dtype_name: str, shape: tuple[int, ...], seed: int = 0) -> torch.Tensor:
    """Deterministic values that exercise signs and widths typical for the dtype."""
    rng = np.random.default_rng(seed)
    if dtype_name == "bool":
        data = rng.random(shape) < 0.5
    elif dtype_name in FLOAT_NAMES:
        data = rng.standard_normal(shape) * 3
    else:
        info = np.iinfo(dtype_name)
        data = rng.integers(max(info.min, -300), min(info.max, 300), size=shape, endpoint=True)
    return torch.from_numpy(np.asarray(data).astype(dtype_name))


# ---------------------------------------------------------------- every dtype, every rank

@pytest.mark.parametrize("name", DTYPE_NAMES)
@pytest.mark.parametrize("shape", [(), (1,), (5,), (2, 3), (2, 3, 4), (2, 1, 3, 2)])
def test_dtype_and_rank(name, shape):
    check(sample(name, shape))


@pytest.mark.parametrize("name", DTYPE_NAMES)
@pytest.mark.parametrize("shape", [(0,), (0, 3), (3, 0), (2, 0, 4), (1, 1, 0, 2)])
def test_empty(name, shape):
    check(torch.from_numpy(np.zeros(shape, dtype=name)))


@pytest.mark.parametrize("name", DTYPE_NAMES)
def test_integer_extremes(name):
    if name in FLOAT_NAMES:
        info = np.finfo(name)
        values = [info.min, -1.0, info.tiny, info.max]
    elif name == "bool":
        values = [True, False, True]
    else:
        info = np.iinfo(name)
        values = [info.min, 0, info.max]
    check(torch.from_numpy(np.array(values, dtype=name)))


# ---------------------------------------------------------------- summarization

@pytest.mark.parametrize("name", DTYPE_NAMES)
@pytest.mark.parametrize("shape", [(2000,), (1001,), (40, 50), (3, 1000), (11, 12, 13),
                                   (7, 8, 9, 10)])
def test_summarized(name, shape):
    check(sample(name, shape, seed=1))


def test_summarized_formatter_sees_only_printed_edges():
    # A huge middle value would force scientific notation if it were inspected.
    t = torch.ones(2001)
    t[1000] = 1e30
    check(t)
    assert "1.0000e+30" not in engine_repr(t)


def test_huge_view_is_summarized_without_touching_every_element():
    # 7e9 elements that share memory: formatting them all would never finish.
    check(torch.randn(1, 7, generator=torch.Generator().manual_seed(0)).expand(10**9, 7))


# ---------------------------------------------------------------- line wrapping

@pytest.mark.parametrize("t", [
    torch.arange(100),
    torch.arange(30, dtype=torch.int32).reshape(1, 30),
    torch.linspace(-5, 5, 40),
    torch.linspace(-5, 5, 24).reshape(2, 12).double(),
    torch.arange(60.).reshape(3, 20) * 1.5,
    torch.arange(1000.).reshape(2, 5, 100),
    torch.zeros(100),
    torch.tensor([NAN, -0.0, INF] * 15),
], ids=lambda t: "x".join(map(str, t.shape)))
def test_wide_rows_wrap(t):
    """Also rows whose width comes from the default, as no element is nonzero and finite."""
    check(t)
    check(t.clone().requires_grad_() if t.is_floating_point() else t)


@pytest.mark.parametrize("n", range(10, 16))
def test_suffix_moves_to_new_line_when_line_is_full(n):
    # Rows of n values end near column 80, so the suffix fits on the line or wraps below.
    check(torch.arange(float(n)).mul(1.25).double().requires_grad_())
    check(torch.arange(n, dtype=torch.int16) * 1000)


# ---------------------------------------------------------------- float notation

@pytest.mark.parametrize("values", [
    [1e-5, 1.0], [1e-4, 1.0], [0.5, 1e8], [1.0, 1e8 + 8], [1.0, 1000.0], [1.0, 1000.5],
    [1.0, 1001.0], [123456789.0], [1e-30, -2.5], [0.1, 0.2, 0.3],
], ids=str)
@pytest.mark.parametrize("name", FLOAT_NAMES)
def test_scientific_switch(values, name):
    check(torch.tensor(values, dtype=getattr(torch, name)))


@pytest.mark.parametrize("values", [
    [1e-300, 1.0], [1e300, -1e-300], [5e-324, 2.0], [1e100, 1e99], [-1e-100],
], ids=str)
def test_three_digit_exponents(values):
    check(torch.tensor(values, dtype=torch.float64))


@pytest.mark.parametrize("values", [
    [6e-8, 1.0], [65504.0, -65504.0], [0.1, 0.2], [1e-4, 0.5, 2048.0], [3.14159],
], ids=str)
def test_float16_values(values):
    check(torch.tensor(values, dtype=torch.float16))


@pytest.mark.parametrize("values", [
    [NAN], [INF], [-INF], [NAN, INF, -INF], [0.0], [-0.0], [0.0, -0.0], [-0.0, 1.0],
    [NAN, 1.0], [NAN, 1.5], [INF, -2.25], [-INF, 1e-6], [NAN, 0.0, 1e10],
    [[NAN, 2.0], [-0.0, -INF]],
], ids=str)
@pytest.mark.parametrize("name", FLOAT_NAMES)
def test_special_values(values, name):
    check(torch.tensor(values, dtype=getattr(torch, name)))


@pytest.mark.parametrize("value", [NAN, -INF, -0.0, 0.0, 7.0, -2.5, 1e-7, 3e12])
def test_zero_dim_floats(value):
    check(torch.tensor(value))
    check(torch.tensor(value, dtype=torch.float64, requires_grad=True))


@pytest.mark.parametrize("values", [
    [1.0, 2.0, 3.0], [-1.0, 100.0], [0.0, 0.0], [12345678.0], [-5.0, 0.0, 5.0],
    [[1.0, -20.0], [300.0, 4.0]],
], ids=str)
def test_integer_valued_floats(values):
    check(torch.tensor(values))
    check(torch.tensor(values, dtype=torch.float16))


def test_negative_numbers():
    check(torch.tensor([-1, -22, 333]))
    check(torch.tensor([[-1.5, 2.25], [3.125, -4.0625]]))
    check(torch.tensor([-7], dtype=torch.int8))


@pytest.mark.parametrize("values", [True, False, [True], [False, False], [[True, False]] * 3])
def test_bool(values):
    check(torch.tensor(values))


# ---------------------------------------------------------------- autograd suffixes

def test_autograd_suffixes():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    check(x)
    check(x + 1)
    check((x * x).sum())
    check(x[0])
    check(x.double().exp())
    check(torch.randn(3, 30, requires_grad=True).tanh())
    check(torch.zeros(0, 3, requires_grad=True))


@pytest.mark.parametrize("requires_grad, grad_fn, suffix", [
    (True, None, ", requires_grad=True)"),
    (True, "AddBackward0", ", grad_fn=<AddBackward0>)"),
    (False, "MulBackward0", ", grad_fn=<MulBackward0>)"),
])
def test_grad_fn_takes_precedence(requires_grad, grad_fn, suffix):
    text = printing.format_tensor(np.float32(3.0), dtypes.float32, requires_grad=requires_grad,
                                  grad_fn_name=grad_fn)
    assert text == "tensor(3." + suffix


# ---------------------------------------------------------------- print options

@pytest.mark.parametrize("options", [
    {"precision": 0}, {"precision": 1}, {"precision": 2}, {"precision": 8}, {"precision": 12},
    {"threshold": 0}, {"threshold": 5}, {"threshold": 25}, {"threshold": INF},
    {"edgeitems": 0}, {"edgeitems": 1}, {"edgeitems": 2}, {"edgeitems": 5},
    {"threshold": 10, "edgeitems": 0}, {"threshold": 0, "edgeitems": 0},
    {"threshold": 3, "edgeitems": 1},
    {"linewidth": 1}, {"linewidth": 10}, {"linewidth": 40}, {"linewidth": 120},
    {"linewidth": 200}, {"sci_mode": True}, {"sci_mode": False},
    {"sci_mode": True, "precision": 2}, {"profile": "short"}, {"profile": "full"},
    {"profile": "default"}, {"profile": "short", "precision": 6},
    {"profile": "full", "linewidth": 50, "sci_mode": False},
], ids=str)
@pytest.mark.parametrize("t", [
    torch.tensor(2.5), torch.tensor(0.0), torch.tensor(-3), torch.tensor([1e-6, 2.0]),
    torch.tensor([0.0, 1.0, 2.0]), torch.tensor([NAN, -0.0, 12.5]),
    torch.linspace(-1, 1, 36).reshape(6, 6), torch.arange(50, dtype=torch.int16),
    torch.arange(1200.).reshape(3, 4, 100), torch.tensor([[True, False]] * 4),
    torch.ones(6, 7, dtype=torch.float64, requires_grad=True), torch.zeros(0, 2),
], ids=lambda t: f"{str(t.dtype)[6:]}{list(t.shape)}")
def test_print_options(options, t):
    with both_options(**options):
        check(t)


def test_summarized_large_tensor_under_short_profile():
    with both_options(profile="short"):
        check(sample("float32", (40, 50)))
        check(sample("int64", (5, 6, 7, 8)))


@pytest.mark.parametrize("calls", [
    [{}],
    [{"profile": "short"}],
    [{"profile": "full"}],
    [{"precision": 2, "sci_mode": True}, {"linewidth": 50}],
    [{"profile": "full", "precision": 7}, {"profile": "nonsense", "edgeitems": 1}],
    [{"threshold": 3.5}, {"profile": "short", "sci_mode": False}],
], ids=str)
def test_get_printoptions_tracks_torch(calls):
    for kwargs in calls:
        torch.set_printoptions(**kwargs)
        printing.set_printoptions(**kwargs)
        assert printing.get_printoptions() == torch._tensor_str.get_printoptions()


def test_default_printoptions():
    assert printing.get_printoptions() == {"precision": 4, "threshold": 1000, "edgeitems": 3,
                                           "linewidth": 80, "sci_mode": None}


def test_printoptions_context_manager_restores():
    printing.set_printoptions(precision=6, sci_mode=True)
    before = printing.get_printoptions()
    with printing.printoptions(precision=1, linewidth=20):
        assert printing.get_printoptions()["precision"] == 1
        assert printing.get_printoptions()["sci_mode"] is None
        text = printing.format_tensor(np.array([1.25, 2.5], dtype=np.float32), dtypes.float32)
        with torch._tensor_str.printoptions(precision=1, linewidth=20):
            assert text == repr(torch.tensor([1.25, 2.5]))
    assert printing.get_printoptions() == before


def test_printoptions_context_manager_restores_on_error():
    with pytest.raises(KeyError):
        with printing.printoptions(threshold=1):
            raise KeyError
    assert printing.get_printoptions()["threshold"] == 1000


# ---------------------------------------------------------------- default dtype

@pytest.mark.parametrize("t", [
    torch.tensor([1.5, 2.0], dtype=torch.float32), torch.tensor([1.5, 2.0], dtype=torch.float64),
    torch.tensor(1.0, dtype=torch.float16), torch.tensor([1, 2]), torch.tensor([True]),
    torch.tensor([1, 2], dtype=torch.uint8), torch.zeros(0, dtype=torch.float64),
    torch.zeros(0, dtype=torch.float32), torch.zeros(2, 0, dtype=torch.int64),
    torch.zeros(0, dtype=torch.bool), torch.ones(3, dtype=torch.float32, requires_grad=True),
], ids=lambda t: f"{str(t.dtype)[6:]}{list(t.shape)}")
@pytest.mark.parametrize("default", ["float32", "float64", "float16"])
def test_default_dtype_controls_dtype_suffix(t, default):
    torch.set_default_dtype(getattr(torch, default))
    dtypes.set_default_dtype(getattr(dtypes, default))
    check(t)


# ---------------------------------------------------------------- property-based

def _elements(name: str) -> st.SearchStrategy:
    if name == "bool":
        return st.booleans()
    if name in FLOAT_NAMES:
        width = np.dtype(name).itemsize * 8
        return st.one_of(
            st.floats(width=width),
            st.integers(-1000, 1000).map(float),
            st.sampled_from([v for v in [0.0, -0.0, 1e-5, 1e-4, 0.5, 1e3, 1e4, 1e8, -1e9]
                             if abs(v) <= float(np.finfo(name).max)]),
            st.floats(-10, 10, width=width),
        )
    info = np.iinfo(name)
    return st.integers(int(info.min), int(info.max))


@st.composite
def tensors(draw, max_side: int = 6) -> torch.Tensor:
    name = draw(st.sampled_from(DTYPE_NAMES))
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=max_side))
    data = draw(hnp.arrays(np.dtype(name), shape, elements=_elements(name)))
    t = torch.from_numpy(data)
    if name in FLOAT_NAMES and draw(st.booleans()):
        t.requires_grad_()
    return t


print_options = st.fixed_dictionaries({}, optional={
    "precision": st.integers(0, 10),
    "threshold": st.integers(0, 60),
    "edgeitems": st.integers(0, 4),
    "linewidth": st.integers(1, 150),
    "sci_mode": st.sampled_from([True, False]),
    "profile": st.sampled_from(["default", "short", "full"]),
})

_HYPOTHESIS = settings(max_examples=250, deadline=None,
                       suppress_health_check=[HealthCheck.function_scoped_fixture])


@_HYPOTHESIS
@given(tensors())
def test_hypothesis_default_options(t):
    check(t)


@_HYPOTHESIS
@given(tensors(max_side=4), print_options)
def test_hypothesis_with_print_options(t, options):
    with both_options(**options):
        check(t)


def test_calling_a_shape_fails_with_torchs_message():
    """`x.shape()` is one of the notes' classic slips; the engine said 'Size' where torch's
    C type calls itself 'torch.Size'."""
    from difftest import run_both
    run_both(lambda lib: lib.ones(2, 3).shape())
