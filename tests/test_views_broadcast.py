"""The broadcasting picture: shapes right-aligned and stretched dims as torch broadcasts them,
expansions that repeat cells, and gradients summed back to each operand's shape, with the
numbers, equal to torch's gradients."""
import numpy as np
import torch

from explorer.sandbox.execute import execute
from explorer.views.broadcast import broadcast_steps, expansion_figure, gradient_sums

SOURCE = """import torch
a = torch.tensor([[1.0], [2.0]], requires_grad=True)
b = torch.tensor([10.0, 20.0, 30.0], requires_grad=True)
c = a * b
y = (c * c).sum()
y.backward()
"""


def test_shapes_align_right_and_stretch_where_torch_stretches():
    run = execute(SOURCE)
    [step] = broadcast_steps(run)   # only a * b broadcasts; c * c does not
    assert step.label == "MulBackward0"
    assert step.result_shape == tuple(torch.broadcast_shapes((2, 1), (3,)))
    a, b = step.operands
    assert (a.name, a.padded, a.stretched) == ("a", (2, 1), (1,))
    assert (b.name, b.padded, b.stretched) == ("b", (1, 3), (0,))


def test_expanded_operands_repeat_their_cells():
    run = execute(SOURCE)
    [step] = broadcast_steps(run)
    figure = expansion_figure(run, step)
    heatmaps = [trace.z for trace in figure.data]
    np.testing.assert_array_equal(np.asarray(heatmaps[1]), [[1, 1, 1], [2, 2, 2]])
    np.testing.assert_array_equal(np.asarray(heatmaps[3]), [[10, 20, 30], [10, 20, 30]])


def test_gradients_are_summed_back_over_the_stretched_dims_like_torch():
    a = torch.tensor([[1.0], [2.0]], requires_grad=True)
    b = torch.tensor([10.0, 20.0, 30.0], requires_grad=True)
    c = a * b
    (c * c).sum().backward()
    rows = gradient_sums(execute(SOURCE))
    by_operand = {r["operand"]: r for r in rows}
    assert by_operand["a"]["from"] == (2, 3) and by_operand["a"]["to"] == (2, 1)
    np.testing.assert_allclose(by_operand["a"]["after"], a.grad.numpy())
    np.testing.assert_allclose(by_operand["b"]["after"], b.grad.numpy())
    np.testing.assert_allclose(by_operand["a"]["before"].sum(axis=1, keepdims=True),
                               by_operand["a"]["after"])
