"""F.linear against real torch: PyTorch's addmm checks the bias's dtype against the weight's
before the input's, for every input rank (the engine once differed), and its backward reads the
saved matrices only for a gradient that needs them (easy to lose when speeding it up)."""
import itertools

import numpy as np
import torch

import engine
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


def test_linear_second_backward_of_a_bias_alone():
    """Only the bias needs a grad: AddmmBackward0 unpacks neither matrix, so a second backward
    without retain_graph runs (PyTorch raises only when a freed saved tensor is read)."""
    def twice(lib, x, w, b):
        out = lib.nn.functional.linear(x, w, b).sum()
        out.backward()
        out.backward()
        return b.grad
    x, w = np.ones((2, 3), np.float32), np.ones((4, 3), np.float32)
    b = np.zeros(4, np.float32)
    results = [twice(lib, lib.from_numpy(x), lib.from_numpy(w),
                     lib.from_numpy(b).requires_grad_()) for lib in (torch, engine)]
    np.testing.assert_array_equal(results[1].numpy(), results[0].numpy())
