"""Backward step by step: the steps run in PyTorch's order, the contributions into a node add
up to what it received, and what AccumulateGrad receives is the final .grad, as torch has it.
The nodes shown freed are those whose saved tensors torch freed, and zero_grad clears the
leaves torch gave a .grad."""
from collections import Counter

import numpy as np
import pytest
import torch

from explorer.sandbox.execute import execute
from explorer.views.steps import (
    as_array,
    backward_steps,
    freed_nodes,
    summed_back,
    zero_grad_clears,
)

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
    assert [r["step"] for r in rows] == list(range(1, len(rows) + 1))
    x_row = next(r for r in rows if r["node"] == "AccumulateGrad → x.grad")
    assert " + " in x_row["grad in"]    # two contributions added
    assert any("summed (2, 3) → (2, 1)" in r["sent"] for r in rows)


FREED = """import torch
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
w = torch.tensor([0.5, -1.0, 2.0])
y = (torch.sin(x * w) * x + w.exp()).sum()
y.backward(retain_graph=RETAIN)
"""


def torch_freed(source: str) -> Counter:
    """The nodes of torch's graph whose saved tensors can no longer be read."""
    namespace: dict = {}
    exec(source, namespace)  # noqa: S102 - the same code, on real torch
    freed, seen, stack = Counter(), set(), [namespace["y"].grad_fn]
    while stack:
        fn = stack.pop()
        if fn is None or fn in seen:
            continue
        seen.add(fn)
        stack.extend(f for f, _ in fn.next_functions)
        try:
            for name in dir(fn):
                if name.startswith("_saved_"):
                    getattr(fn, name)
        except RuntimeError:
            freed[type(fn).__name__] += 1
    return freed


@pytest.mark.parametrize("retain", [False, True])
def test_freed_nodes_are_those_whose_saved_tensors_torch_freed(retain):
    source = FREED.replace("RETAIN", str(retain))
    run = execute(source)
    freed = freed_nodes(run)
    assert Counter(f.name for f in freed) == torch_freed(source)
    assert bool(freed) is not retain
    for k in range(len(run.backward[0].steps) + 1):   # by step k, only the steps before it
        assert [f.step for f in freed_nodes(run, step=k)] == [f.step for f in freed if f.step < k]


ZERO = """import torch
import torch.nn as nn
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
model[2].bias.requires_grad_(False)
x = torch.randn(5, 3, requires_grad=True)
s = torch.tensor(2.0, requires_grad=True)
loss = (model(x) * s).sum()
loss.backward()
"""


def test_zero_grad_would_clear_the_leaves_torch_gave_a_grad():
    namespace: dict = {}
    exec(ZERO, namespace)  # noqa: S102 - the same code, on real torch
    expected = {name: namespace[name].grad for name in ("x", "s")}
    expected.update({f"model.{n}": p.grad for n, p in namespace["model"].named_parameters()
                     if p.grad is not None})
    cleared = {g.name: g for g in zero_grad_clears(execute(ZERO))}
    assert set(cleared) == set(expected)
    for name, grad in expected.items():
        assert cleared[name].shape == tuple(grad.shape)
        np.testing.assert_allclose(as_array(cleared[name].grad), grad.numpy(), rtol=1e-5)
