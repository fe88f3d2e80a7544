"""relu against real torch bit for bit: PyTorch's clamp_min(x, 0) keeps -0.0 and each NaN
(sign and payload) as they are, which a maximum with 0 need not; the engine computes relu on
the bits, so this pins those cases for every float dtype, layout and the in-place form."""
import numpy as np
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import engine

SPECIAL = [0.0, -0.0, np.inf, -np.inf, np.nan, -np.nan, 1.0, -1.0, 1e-40, -1e-40]


def _bits(a: np.ndarray) -> bytes:
    return np.ascontiguousarray(a).tobytes()


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["float16", "float32", "float64"]),
       hnp.array_shapes(min_dims=0, max_dims=3, max_side=6),
       st.data(), st.booleans(), st.booleans())
def test_relu_bits(dtype, shape, data, transposed, inplace):
    values = data.draw(hnp.arrays(np.float64, shape, elements=st.sampled_from(SPECIAL)
                                  | st.floats(-3, 3)))
    x = values.astype(dtype)
    if transposed:
        x = x.T
    results = []
    for lib in (torch, engine):
        t = lib.from_numpy(x.copy() if not inplace else np.array(x))
        t = t.relu_() if inplace else lib.relu(t)
        results.append(t.numpy())
    expected, got = results
    assert got.dtype == expected.dtype and got.shape == expected.shape
    assert got.strides == expected.strides
    assert _bits(got) == _bits(expected), f"{x!r}: engine {got!r}, torch {expected!r}"


def test_relu_payload_nans():
    x = np.array([0x7FC00001, 0xFFC12345, 0x7F800001, 0x80000000], np.uint32).view(np.float32)
    assert _bits(engine.relu(engine.from_numpy(x)).numpy()) == \
        _bits(torch.relu(torch.from_numpy(x)).numpy())


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["float16", "float32", "float64"]),
       hnp.array_shapes(min_dims=0, max_dims=3, max_side=5), st.data(),
       st.sampled_from(["relu", "threshold"]))
def test_relu_and_threshold_gradients_bits(dtype, shape, data, fn):
    """threshold_backward: grad where self > threshold, else +0, so a NaN input lets its
    gradient through and an inf gradient is cut to 0, not multiplied into NaN."""
    special = st.sampled_from(SPECIAL) | st.floats(-3, 3)
    x = data.draw(hnp.arrays(np.float64, shape, elements=special)).astype(dtype)
    g = data.draw(hnp.arrays(np.float64, shape, elements=special)).astype(dtype)
    results = []
    for lib in (torch, engine):
        t = lib.from_numpy(x.copy()).requires_grad_()
        y = lib.relu(t) if fn == "relu" else lib.nn.functional.threshold(t, 0.5, -2.0)
        y.backward(lib.from_numpy(g.copy()))
        results.append(t.grad.numpy())
    expected, got = results
    assert _bits(got) == _bits(expected), f"x={x!r} g={g!r}: engine {got!r}, torch {expected!r}"
