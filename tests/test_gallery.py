"""The gallery (tests/gallery/): programs learners and lecturers really write, each run as a
learner runs it (through the sandbox). For each: the default graph picture stays small enough
to read (at most MAX_DEFAULT nodes), and the graph each backward() went through holds exactly
the nodes real torch's autograd recorded for it, AccumulateGrad included."""
from __future__ import annotations

import functools
import pathlib
import re
from collections import Counter

import pytest
import torch

from explorer import run_code
from explorer.views.graph import graph_picture, module_paths, scoped
from explorer.views.chain import grad_fn_chain
from explorer.views.names import focus_name, tensor_names

GALLERY = sorted((pathlib.Path(__file__).parent / "gallery").glob("*.py"))
MAX_DEFAULT = 80
FAILING = {"failing_program"}


@functools.cache
def run_of(path: pathlib.Path):
    return run_code(path.read_text())


def default_picture(run):
    """What the Graph tab draws before the learner touches anything."""
    scope = scoped(run, len(run.backward) - 1 if run.backward else None)
    return graph_picture(scope, show_values=True, collapse=bool(module_paths(scope)))


@pytest.mark.parametrize("path", GALLERY, ids=[p.stem for p in GALLERY])
def test_the_default_graph_is_small_enough_to_read(path):
    run = run_of(path)
    assert (run.error is not None) == (path.stem in FAILING), run.error
    picture = default_picture(run)
    assert 0 < picture.nodes <= MAX_DEFAULT, picture.nodes


def ours(run, call: int) -> tuple[Counter, Counter]:
    """The grad_fn names (AccumulateGrad included) of the graph backward call `call` went
    through, and the names each of its leaves is drawn by (variables, module paths)."""
    scope = scoped(run, call)
    names = Counter(op.grad_fn for op in scope.graph.ops if op.grad_fn)
    names["AccumulateGrad"] += len(scope.graph.accumulate)
    known = tensor_names(run)
    leaves = Counter(frozenset(known.get(leaf, ())) for _, leaf in scope.graph.accumulate)
    return names, leaves


def torchs(path: pathlib.Path, monkeypatch) -> tuple[list, dict]:
    """The program run on real torch: for each backward() and autograd.grad() call, its
    roots' graphs (all grad_fn names, and each AccumulateGrad's variable); and the
    namespace it ended with."""
    calls = []

    def graph_of(roots) -> tuple[Counter, list]:
        seen, stack = set(), [r.grad_fn for r in roots]
        while stack:
            node = stack.pop()
            if node is not None and node not in seen:
                seen.add(node)
                stack.extend(f for f, _ in node.next_functions)
        return (Counter(type(node).__name__ for node in seen),
                [node.variable for node in seen if type(node).__name__ == "AccumulateGrad"])

    backward, grad = torch.Tensor.backward, torch.autograd.grad

    def recorded_backward(self, *args, **kwargs):
        calls.append(graph_of([self]))
        return backward(self, *args, **kwargs)

    def recorded_grad(outputs, *args, **kwargs):
        calls.append(graph_of(outputs if isinstance(outputs, (tuple, list)) else [outputs]))
        return grad(outputs, *args, **kwargs)

    monkeypatch.setattr(torch.Tensor, "backward", recorded_backward)
    monkeypatch.setattr(torch.autograd, "grad", recorded_grad)
    namespace: dict = {"__name__": "__main__"}
    exec(compile(path.read_text(), str(path), "exec"), namespace)  # noqa: S102 - real torch
    return calls, namespace


def torch_leaf_names(leaf, namespace: dict) -> frozenset:
    """What the learner calls a leaf at the end of the program: the variables bound to it,
    and its path in each Module variable (the first Module that holds it, as the app does)."""
    names = {name for name, value in namespace.items() if value is leaf}
    for name, value in namespace.items():
        if isinstance(value, torch.nn.Module):
            for qualified, parameter in value.named_parameters():
                if parameter is leaf:
                    names.add(f"{name}.{qualified}")
                    return frozenset(names)
    return frozenset(names)


@pytest.mark.parametrize("path", [p for p in GALLERY if p.stem not in FAILING],
                         ids=[p.stem for p in GALLERY if p.stem not in FAILING])
def test_each_backward_holds_exactly_torchs_nodes_and_names_its_leaves(path, monkeypatch):
    """Every backward() of the run, not only the last: the same grad_fn nodes as torch's,
    and each leaf named as the learner knows it in torch (`w` after `w -= lr * w.grad`,
    `model.0.weight`), never by an internal id or a shape."""
    run = run_of(path)
    calls, namespace = torchs(path, monkeypatch)
    assert len(run.backward) == len(calls)
    for call, (nodes, leaves) in enumerate(calls):
        expected = Counter(torch_leaf_names(leaf, namespace) for leaf in leaves)
        assert ours(run, call) == (nodes, expected), call


def test_the_default_graph_draws_only_what_is_joined_to_it():
    """No node of a program's default picture stands alone: a variable the drawn graph never
    read or made (the accuracy computed after the last backward(), the labels only the
    loss's saved tensors hold, a leaf's value before an in-place update) is not in it."""
    lonely = {}
    for path in GALLERY:
        dot = default_picture(run_of(path)).dot
        nodes = set(re.findall(r"^ +(\w+) \[", dot, flags=re.M)) - {"node", "edge"}
        joined = {n for edge in re.findall(r"^ +(\w+) -> (\w+)", dot, flags=re.M) for n in edge}
        if nodes - joined:
            lonely[path.stem] = sorted(nodes - joined)
    assert lonely == {}


@pytest.mark.parametrize("path", GALLERY, ids=[p.stem for p in GALLERY])
def test_the_pictures_focus_by_default_on_a_variable_with_a_chain_to_show(path):
    """The focused variable the chain, steps and memory tabs open on: the root of the last
    backward() (a training loop's loss, not the accuracy it printed after), else the last
    tensor the program defined."""
    run = run_of(path)
    name = focus_name(run)
    [focus] = [v.tensor for v in run.variables if v.name == name]
    if run.backward:
        assert focus.id in run.backward[-1].roots or focus.grad_fn, name
        assert grad_fn_chain(run, focus.id), name
    else:
        assert name == [v.name for v in run.variables if v.tensor is not None][-1]


def test_a_failing_program_draws_what_ran_before_the_error():
    run = run_of(next(p for p in GALLERY if p.stem == "failing_program"))
    assert run.error.line == 9 and "must match the size" in run.error.message
    assert [op.grad_fn for op in run.graph.ops] == ["MmBackward0", "ReluBackward0"]
    assert run.failed_ops and run.failed_ops[0].input_shapes == ((4, 5), (4,))
    dot = default_picture(run).dot
    [failed] = [line for line in dot.splitlines() if 'class="failed"' in line]
    assert "add ✗" in failed and "line 9" in failed
    names = {v.name: v.tensor.id for v in run.variables if v.tensor is not None}
    assert f"t{names['h']} -> f0" in dot and f"t{names['b']} -> f0" in dot
    with pytest.raises(RuntimeError, match="must match the size"):
        torch.relu(torch.randn(4, 3) @ torch.randn(3, 5)) + torch.zeros(4)
