"""Elementwise ops, one module per concern; importing the package declares them all in the op
registry and publishes torch.X / Tensor.X.

Every op does what PyTorch's TensorIterator does (`iteration`): the operands promote to a common
dtype (`dtypes.result_type`), broadcast with PyTorch's error message, and a new result takes the
memory layout of the inputs. Each op is declared the one way the registry knows: `@defop(...)`
on its NumPy forward, stating what it saves and which saved values each gradient reads, then
`@OP.derivative` on its backward, right below.

- `calls`: operands, `out=`, in-place checks, publishing   - `selection`: where, maximum, clamp
- `arithmetic`: add, sub, mul, div, remainder, addcmul, lerp - `powers`: pow, square
- `unary_math`: exp, log, trigonometry, erf, logit           - `rounding`: abs, sign, round, neg
- `activations`: relu, sigmoid                              - `binary_math`: atan2, hypot, xlogy
- `comparisons`: eq, logical and bitwise ops, isclose        - `operators`: a + b, a < b, ~a
"""
from __future__ import annotations

from ... import dtypes
from ..registry import expose
from . import (activations, arithmetic, binary_math, comparisons, operators, powers,  # noqa: F401
               rounding, selection, unary_math)
from .activations import RELU, SIGMOID, THRESHOLD_BACKWARD
from .arithmetic import DIV_SCALAR, MUL_SCALAR
from .selection import where
from .unary_math import TANH

expose(dtypes.finfo, "finfo", method=False)  # dtype limits live in dtypes.py; torch.X is here
expose(dtypes.iinfo, "iinfo", method=False)

__all__ = ["DIV_SCALAR", "MUL_SCALAR", "RELU", "SIGMOID", "TANH", "THRESHOLD_BACKWARD", "where"]
