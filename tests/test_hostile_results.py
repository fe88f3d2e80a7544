"""Forged results and busy servers (the thirteenth outside attack, F5-F7 and F9): what a run
process sends is bounded where the server decodes it, so no tab repeats a forged text or walks
a forged list quadratically; and what a busy server stopped is shown, never kept for others.
Speed is measured in bench/hostile_runs.py; these tests hold the bounds."""
from __future__ import annotations

import dataclasses

import pytest

from explorer import wire
from explorer.compare import Snapshot, compare_snapshots, lasting as lasting_comparison
from explorer.gradcheck import LeafCheck, Probe, gradient_check, lasting
from explorer.model import BackwardCall, BackwardEdge, BackwardStep, ErrorInfo, OpInfo, Run
from explorer.recorder import op_info
from explorer.sandbox.limits import DEFAULT
from explorer.sandbox.pool import failure_error
from explorer.views.names import NAME_CHARS


def through_wire(run: Run) -> Run:
    """What the server decodes when a run process sends `run` (any run process may forge)."""
    return wire.decode(wire.encode(run)[wire.HEADER.size:], Run)


def steps(nodes: list[int]) -> Run:
    return Run("x", 0, backward=(BackwardCall((0,), False, tuple(
        BackwardStep(k, node, "MulBackward0", (), (BackwardEdge(nodes[0], 0, None),))
        for k, node in enumerate(nodes))),))


# ---- F5: a backward call runs each node once ----------------------------------------------------
def test_a_backward_call_naming_one_node_in_many_steps_is_refused():
    """Forged, every step named node 0: the Steps tab handed step k the k gradients before it
    (2,000 steps: 8 s of server CPU; 60,000 ran out of memory)."""
    assert through_wire(steps([0, 1, 2])).backward[0].steps[2].node_id == 2
    with pytest.raises(wire.WireError, match="steps over"):
        through_wire(steps([0, 1, 0]))


# ---- F6: an op's registry entry has the registry's sizes ---------------------------------------
@pytest.mark.parametrize("forged", [
    OpInfo(("self",), (("self", "g" * 4_000_000),)),
    OpInfo(("x" * 100,)),
    OpInfo(tuple(f"i{k}" for k in range(17))),
    OpInfo(non_differentiable=("n" * 65,)),
], ids=["4 M formula", "long input name", "17 inputs", "long non-differentiable name"])
def test_a_forged_registry_entry_is_refused(forged):
    """Every chain and steps row repeats its op's formulas: one forged formula of 4 M
    characters on 400 ops made a chain text of 1.5 GB."""
    with pytest.raises(wire.WireError, match="registry entry"):
        through_wire(Run("x", 0, ops_info={"mul": forged}))


def test_every_real_registry_entry_fits_the_wire():
    from engine.ops.registry import REGISTRY
    infos = {name: op_info(name) for name in REGISTRY}
    assert through_wire(Run("x", 0, ops_info=infos)).ops_info == infos


# ---- F7: a forged reference probe --------------------------------------------------------------
class Answering:
    """A pool whose run processes answer the reference probe with `reference` and every
    perturbed probe with `perturbed`."""
    size = 2

    def __init__(self, reference, perturbed=None) -> None:
        self.reference, self.perturbed = reference, perturbed

    def call(self, *args, plan=None, **kwargs):
        if plan is None:
            return self.reference
        return self.perturbed or Probe(value=1.0 + plan[2], ops=3, step=plan[2])


def leaf(name: str = "x", shape=(3,)) -> LeafCheck:
    return LeafCheck(0, name, shape, "torch.float64", 3, 0, 1e-6, 1e-5, 1e-3)


def test_a_reference_with_a_huge_name_is_checked_under_a_shortened_one():
    """A leaf named 4 M characters, repeated per element and trace, made 1 GB of chart JSON."""
    forged = Probe(value=1.0, ops=3, root="r" * 4_000_000, leaves=(leaf("w" * 4_000_000),),
                   selected=((0, 0, (0,), 2.0),))
    check = gradient_check(Answering(forged), "x", limits=DEFAULT, time_budget=60)
    assert len(check.root) == len(check.leaves[0].name) == NAME_CHARS
    assert check.leaves[0].name.endswith("…") and [e.ok for e in check.elements] == [False]


