"""Broadcasting, drawn: for each op whose operands were stretched, the shapes right-aligned with
the padded 1s, which dimensions stretch, each operand before and after expansion (a stretched
dimension repeats the same cells: stride 0), and in backward how the gradient was summed back
over those dimensions to the operand's shape."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..model import Run, TensorInfo
from .steps import as_array

__all__ = ["BroadcastOperand", "BroadcastStep", "broadcast_steps", "gradient_sums",
           "expansion_figure"]


@dataclass(frozen=True)
class BroadcastOperand:
    tensor: int
    name: str
    shape: tuple
    padded: tuple           # right-aligned, with 1s in front
    stretched: tuple        # dims (of the result) this operand is repeated along


@dataclass(frozen=True)
class BroadcastStep:
    op: int
    label: str              # grad_fn name or op name
    result_shape: tuple
    operands: tuple         # BroadcastOperand per tensor input
    line: int | None


def _names(run: Run) -> dict:
    names = {}
    for var in run.variables:
        if var.tensor is not None:
            names.setdefault(var.tensor.id, var.name)
    return names


def broadcast_steps(run: Run) -> list[BroadcastStep]:
    """The ops in which at least one operand was stretched to the result's shape."""
    names = _names(run)
    found = []
    for op in run.graph.ops:
        shape = op.broadcast_shape
        if shape is None:
            continue
        operands = []
        for tid in op.inputs:
            info = run.graph.tensors.get(tid) if tid is not None else None
            if info is None:
                continue
            padded = (1,) * (len(shape) - len(info.shape)) + tuple(info.shape)
            stretched = tuple(d for d, (a, b) in enumerate(zip(padded, shape)) if a != b)
            operands.append(BroadcastOperand(tid, names.get(tid, _scalar_name(info, tid)),
                                             tuple(info.shape), padded, stretched))
        if any(o.stretched for o in operands):
            found.append(BroadcastStep(op.id, op.grad_fn or op.op, tuple(shape),
                                       tuple(operands), op.line))
    return found


def _scalar_name(info: TensorInfo, tid: int) -> str:
    if not info.shape and info.values is not None and info.values.complete:
        return repr(info.values.data)
    return f"t{tid}"


def gradient_sums(run: Run, call: int = 0) -> list[dict]:
    """Each gradient summed back to a broadcast operand: shapes and numbers before and after."""
    names = _names(run)
    rows = []
    if call >= len(run.backward):
        return rows
    for step in run.backward[call].steps:
        for edge in step.grad_out:
            if edge.summed_from is None:
                continue
            rows.append({"node": step.name,
                         "operand": names.get(edge.to_tensor, f"t{edge.to_tensor}"),
                         "from": tuple(edge.summed_from), "to": tuple(edge.grad.shape),
                         "before": as_array(edge.unsummed), "after": as_array(edge.grad)})
    return rows


def _as_2d(a: np.ndarray) -> np.ndarray:
    return a.reshape(1, -1) if a.ndim < 2 else a.reshape(-1, a.shape[-1])


def expansion_figure(run: Run, step: BroadcastStep) -> go.Figure:
    """Each operand before (left) and after (right) expansion to the result's shape."""
    rows = len(step.operands)
    figure = make_subplots(rows=rows, cols=2, horizontal_spacing=0.08, vertical_spacing=0.12,
                           subplot_titles=[t for o in step.operands for t in (
                               f"{o.name} {o.shape}", f"{o.name} stretched to "
                                                      f"{step.result_shape}")])
    for r, operand in enumerate(step.operands, start=1):
        values = as_array(run.graph.tensors[operand.tensor].values)
        if values is None:
            continue
        expanded = np.broadcast_to(values.reshape(operand.padded), step.result_shape)
        for c, data in enumerate((values, expanded), start=1):
            flat = _as_2d(np.asarray(data, dtype=np.float64))
            figure.add_trace(go.Heatmap(z=flat, text=np.vectorize(lambda v: f"{v:.3g}")(flat),
                                        texttemplate="%{text}", colorscale="Blues",
                                        showscale=False, xgap=2, ygap=2), row=r, col=c)
            figure.update_yaxes(autorange="reversed", row=r, col=c)
    figure.update_layout(height=180 * rows + 60, margin=dict(l=10, r=10, t=50, b=10),
                         title=f"{step.label}: {' and '.join(str(o.shape) for o in step.operands)}"
                               f" → {step.result_shape}")
    return figure
