"""linspace and logspace bit for bit against real torch 2.13: start and end taken as the output's
type, the symmetric halves, the fused multiply-add of linspace's vectorized kernel, and glibc's
pow for logspace."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from difftest import run_both

ENDS = st.one_of(st.integers(-1000, 1000), st.floats(-1e3, 1e3, allow_nan=False),
                 st.integers(-3000, 3000).map(lambda k: k / 1000))
STEPS = st.sampled_from([0, 1, 2, 3, 4, 5, 7, 9, 10, 11, 17, 33, 64, 100, 101, 1000])
LINSPACE_DTYPES = st.sampled_from(["float32", "float64", "float16", "int64", "int32", "uint8"])


def _bits(t):
    """The values as torch stores them: a last-bit difference is a difference."""
    return t.numpy().tobytes().hex() if t.numel() else "", str(t.dtype), tuple(t.shape)


@settings(max_examples=300, deadline=None)
@given(start=ENDS, end=ENDS, steps=STEPS, dtype=LINSPACE_DTYPES)
# float32's sum in float64 lands halfway between two float32s; the tiny end breaks the tie
@example(start=-1, end=1.1754943508222875e-38, steps=64, dtype="float32")
@example(start=1.1754943508222875e-38, end=0.001, steps=9, dtype="float32")
def test_linspace_bit_for_bit(start, end, steps, dtype):
    if dtype == "uint8":
        start, end = abs(start) % 256, abs(end) % 256
    run_both(lambda lib: _bits(lib.linspace(start, end, steps, dtype=getattr(lib, dtype))))


@settings(max_examples=300, deadline=None)
@given(start=st.floats(-6, 6), end=st.floats(-6, 6) | st.integers(-6, 6), steps=STEPS,
       base=st.sampled_from([10.0, 2.0, np.e, 3, 0.5, -2.0]),
       dtype=st.sampled_from(["float32", "float64", "int64"]))
def test_logspace_bit_for_bit(start, end, steps, base, dtype):
    run_both(lambda lib: _bits(lib.logspace(start, end, steps, base=base,
                                            dtype=getattr(lib, dtype))))


@pytest.mark.parametrize("call", [
    lambda lib: lib.linspace(0, 1, 10), lambda lib: lib.linspace(-5, 3, 7, dtype=lib.float64),
    lambda lib: lib.linspace(42, 2.91, 101, dtype=lib.int32),
    lambda lib: lib.logspace(3, -5, 7, base=np.e, dtype=lib.float64),
    lambda lib: lib.logspace(0, 401, 3, base=-10.0, dtype=lib.float64),
    lambda lib: lib.linspace(0, 1, -1),
], ids=["0..1 by 10", "float64", "int32 truncates end", "e**-1 unfused", "overflow", "negative"])
def test_spacing_cases_that_differed(call):
    run_both(lambda lib: _bits(call(lib)))
