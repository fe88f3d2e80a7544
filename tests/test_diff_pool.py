"""max_pool2d/3d against real torch: values bit for bit and the indices PyTorch returns, which
decide where backward sends each gradient. Windows are drawn with ties, NaNs and infinities,
with padding, dilation and ceil_mode, for float and integer inputs."""
import numpy as np
import pytest
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import engine

SPECIAL = [0.0, -0.0, 1.0, 1.0, 2.0, -1.0, np.inf, -np.inf, np.nan]


@st.composite
def pools(draw, nd: int):
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(nd))
    spatial = tuple(draw(st.integers(max(1, d * (k - 1) + 1 - 2 * p), 7))
                    for k, p, d in zip(kernel, padding, dilation))
    return kernel, stride, padding, dilation, spatial, draw(st.booleans())


def _run(lib, x: np.ndarray, nd: int, params, grad: np.ndarray | None):
    kernel, stride, padding, dilation, _, ceil_mode = params
    t = lib.from_numpy(x.copy())
    floating = x.dtype.kind == "f"
    if floating:
        t.requires_grad_()
    pool = lib.nn.functional.max_pool2d if nd == 2 else lib.nn.functional.max_pool3d
    out, index = pool(t, kernel, stride, padding, dilation, ceil_mode=ceil_mode,
                      return_indices=True)
    # A window made only of padding gets an index past the plane; PyTorch's backward then
    # aborts the process, so such cases are not drawn.
    assume(index.numpy().max(initial=0) < np.prod(x.shape[2:]))
    assert out.stride() == index.stride() == out.contiguous().stride()
    if not floating:
        return out.numpy(), index.numpy(), None
    out.backward(lib.from_numpy(grad if grad is not None else np.ones(out.shape, x.dtype)))
    return out.detach().numpy(), index.numpy(), t.grad.numpy()


@pytest.mark.parametrize("nd", [2, 3])
@settings(max_examples=60, deadline=None)
@given(data=st.data(), dtype=st.sampled_from(["float32", "float64", "int64"]))
def test_max_pool_matches_torch(nd, data, dtype):
    params = data.draw(pools(nd))
    shape = (data.draw(st.integers(1, 2)), data.draw(st.integers(1, 2))) + params[4]
    values = np.array(data.draw(st.lists(st.sampled_from(SPECIAL), min_size=int(np.prod(shape)),
                                         max_size=int(np.prod(shape))))).reshape(shape)
    if dtype == "int64":
        values = np.nan_to_num(values, nan=3, posinf=9, neginf=-9)
    x = values.astype(dtype)
    expected = _run(torch, x, nd, params, None)
    got = _run(engine, x, nd, params, None)
    assert got[0].tobytes() == expected[0].tobytes(), (x, got[0], expected[0])
    np.testing.assert_array_equal(got[1], expected[1])
    if expected[2] is not None:
        assert got[2].tobytes() == expected[2].tobytes()


def test_integer_padding_does_not_overflow():
    x = np.arange(16).reshape(1, 1, 4, 4)
    expected = _run(torch, x, 2, ((2, 2), (2, 2), (1, 1), (1, 1), (4, 4), False), None)
    got = _run(engine, x, 2, ((2, 2), (2, 2), (1, 1), (1, 1), (4, 4), False), None)
    np.testing.assert_array_equal(got[0], expected[0])
    np.testing.assert_array_equal(got[1], expected[1])
