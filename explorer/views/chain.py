"""The grad_fn chain of one tensor: the tree PyTorch walks from `t.grad_fn` through
`next_functions`, with each node's gradient formulas read from the engine's op registry (so
the text can never disagree with what the engine computes)."""
from __future__ import annotations

from dataclasses import dataclass

from ..model import OpNode, Run, edge_inputs
from ..texts import DEFAULT_LANGUAGE, t
from .names import leaf_name, tensor_names

__all__ = ["ChainRow", "chain_text", "grad_fn_chain"]

MAX_ROWS = 400


@dataclass(frozen=True)
class ChainRow:
    depth: int
    name: str                  # "MulBackward0", "AccumulateGrad" or "None"
    formulas: tuple = ()       # (("self", "grad * other"), ...)
    tensor: str = ""           # for AccumulateGrad: the leaf's variable name(s)
    repeated: bool = False     # a node already shown higher up (shared subgraph)


def _producers(run: Run) -> dict:
    producer = {}
    for op in run.graph.ops:
        if op.grad_fn is not None:
            for tid in op.outputs:
                producer[tid] = op
    return producer


def _formulas(run: Run, op: OpNode) -> tuple:
    info = run.ops_info.get(op.op)
    return info.formulas if info is not None else ()


def grad_fn_chain(run: Run, tensor_id: int, lang: str = DEFAULT_LANGUAGE) -> list[ChainRow]:
    """Rows of the tree under tensor `tensor_id`'s grad_fn, depth first, as PyTorch nests it
    (a leaf's many names are counted in `lang`)."""
    producer = _producers(run)
    names = tensor_names(run)
    rows: list[ChainRow] = []
    shown: set = set()

    def walk(tid, depth: int) -> None:
        if len(rows) >= MAX_ROWS:
            return
        op = producer.get(tid) if tid is not None else None
        if op is None:
            info = run.graph.tensors.get(tid) if tid is not None else None
            if info is not None and info.requires_grad and info.is_leaf:
                rows.append(ChainRow(depth, "AccumulateGrad",
                                     tensor=leaf_name(run, names, tid, lang)))
            else:
                rows.append(ChainRow(depth, "None"))
            return
        repeated = op.id in shown
        rows.append(ChainRow(depth, op.grad_fn, _formulas(run, op), repeated=repeated))
        if repeated:
            return
        shown.add(op.id)
        for child in edge_inputs(op, run.ops_info.get(op.op)):
            walk(child, depth + 1)

    if tensor_id in producer:
        walk(tensor_id, 0)
    return rows


def chain_text(rows: list[ChainRow], lang: str = DEFAULT_LANGUAGE) -> str:
    """The tree as indented text, formulas alongside: what a lecturer can read aloud."""
    lines = []
    for row in rows:
        indent = "    " * row.depth
        label = row.name + (f" → {row.tensor}" if row.tensor else "")
        if row.repeated:
            label += "  " + t("view.chain.shown_above", lang)
        formula = "; ".join(f"grad_{k} = {v}" for k, v in row.formulas)
        lines.append(f"{indent}{label}" + (f"    {formula}" if formula and not row.repeated
                                            else ""))
    return "\n".join(lines)
