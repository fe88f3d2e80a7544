"""Backward step by step: the steps run in PyTorch's order, the contributions into a node add
up to what it received, and what AccumulateGrad receives is the final .grad, as torch has it."""
import numpy as np
import torch

from explorer.sandbox.execute import execute
from explorer.views.steps import as_array, backward_steps, summed_back

SOURCE = """import torch
x = torch.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
b = torch.tensor([[0.5], [-1.0]], requires_grad=True)
h = x * b
y = (h.exp() + h * x).sum()
y.backward()
"""


def torch_order() -> list:
    x = torch.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    b = torch.tensor([[0.5], [-1.0]], requires_grad=True)
    h = x * b
    y = (h.exp() + h * x).sum()
    order, seen, stack = [], set(), [y.grad_fn]
    while stack:
        fn = stack.pop()
        if fn is None or fn in seen:
            continue
        seen.add(fn)
        fn.register_prehook(lambda g, fn=fn: order.append(type(fn).__name__))
        stack.extend(f for f, _ in fn.next_functions)
    y.backward()
    return order, x.grad.numpy(), b.grad.numpy()


def test_steps_follow_torchs_order_and_add_up_to_the_final_grads():
    expected_order, x_grad, b_grad = torch_order()
    run = execute(SOURCE)
    steps = backward_steps(run)
    assert [s.name for s in steps] == expected_order
    for step in steps:
        if step.contributions:   # what arrived is the sum of every edge into the node
            total = sum(as_array(c.grad) for c in step.contributions)
            np.testing.assert_allclose(as_array(step.grad_in[0]), total, rtol=1e-6)
    final = {s.leaf: as_array(s.grad_in[0]) for s in steps if s.leaf}
    np.testing.assert_allclose(final["x"], x_grad, rtol=1e-6)
    np.testing.assert_allclose(final["b"], b_grad, rtol=1e-6)


def test_a_tensor_used_twice_shows_both_contributions_and_broadcast_sums():
    run = execute(SOURCE)
    steps = backward_steps(run)
    accumulate_x = next(s for s in steps if s.leaf == "x")
    assert len(accumulate_x.contributions) == 2          # x feeds two multiplications
    first_mul = next(s for s in steps if s.name == "MulBackward0")
    assert dict(first_mul.formulas)["self"] == "grad * other"
    reductions = [summed_back(e) for s in steps for e in s.edges if summed_back(e)]
    assert "(2, 3) → (1, 3)" in reductions and "(2, 3) → (2, 1)" in reductions


def test_the_table_names_each_step_and_shows_accumulation():
    from explorer.views.steps import steps_table
    rows = steps_table(backward_steps(execute(SOURCE)))
    assert [r["step"] for r in rows] == list(range(len(rows)))
    x_row = next(r for r in rows if r["node"] == "AccumulateGrad → x.grad")
    assert " + " in x_row["grad in"]    # two contributions added
    assert any("summed (2, 3) → (2, 1)" in r["sent"] for r in rows)
