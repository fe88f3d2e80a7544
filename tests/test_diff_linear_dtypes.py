"""F.linear with operands of different dtypes against real torch: PyTorch's addmm checks the
bias's dtype against the weight's before the input's, for every input rank."""
import itertools

import numpy as np

from difftest import each, run_both

FLOATS = ["float16", "float32", "float64"]


def test_linear_dtype_checks():
    cases = []
    for shape, (dx, dw, db) in itertools.product(
            [(3,), (2, 3), (2, 5, 3)], itertools.product(FLOATS, FLOATS, FLOATS + [None])):
        x, w = np.ones(shape, dx), np.ones((4, 3), dw)
        args = (x, w) if db is None else (x, w, np.ones(4, db))
        cases.append((f"{shape} {dx} {dw} {db}", lambda args=args: run_both(
            lambda lib, *t: lib.nn.functional.linear(*t), *args)))
    each(cases)
