"""The observer API (engine.observe): forward events for every op, backward events in the order
the nodes run (the same order PyTorch runs them in), and nothing at all without observers."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import engine
from engine import observe
from test_autograd import execution_order


def record(fn):
    events = []
    with observe.observing(events.append):
        result = fn()
    return events, result


def test_forward_events_describe_each_op():
    x = engine.ones(2, 3, requires_grad=True)
    w = engine.tensor([1.0, 2.0, 3.0], requires_grad=True)
    events, y = record(lambda: (x * w).exp().t().sum())
    fwd = [e for e in events if isinstance(e, observe.ForwardEvent)]
    assert [e.op for e in fwd] == ["mul", "exp", "t", "sum"]
    mul, exp, t, total = fwd
    assert mul.inputs[0] is x and mul.inputs[1] is w
    assert mul.broadcast_shape == (2, 3)
    assert exp.inputs[0] is mul.outputs[0] and t.inputs[0] is exp.outputs[0]
    assert t.view_of is exp.outputs[0] and exp.view_of is None
    assert total.outputs[0] is y and total.grad_fn is y.grad_fn
    assert [e.grad_fn.name() for e in fwd] == [type(e.grad_fn).__name__ for e in fwd]
    assert not any(e.inplace for e in fwd)


def test_forward_events_for_inplace_ops_and_no_grad():
    x = engine.ones(3, requires_grad=True)
    events, h = record(lambda: (x * 2).add_(1))
    fwd = [e for e in events if isinstance(e, observe.ForwardEvent)]
    assert [(e.op, e.inplace) for e in fwd] == [("mul", False), ("add", True)]
    assert fwd[1].outputs[0] is h and fwd[1].grad_fn is h.grad_fn
    with engine.no_grad():
        events, _ = record(lambda: x * 2)
    assert [(e.op, e.grad_fn) for e in events] == [("mul", None)]


def _graphs(lib):
    x = lib.tensor([0.5, 1.0, 1.5], requires_grad=True)
    w = lib.tensor([2.0, -1.0, 0.5], requires_grad=True)
    leaves = [lib.ones(2, requires_grad=True) for _ in range(4)]
    h = x * w
    return {
        "diamond": ([(x.exp() * x.sin()).sum()], [x]),
        "shared": ([(h * h + h.exp()).sum()], [x, w]),
        "two roots": ([h.sum(), (h * w).mean()], [x, w]),
        "four leaves": ([lib.cat(leaves).sum()], leaves),
        "broadcast": ([(x.unsqueeze(1) * w).sum()], [x, w]),
    }


@pytest.mark.parametrize("name", ["diamond", "shared", "two roots", "four leaves", "broadcast"])
def test_backward_events_follow_execution_order_like_torch(name):
    roots, leaves = _graphs(torch)[name]
    torch_order = [label.split("#")[0] for label in execution_order(torch, roots, leaves)
                   if not label.startswith("leaf")]
    roots, leaves = _graphs(engine)[name]
    events, _ = record(lambda: engine.autograd.backward(roots, [engine.ones_like(r)
                                                                for r in roots]))
    steps = [e for e in events if isinstance(e, observe.BackwardEvent)]
    assert [e.node.name() for e in steps] == torch_order
    assert [e.step for e in steps] == list(range(len(steps)))
    calls = [e for e in events if isinstance(e, observe.BackwardCallEvent)]
    assert [c.phase for c in calls] == ["begin", "end"]
    assert events[0] is calls[0] and events[-1] is calls[1]
    for e in steps:   # one gradient per forward output in, one per edge out
        assert len(e.grad_outputs) == e.node._n_outputs
        assert len(e.grad_inputs) == len(e.node.next_functions)
    for leaf in leaves:  # AccumulateGrad received exactly what ended up in .grad
        (acc,) = [e for e in steps if getattr(e.node, "variable", None) is leaf]
        np.testing.assert_array_equal(acc.grad_outputs[0].numpy(), leaf.grad.numpy())


def test_sum_to_events_show_broadcast_gradients_being_reduced():
    x = engine.ones(2, 1, requires_grad=True)
    w = engine.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * w
    events, _ = record(lambda: y.sum().backward())
    sums = [e for e in events if isinstance(e, observe.SumToEvent)]
    assert [(e.node is y.grad_fn, e.input_nr, tuple(e.grad_before.shape),
             tuple(e.grad_after.shape)) for e in sums] == [(True, 0, (2, 3), (2, 1)),
                                                          (True, 1, (2, 3), (3,))]
    assert x.grad.tolist() == [[6.0], [6.0]] and w.grad.tolist() == [2.0, 2.0, 2.0]


def test_without_observers_nothing_is_emitted_and_results_are_identical(monkeypatch):
    def run():
        x = engine.tensor([[0.5, -1.0], [2.0, 0.25]], requires_grad=True)
        w = engine.tensor([1.5, -0.5], requires_grad=True)
        y = ((x * w).tanh() @ w).exp().sum()
        y.backward()
        (g,) = engine.autograd.grad((x ** 3).sum(), x, create_graph=True)
        g.sum().backward()
        return y.item(), x.grad.tolist(), w.grad.tolist()

    with observe.observing(lambda e: None):
        observed = run()

    def refuse(event):
        raise AssertionError(f"emitted {type(event).__name__} with no observer")

    monkeypatch.setattr(observe, "emit", refuse)
    assert observe.observers == []
    assert run() == observed


def test_observing_removes_the_observer_even_after_an_error():
    seen = []
    with pytest.raises(RuntimeError):
        with observe.observing(seen.append):
            (engine.ones(3) * 2).backward()
    assert observe.observers == []
    assert [type(e).__name__ for e in seen] == ["ForwardEvent"]


def test_a_failing_op_reports_its_operands_and_raises_torch_s_error():
    with pytest.raises(RuntimeError) as expected:
        torch.ones(2, 3) + torch.ones(2, 2)
    a, b = engine.ones(2, 3), engine.ones(2, 2)
    seen = []
    with pytest.raises(RuntimeError) as raised, observe.observing(seen.append):
        a + b
    assert str(raised.value) == str(expected.value)
    (failed,) = [e for e in seen if isinstance(e, observe.OpFailedEvent)]
    assert failed.op == "add" and failed.inputs == (a, b) and failed.error is raised.value
    assert [type(e) for e in seen] == [observe.OpFailedEvent]


@pytest.mark.parametrize("name, call, shapes", [
    ("add_", lambda lib: lib.ones(2, 3).add_(lib.ones(2, 2)), [(2, 3), (2, 2)]),
    ("mm", lambda lib: lib.ones(2, 2) @ lib.ones(3, 2), [(2, 2), (3, 2)]),
    ("where", lambda lib: lib.where(lib.ones(2, 3) > 0, lib.ones(2, 2), lib.ones(3)),
     [(2, 3), (2, 2), (3,)]),
])
def test_other_shape_errors_report_their_operands_too(name, call, shapes):
    with pytest.raises(RuntimeError) as expected:
        call(torch)
    seen = []
    with pytest.raises(RuntimeError) as raised, observe.observing(seen.append):
        call(engine)
    assert str(raised.value) == str(expected.value)
    (failed,) = [e for e in seen if isinstance(e, observe.OpFailedEvent)]
    assert failed.op == name and failed.error is raised.value
    assert [tuple(t.shape) for t in failed.inputs] == shapes


def test_an_error_inside_a_registry_forward_is_reported_and_re_raised_unchanged():
    from engine.ops.registry import OpDef, run_inplace

    def forward(a, b):
        raise ValueError("kernel refused")

    op = OpDef("boom", None, forward, inputs=("self", "other"))
    a, b = engine.ones(2), engine.ones(2)
    for call, name in ((lambda: op(a, b), "boom"), (lambda: run_inplace(op, a, (b,), {}),
                                                     "boom_")):
        seen = []
        with (pytest.raises(ValueError, match="kernel refused") as raised,
              observe.observing(seen.append)):
            call()
        assert seen == [observe.OpFailedEvent(name, (a, b), raised.value)]
    with pytest.raises(ValueError, match="kernel refused"):   # and with nobody watching
        op(a, b)
