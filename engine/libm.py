"""math-module functions over NumPy arrays, element by element.

Each element goes through C's libm (glibc), as PyTorch's scalar kernels compute it: NumPy has no
erf, and its own SIMD float64 log/sin/cos (chosen on AVX-512 machines) may differ from glibc in
the last bit, so they cannot stand in where results must agree bit for bit."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np


def elementwise(fn: Callable[[float], float], x: np.ndarray) -> np.ndarray:
    """fn (math.log, math.erf, ...) of each element of x, as float64 in x's shape."""
    x = np.asarray(x)
    return np.fromiter(map(fn, x.ravel().tolist()), np.float64, x.size).reshape(x.shape)