def test_forged_perturbed_probes_that_did_not_step_are_unusable():
    """Both answered step 0: the server divided by zero."""
    reference = Probe(value=1.0, ops=3, root="x", leaves=(leaf(),), selected=((0, 0, (0,), 2.0),))
    check = gradient_check(Answering(reference, Probe(value=1.0, ops=3)), "x", limits=DEFAULT,
                           time_budget=60)
    assert [e.note for e in check.elements] == ["failed"]


@pytest.mark.parametrize("where", [(), (0, 0), (0,) * 100_000], ids=["0 dims", "2", "100,000"])
def test_a_reference_indexing_a_leaf_by_other_dims_is_refused(where):
    forged = Probe(value=1.0, root="x", leaves=(leaf(),), selected=((0, 0, where, 1.0),))
    check = gradient_check(Answering(forged), "x", limits=DEFAULT, time_budget=60)
    assert check.error is not None and not check.elements


# ---- F9: stopped from outside is never kept ----------------------------------------------------
@pytest.mark.parametrize("perturbed", [
    ("failed", "timeout"), ("failed", "crashed"),
    Probe(error=failure_error("timeout", DEFAULT)),
], ids=["timeout", "crashed", "a probe stopped by its limit"])
def test_a_check_whose_probes_were_stopped_from_outside_is_not_kept(perturbed):
    """A busy server's wall clock stopped the perturbed probes: the check said "0 agreed,
    1 unusable" and was kept for every later learner."""
    reference = Probe(value=1.0, ops=3, root="x", leaves=(leaf(),), selected=((0, 0, (0,), 2.0),))
    check = gradient_check(Answering(reference, perturbed), "x", limits=DEFAULT, time_budget=60)
    assert [e.note for e in check.elements] == ["stopped"] and not lasting(check)


def test_a_check_whose_probe_failed_in_the_learners_code_is_kept():
    reference = Probe(value=1.0, ops=3, root="x", leaves=(leaf(),), selected=((0, 0, (0,), 2.0),))
    failed = Probe(error=ErrorInfo("ValueError", "math domain error", 3, None, ""))
    check = gradient_check(Answering(reference, failed), "x", limits=DEFAULT, time_budget=60)
    assert [e.note for e in check.elements] == ["failed"] and lasting(check)


def test_a_comparison_a_busy_server_stopped_is_not_kept():
    """Compare mode cached an engine-side wall-clock stop, seen only under load, for everyone."""
    ran = Snapshot("4\n", None)
    stopped = Snapshot("", failure_error("timeout", DEFAULT))
    own_error = Snapshot("", ErrorInfo("RuntimeError", "boom", 2, None, ""))
    assert lasting_comparison(compare_snapshots("x", 0, ran, ran))
    assert lasting_comparison(compare_snapshots("x", 0, own_error, ran))
    assert not lasting_comparison(compare_snapshots("x", 0, stopped, ran))
    assert not lasting_comparison(compare_snapshots("x", 0, ran, stopped))
    assert dataclasses.fields(compare_snapshots("x", 0, ran, ran))


def test_a_backward_call_records_at_most_the_node_budget_of_steps():
    """Honest code may backward through more nodes than the wire takes steps: the recorder
    keeps the first node_budget of them, as it keeps the first node_budget ops."""
    from explorer import Limits
    from explorer.sandbox.pool import WorkerPool
    code = ("import torch\nx = torch.ones(1, requires_grad=True)\ny = x\n"
            "for _ in range(300):\n    y = y * 1.0001\ny.backward()\n")
    pool = WorkerPool(size=1)
    try:
        run = pool.run(code, 0, Limits(node_budget=100, wall_seconds=60))
    finally:
        pool.close()
    assert run.error is None and len(run.graph.ops) == 100
    assert len(run.backward[0].steps) == 100
