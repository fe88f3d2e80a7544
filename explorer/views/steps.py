"""Backward, step by step: for each node in the order the engine ran it, the gradient that
arrived (summed over every edge that delivered one), the node's local formula, and what it
sent along each edge, with broadcast gradients summed back to the operand's shape."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.ops import REGISTRY

from ..model import BackwardEdge, Run, Values

__all__ = ["Contribution", "StepView", "backward_steps", "as_array", "steps_table"]


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


def backward_steps(run: Run, call: int = 0) -> list[StepView]:
    """The steps of the run's `call`-th backward() in execution order."""
    if call >= len(run.backward):
        return []
    ops_by_node = {op.node_id: op for op in run.graph.ops if op.node_id is not None}
    names: dict[int, list] = {}
    for var in run.variables:
        if var.tensor is not None:
            names.setdefault(var.tensor.id, []).append(var.name)
    arrived: dict[int, list] = {}
    views = []
    for step in run.backward[call].steps:
        op = ops_by_node.get(step.node_id)
        opdef = REGISTRY.get(op.op) if op is not None else None
        leaf = None
        if step.leaf is not None:
            leaf = ", ".join(names.get(step.leaf, [])) or f"t{step.leaf}"
        views.append(StepView(
            step.step, step.name, tuple(opdef.formulas.items()) if opdef is not None else (),
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
    if values is None:
        return "—"
    if values.complete and len(str(values.data)) <= 60:
        return str(values.data)
    return f"{tuple(values.shape)}, ‖·‖={values.norm:.4g}" if values.norm is not None else \
        str(tuple(values.shape))


def steps_table(views: list[StepView]) -> list[dict]:
    """One row per step, for a table a lecturer can click through."""
    rows = []
    for v in views:
        sent = [f"{_short(e.grad)}" + (f"  (summed {summed_back(e)})" if summed_back(e) else "")
                for e in v.edges if e.grad is not None]
        rows.append({
            "step": v.step,
            "node": v.name + (f" → {v.leaf}.grad" if v.leaf else ""),
            "formula": "; ".join(f"grad_{k} = {f}" for k, f in v.formulas),
            "grad in": " + ".join(_short(c.grad) for c in v.contributions)
            if len(v.contributions) > 1 else _short(v.grad_in[0] if v.grad_in else None),
            "sent": " | ".join(sent) or "—",
        })
    return rows
