"""A first differential pass: the headline behaviours, against real torch."""
import numpy as np
import pytest

from difftest import run_both

A = np.arange(6, dtype=np.float32).reshape(2, 3) - 2.5
B = np.linspace(-1, 1, 3).astype(np.float32)


@pytest.mark.parametrize("expr", [
    lambda lib, a, b: a * b + a,
    lambda lib, a, b: (a * b + a).sum(),
    lambda lib, a, b: a / b,
    lambda lib, a, b: a - 1,
    lambda lib, a, b: 1 - a,
    lambda lib, a, b: 2 / a,
    lambda lib, a, b: a ** 2,
    lambda lib, a, b: a.exp().log(),
    lambda lib, a, b: a.sigmoid() * a.tanh(),
    lambda lib, a, b: a.relu().mean(),
    lambda lib, a, b: a.t() @ a,
    lambda lib, a, b: a.view(3, 2),
    lambda lib, a, b: a.t().reshape(6),
    lambda lib, a, b: a.t().view(6),
    lambda lib, a, b: a[0],
    lambda lib, a, b: a[:, 1:],
    lambda lib, a, b: a[..., None],
    lambda lib, a, b: a.unsqueeze(0).expand(4, 2, 3),
    lambda lib, a, b: a.max(dim=1),
    lambda lib, a, b: a.softmax(dim=1),
    lambda lib, a, b: lib.cat([a, a], 1),
    lambda lib, a, b: lib.stack([a, a]),
    lambda lib, a, b: a.chunk(2, 1),
    lambda lib, a, b: a + lib.ones(2, 2),
])
def test_expression_matches_torch(expr):
    run_both(expr, A, B, backward=True, printed=True)
