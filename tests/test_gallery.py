"""The gallery (tests/gallery/): programs learners and lecturers really write, each run as a
learner runs it (through the sandbox). For each: the default graph picture stays small enough
to read (at most MAX_DEFAULT nodes), and the graph each backward() went through holds exactly
the nodes real torch's autograd recorded for it, AccumulateGrad included."""
from __future__ import annotations

import functools
import pathlib
from collections import Counter

import pytest
import torch

from difftest import autograd_nodes
from explorer import run_code
from explorer.views.graph import graph_picture, module_paths, scoped

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


def ours(run, call: int) -> Counter:
    scope = scoped(run, call)
    names = Counter(op.grad_fn for op in scope.graph.ops if op.grad_fn)
    names["AccumulateGrad"] += len(scope.graph.accumulate)
    return names


@pytest.mark.parametrize("path", [p for p in GALLERY if p.stem not in FAILING],
                         ids=[p.stem for p in GALLERY if p.stem not in FAILING])
def test_each_backward_holds_exactly_torchs_nodes(path):
    run = run_of(path)
    namespace: dict = {"__name__": "__main__"}
    exec(compile(path.read_text(), str(path), "exec"), namespace)  # noqa: S102 - real torch
    by_id = {v.tensor.id: v.name for v in run.variables if v.tensor is not None}
    last = run.backward[-1]
    [root] = [by_id[t] for t in last.roots if t in by_id][:1]
    assert ours(run, len(run.backward) - 1) == autograd_nodes(namespace[root].grad_fn)


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
