"""The view kernels never build a NumPy view that reaches outside the memory it was cut from:
NumPy's as_strided checks nothing, and a view past its buffer reads and writes anything."""
import numpy as np
import pytest

from engine.ops.views import _restride


def test_a_view_reaching_past_its_storage_is_refused():
    storage = np.arange(12.0)
    strided = storage[::2]                       # not contiguous: the as_strided path
    assert _restride(strided, (3,), (4,)).tolist() == [0.0, 4.0, 8.0]     # inside: fine
    with pytest.raises(RuntimeError, match="reach outside"):
        _restride(strided, (2,), (1000,))
    with pytest.raises(RuntimeError, match="reach outside"):
        _restride(strided[1:], (2,), (-1000,))
    assert _restride(strided, (1, 1), (1, 10**9)).shape == (1, 1)   # size-1: stride unused


def test_a_view_of_an_empty_array_cannot_reach_anything():
    """NumPy's ndarray(buffer=...) checks no strides when the buffer is empty: the kernels'
    fast path is only for non-empty arrays (the second outside attack's gadget)."""
    empty = np.zeros(0)
    with pytest.raises(RuntimeError, match="reach outside"):
        _restride(empty, (3998,), (1,))
    assert _restride(empty, (0, 3), (3, 1)).shape == (0, 3)
