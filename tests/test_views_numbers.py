"""Numbers printed one way, PyTorch's way, in every picture and table (issue 14: the steps table
printed 0.10000000149011612 beside tensors printed as 0.1000). Real torch 2.13 is the oracle:
the values a view shows read exactly as torch prints the same tensor."""
from __future__ import annotations

import re

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from explorer.model import Values
from explorer.sandbox.execute import execute
from explorer.views.numbers import torch_number, torch_numbers, torch_values
from explorer.views.steps import backward_steps, steps_table


def printed_by_torch(tensor: torch.Tensor) -> str:
    """torch's repr of `tensor` without `tensor(` `)` and without its layout's spaces."""
    text = repr(tensor)
    assert text.startswith("tensor(") and "dtype" not in text and "..." not in text
    return re.sub(r"\s+", "", text[len("tensor("):-1])


def values_of(array: np.ndarray) -> Values:
    """Values as the recorder keeps a complete tensor: nested Python numbers in its shape."""
    data = array.tolist()
    nested = (lambda d: tuple(map(nested, d)) if isinstance(d, list) else d)   # noqa: E731
    return Values(shape=array.shape, data=nested(data), complete=True)


def f32(value: float) -> float:
    return np.float32(value).item()


FLOATS = st.one_of(       # every notation torch picks: fixed, whole numbers, scientific
    st.floats(-10, 10, width=32), st.floats(-2.0**-20, 2.0**-20, width=32),
    st.floats(-2.0**33, 2.0**33, width=32), st.integers(-50, 50).map(float),
    st.sampled_from([0.0, -0.0, f32(0.1), f32(1e-5), float("nan"), float("inf"),
                     -float("inf")]))


@settings(max_examples=300, deadline=None)
@given(hnp.arrays(np.float32, hnp.array_shapes(min_dims=0, max_dims=3, max_side=4),
                  elements=FLOATS))
def test_float32_tensors_read_as_torch_prints_them(array):
    assert re.sub(r"\s+", "", torch_values(values_of(array))) == \
        printed_by_torch(torch.from_numpy(array))


@pytest.mark.parametrize("array", [np.array([3, -4, 0]), np.array([[True, False]]),
                                   np.array(7), np.zeros((2, 0), np.float32)])
def test_integer_bool_and_empty_tensors_read_as_torch_prints_them(array):
    assert re.sub(r"\s+", "", torch_values(values_of(array))) == \
        printed_by_torch(torch.from_numpy(array))


def test_one_number_reads_as_a_tensor_of_it():
    assert [torch_number(v) for v in (2.8284271, 3.0, 1e-5, 7)] == \
        [printed_by_torch(torch.tensor(v)) for v in (2.8284271, 3.0, 1e-5, 7)]
    assert torch_numbers([0.10000000149011612]) == ["0.1000"]


def test_the_broadcast_view_prints_with_the_same_function():
    from explorer.views import broadcast, memory
    assert broadcast.torch_numbers is torch_numbers and memory.torch_numbers is torch_numbers


SCALED = """import torch
x = torch.tensor([0.1, 0.2, 0.3], requires_grad=True)
w = torch.tensor([[0.5, -1.0, 2.0], [1e-5, 3.0, 0.25]], requires_grad=True)
y = (w * x * 0.1).sum()
y.backward()
"""


def test_the_steps_table_prints_gradients_as_torch_does():
    rows = steps_table(backward_steps(execute(SCALED)))
    cells = " ".join(str(v) for row in rows for v in row.values())
    assert "0.10000000149011612" not in cells and "0.019999999552965164" not in cells
    x = torch.tensor([0.1, 0.2, 0.3], requires_grad=True)
    w = torch.tensor([[0.5, -1.0, 2.0], [1e-5, 3.0, 0.25]], requires_grad=True)
    (w * x * 0.1).sum().backward()
    leaf_rows = {row["node"]: row["grad in"] for row in rows if "AccumulateGrad" in row["node"]}
    for name, grad in (("x", x.grad), ("w", w.grad)):
        assert re.sub(r"\s+", "", leaf_rows[f"AccumulateGrad → {name}.grad"]) == \
            printed_by_torch(grad)


def test_a_large_gradient_shows_its_shape_and_norm_as_torch_prints_a_number():
    run = execute("import torch\nx = torch.ones(40, 30, requires_grad=True)\n"
                  "(x * 0.5).sum().backward()\n")
    rows = steps_table(backward_steps(run))
    norm = torch.linalg.vector_norm(torch.full((40, 30), 0.5))
    assert f"(40, 30), ‖·‖={printed_by_torch(norm)}" in rows[-1]["grad in"]


def test_graph_labels_print_values_grads_and_norms_as_torch_does():
    """Graph labels printed `:.4g` (0.1, 1e-05, ‖·‖ = 3.549) beside tables printing 0.1000."""
    from explorer.views.graph import graph_picture
    code = SCALED + "big = torch.full((40, 30), 0.5, requires_grad=True)\ntotal = big.sum()\n"
    dot = graph_picture(execute(code), show_values=True).dot
    x = torch.tensor([0.1, 0.2, 0.3], requires_grad=True)
    w = torch.tensor([[0.5, -1.0, 2.0], [1e-5, 3.0, 0.25]], requires_grad=True)
    (w * x * 0.1).sum().backward()
    shown = [re.sub(r"\s+", "", part) for part in re.findall(r"POINT-SIZE='10'[^>]*>([^<]*)<", dot)]
    for tensor in (x.detach(), w.detach(), x.grad, w.grad):
        assert any(printed_by_torch(tensor) in part for part in shown), printed_by_torch(tensor)
    norm = torch.linalg.vector_norm(torch.full((40, 30), 0.5))
    assert f"‖·‖={printed_by_torch(norm)}" in shown


def test_a_large_tensors_summary_prints_min_max_mean_as_torch_does():
    from explorer.views.numbers import tensor_text
    values = Values(shape=(2000,), data=tuple(range(8)), complete=False, min=0.1, max=1e-5,
                    mean=2.0)
    summary = tensor_text(values)
    assert "min=0.1000" in summary and "max=1.0000e-05" in summary and "mean=2." in summary
