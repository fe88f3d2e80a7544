"""Backward, step by step: for each node in the order the engine ran it, the gradient that
arrived (summed over every edge that delivered one), the node's local formula, and what it
sent along each edge, with broadcast gradients summed back to the operand's shape. Also what
backward leaves behind: the nodes whose saved tensors it freed (without retain_graph) and the
.grad values that optimizer.zero_grad() would clear."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..model import BackwardEdge, OpNode, Run, Values
from ..texts import DEFAULT_LANGUAGE
from ..texts import t as text
from .names import leaf_name, tensor_names
from .numbers import torch_number, torch_values

__all__ = ["Contribution", "FreedNode", "LeafGrad", "StepView", "as_array", "backward_steps",
           "freed_nodes", "saved_tensors", "steps_table", "zero_grad_clears"]


@dataclass(frozen=True)
class Contribution:
    from_step: int
    from_name: str
    grad: Values


@dataclass(frozen=True)
class StepView:
    step: int
    name: str
    formulas: tuple              # (("self", "grad * other"), ...) from the op registry
    grad_in: tuple               # Values per forward output (after summing contributions)
    contributions: tuple         # Contribution per edge that delivered into this node
    edges: tuple                 # BackwardEdge per next_functions edge
    leaf: str | None             # for AccumulateGrad: the leaf it writes .grad of
    freed: bool


def as_array(values: Values | None) -> np.ndarray | None:
    """A complete Values as an array (None when it was summarized or absent)."""
    if values is None or not values.complete:
        return None
    return np.asarray(values.data, dtype=np.float64).reshape(values.shape)


def backward_steps(run: Run, call: int = 0, lang: str = DEFAULT_LANGUAGE) -> list[StepView]:
    """The steps of the run's `call`-th backward() in execution order (a leaf's many names
    are counted in `lang`)."""
    if call >= len(run.backward):
        return []
    ops_by_node = {op.node_id: op for op in run.graph.ops if op.node_id is not None}
    names = tensor_names(run)
    arrived: dict[int, list] = {}
    views = []
    for step in run.backward[call].steps:
        op = ops_by_node.get(step.node_id)
        info = run.ops_info.get(op.op) if op is not None else None
        leaf = None
        if step.leaf is not None:
            leaf = leaf_name(run, names, step.leaf, lang)
        views.append(StepView(
            step.step, step.name, info.formulas if info is not None else (),
            step.grad_in, tuple(arrived.get(step.node_id, ())), step.grad_out, leaf, step.freed))
        for edge in step.grad_out:
            if edge.to_node is not None and edge.grad is not None:
                arrived.setdefault(edge.to_node, []).append(
                    Contribution(step.step, step.name, edge.grad))
    return views


def summed_back(edge: BackwardEdge) -> str:
    """"(2, 3) → (2, 1)" when the gradient was summed over broadcast dims, else ""."""
    if edge.summed_from is None or edge.grad is None:
        return ""
    return f"{tuple(edge.summed_from)} → {tuple(edge.grad.shape)}"


def _short(values: Values | None) -> str:
    """A gradient as PyTorch prints its numbers ([0.1000, 0.2000]), or its shape and norm
    when that would not fit a table cell."""
    if values is None:
        return "—"
    if values.complete:
        printed = torch_values(values)
        if len(printed) <= 60:
            return printed
    return f"{tuple(values.shape)}, ‖·‖={torch_number(values.norm)}" \
        if values.norm is not None else str(tuple(values.shape))


def steps_table(views: list[StepView], lang: str = DEFAULT_LANGUAGE) -> list[dict]:
    """One row per step, for a table a lecturer can click through; columns named in `lang`.
    Steps are counted from 1 here, as the page's "Step n of N" counts them."""
    def word(key: str, **fields) -> str:
        return text(f"view.steps.{key}", lang, **fields)

    rows = []
    for v in views:
        sent = [f"{_short(e.grad)}" + (f"  {word('summed', shapes=summed_back(e))}"
                                       if summed_back(e) else "")
                for e in v.edges if e.grad is not None]
        rows.append({
            word("step"): v.step + 1,
            word("node"): v.name + (f" → {v.leaf}.grad" if v.leaf else ""),
            word("formula"): "; ".join(f"grad_{k} = {f}" for k, f in v.formulas),
            word("grad_in"): " + ".join(_short(c.grad) for c in v.contributions)
            if len(v.contributions) > 1 else _short(v.grad_in[0] if v.grad_in else None),
            word("sent"): " | ".join(sent) or "—",
        })
    return rows


@dataclass(frozen=True)
class FreedNode:
    step: int                    # the step after which its saved tensors were freed
    name: str                    # grad_fn name, e.g. "MulBackward0"
    saved: tuple                 # the names of the tensors it had saved, e.g. ("self", "other")


@dataclass(frozen=True)
class LeafGrad:
    name: str                    # "x", or a parameter's path such as "model.0.weight"
    shape: tuple
    grad: Values


def saved_tensors(run: Run, op: OpNode) -> dict:
    """The tensors an op saved for backward, by saved name: its inputs by their registry names,
    and "result" for its output (other saved values, like a dim, are not tensors)."""
    info = run.ops_info.get(op.op)
    by_name = dict(zip(info.inputs, op.inputs)) if info is not None else {}
    if op.outputs:
        by_name["result"] = op.outputs[0]
    return {name: by_name[name] for name in op.saved if by_name.get(name) is not None}


def freed_nodes(run: Run, call: int = 0, step: int | None = None) -> list[FreedNode]:
    """The nodes backward call `call` had freed by `step` (all of them when None): each node
    that ran drops its saved tensors unless retain_graph=True, so a second backward through
    it fails."""
    if not -len(run.backward) <= call < len(run.backward):
        return []
    ops_by_node = {op.node_id: op for op in run.graph.ops if op.node_id is not None}
    freed = []
    for s in run.backward[call].steps[:step]:
        op = ops_by_node.get(s.node_id)
        saved = tuple(saved_tensors(run, op)) if op is not None else ()
        if s.freed and saved:
            freed.append(FreedNode(s.step, s.name, saved))
    return freed


def zero_grad_clears(run: Run) -> list[LeafGrad]:
    """The leaves whose .grad is set when the run ends: what zero_grad() (or setting .grad to
    None) would clear. Learner variables by name, Module parameters by their path."""
    found: dict[int, LeafGrad] = {}
    for var in run.variables:
        pairs = [(var.name, var.tensor)] if var.tensor is not None else \
            [(f"{var.name}.{q}", info) for q, info in var.parameters]
        for name, info in pairs:
            if info.is_leaf and info.grad is not None and info.id not in found:
                found[info.id] = LeafGrad(name, tuple(info.shape), info.grad)
    return list(found.values())
