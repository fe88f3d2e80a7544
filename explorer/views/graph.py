"""The dynamic graph of a Run as Graphviz DOT: tensors, the ops between them, and grads.

Tensors are ellipses (blue: leaves that require grad, light: computed with grad, grey: no
grad); ops are boxes named by their grad_fn (AddBackward0, ...), muted when they recorded no
graph. After backward, each tensor that received a gradient shows it. The forward direction
draws data flow; the backward direction draws the grad_fn chain, from outputs to leaves."""
from __future__ import annotations

from html import escape

from ..model import Run, TensorInfo, Values

__all__ = ["graph_dot"]

LEAF, WITH_GRAD, NO_GRAD = "#cfe3ff", "#eef4fc", "#f2f2f2"
OP, OP_MUTED, ACCUMULATE = "#fff1d6", "#f7f7f7", "#e3f4e1"
SMALL = 6  # values up to this many elements are printed in the node


def _numbers(values: Values | None) -> str:
    if values is None:
        return ""
    if values.complete and _count(values.shape) <= SMALL:
        return escape(_fmt(values.data))
    return escape(f"‖·‖ = {values.norm:.4g}") if values.norm is not None else ""


def _count(shape: tuple) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


def _fmt(data) -> str:
    if isinstance(data, tuple):
        return "[" + ", ".join(_fmt(d) for d in data) + "]"
    if isinstance(data, float):
        text = f"{data:.4g}"
        return text + "." if text.lstrip("-").isdigit() else text   # 1. like PyTorch's 1.
    return str(data)


def _tensor_label(info: TensorInfo, names: list, show_values: bool) -> str:
    rows = []
    if names:
        rows.append(f"<B>{escape(', '.join(names))}</B>")
    shape = "×".join(str(s) for s in info.shape) or "scalar"
    rows.append(f"{shape} · {escape(info.dtype.replace('torch.', ''))}")
    if show_values and info.values is not None:
        rows.append(f"<FONT POINT-SIZE='10'>{_numbers(info.values)}</FONT>")
    if info.grad is not None:
        rows.append(f"<FONT POINT-SIZE='10' COLOR='#b03a2e'>grad {_numbers(info.grad)}</FONT>")
    return "<" + "<BR/>".join(rows) + ">"


def graph_dot(run: Run, *, direction: str = "forward", show_values: bool = False) -> str:
    """DOT for the run's graph; direction "forward" (data flow) or "backward" (grad_fn chain)."""
    names: dict[int, list] = {}
    for var in run.variables:
        if var.tensor is not None:
            names.setdefault(var.tensor.id, []).append(var.name)
    backward = direction == "backward"
    lines = ["digraph G {", f'  rankdir={"BT" if backward else "TB"};',
             '  node [fontname="Helvetica", fontsize=12];', '  edge [color="#555555"];']
    used = {t for op in run.graph.ops for t in op.inputs + op.outputs if t is not None}
    for tid in sorted(used | set(names)):
        info = run.graph.tensors.get(tid)
        if info is None:
            continue
        fill = LEAF if info.is_leaf and info.requires_grad else \
            WITH_GRAD if info.requires_grad else NO_GRAD
        lines.append(f'  t{tid} [shape=ellipse, style=filled, fillcolor="{fill}", '
                     f"label={_tensor_label(info, names.get(tid, []), show_values)}];")
    for op in run.graph.ops:
        label = escape(op.grad_fn or op.op)
        fill = OP if op.grad_fn else OP_MUTED
        font = "#222222" if op.grad_fn else "#999999"
        lines.append(f'  o{op.id} [shape=box, style="rounded,filled", fillcolor="{fill}", '
                     f'fontcolor="{font}", label="{label}"];')
        for tid in op.inputs:
            if tid is not None:
                lines.append(_edge(f"t{tid}", f"o{op.id}", backward))
        for tid in op.outputs:
            lines.append(_edge(f"o{op.id}", f"t{tid}", backward))
    for node_id, leaf in run.graph.accumulate:
        lines.append(f'  a{node_id} [shape=box, style="rounded,filled", fillcolor="{ACCUMULATE}", '
                     'label="AccumulateGrad"];')
        lines.append(_edge(f"t{leaf}", f"a{node_id}", backward, style="dashed"))
    lines.append("}")
    return "\n".join(lines)


def _edge(src: str, dst: str, backward: bool, style: str = "solid") -> str:
    a, b = (dst, src) if backward else (src, dst)
    return f"  {a} -> {b} [style={style}];"
