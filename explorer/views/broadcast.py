"""Broadcasting, drawn: for each op whose operands were stretched, the shapes right-aligned with
the padded 1s, which dimensions stretch, each operand before and after expansion (a stretched
dimension repeats the same cells: stride 0), and in backward how the gradient was summed back
over those dimensions to the operand's shape. For an op that failed: the shapes right-aligned,
the dimension that cannot broadcast (or that an in-place target would have to grow) in red,
under PyTorch's own message."""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..explain import explain
from ..model import FailedOp, Run, TensorInfo
from ..texts import DEFAULT_LANGUAGE, t
from .steps import as_array

__all__ = [
    "BroadcastFailure",
    "BroadcastOperand",
    "BroadcastStep",
    "broadcast_failures",
    "broadcast_steps",
    "expansion_figure",
    "failure_figure",
    "gradient_sums",
]


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
    """The ops in which at least one operand was stretched to the result's shape. Python
    numbers (the 10 in `x * 10`) are scalars to PyTorch, not broadcast tensors: left out."""
    names = _names(run)
    found = []
    for op in run.graph.ops:
        shape = op.broadcast_shape
        if shape is None:
            continue
        operands = []
        for tid in op.inputs:
            info = run.graph.tensors.get(tid) if tid is not None else None
            if info is None or info.wrapped_number:
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


def _after(operand: BroadcastOperand, shape: tuple, lang: str) -> str:
    if not operand.stretched:
        return t("view.broadcast.already", lang, name=operand.name, shape=shape)
    return t("view.broadcast.stretched", lang, name=operand.name, shape=shape,
             dims=", ".join(map(str, operand.stretched)))


def expansion_figure(run: Run, step: BroadcastStep, lang: str = DEFAULT_LANGUAGE) -> go.Figure:
    """Each operand before (left) and after (right) expansion to the result's shape."""
    rows = len(step.operands)
    figure = make_subplots(rows=rows, cols=2, horizontal_spacing=0.08, vertical_spacing=0.12,
                           subplot_titles=[title for o in step.operands for title in (
                               f"{o.name} {o.shape}", _after(o, step.result_shape, lang))])
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
    shapes = t("view.broadcast.joined", lang).join(str(o.shape) for o in step.operands)
    figure.update_xaxes(showticklabels=False)            # cells carry their values; indices
    figure.update_yaxes(tickmode="linear", dtick=1)      # down the side, whole numbers only
    figure.update_layout(height=180 * rows + 60, margin={"l": 10, "r": 10, "t": 60, "b": 10},
                         font={"size": 16}, template="plotly_white",
                         title=f"{step.label}: {shapes} → {step.result_shape}")
    return figure


# ---- ops whose operands could not be broadcast ----------------------------------------------
_MISMATCH = re.compile(r"The size of tensor a \((\d+)\) must match the size of tensor b "
                       r"\((\d+)\) at non-singleton dimension (\d+)")
_CANNOT_GROW = re.compile(r"output with shape \[.*\] doesn't match the broadcast shape")


@dataclass(frozen=True)
class BroadcastFailure:
    op: str
    line: int | None
    shapes: tuple           # the operands' shapes as given (an in-place op's target first)
    padded: tuple           # right-aligned, with 1s in front
    bad_dims: tuple         # dims where the sizes cannot be matched (or the target must grow)
    named_dim: int | None   # the dim PyTorch's message names
    inplace: bool           # the target of an in-place op would have to grow
    result_shape: tuple | None   # in-place: the shape the result would need
    message: str            # PyTorch's first line
    explanation: str


def _pad(shapes: tuple) -> tuple:
    n = max(len(s) for s in shapes)
    return tuple((1,) * (n - len(s)) + tuple(s) for s in shapes)


def _failure(failed: FailedOp) -> BroadcastFailure | None:
    mismatch, grow = _MISMATCH.search(failed.message), _CANNOT_GROW.search(failed.message)
    shapes = tuple(s for s in failed.input_shapes if s is not None)
    if not (mismatch or grow) or len(shapes) < 2:
        return None
    padded = _pad(shapes)
    columns = list(zip(*padded))
    sizes = [{n for n in column if n != 1} for column in columns]
    if mismatch:
        bad = tuple(d for d, found in enumerate(sizes) if len(found) > 1)
        named, result = int(mismatch.group(3)), None
    else:
        result = tuple(max(column) for column in columns)
        bad = tuple(d for d, (n, r) in enumerate(zip(padded[0], result)) if n != r)
        named = None
    return BroadcastFailure(failed.op, failed.line, shapes, padded, bad, named, bool(grow),
                            result, failed.message, explain(failed.error_type, failed.message))


def broadcast_failures(run: Run) -> list[BroadcastFailure]:
    """Every op that raised because its operands' shapes could not be broadcast (or an
    in-place op's target could not take the broadcast shape), caught or not."""
    return [f for f in map(_failure, run.failed_ops) if f is not None]


# cell kinds, each with its colour: padded 1, size that fits, 1 that stretches, the failing dim
_KINDS = ("#fff2b3", "#e6e6e6", "#9ecae1", "#d62728")
_KEY = (("#d62728", "cannot"), ("#6baed6", "stretches"), ("#e6c200", "padded"))


def _key(lang: str) -> str:
    """The colour legend above the grid."""
    return "   ".join(f"<span style='color:{colour}'>■ {t(f'view.broadcast.{name}', lang)}</span>"
                      for colour, name in _KEY)


def _kind(failure: BroadcastFailure, d: int, n: int, padded_in: bool, failing_row: bool) -> int:
    if d in failure.bad_dims and failing_row and (n != 1 or failure.inplace):
        return 3
    if n == 1 and any(p[d] != 1 for p in failure.padded):
        return 2 if not failure.inplace or not failing_row else 3
    return 0 if padded_in else 1


def failure_figure(failure: BroadcastFailure, lang: str = DEFAULT_LANGUAGE) -> go.Figure:
    """The shapes right-aligned in a grid, one row per operand (and, in-place, the shape the
    result needs); padded 1s yellow, stretching 1s blue, the sizes that fail red (in-place:
    the target's dims that would have to grow); PyTorch's message as the title."""
    first = t("view.broadcast.target", lang) if failure.inplace else "a"
    names = [first, *("b", "c", "d")[:len(failure.shapes) - 1]]
    rows = [(name, shape, padded, not failure.inplace or k == 0)
            for k, (name, shape, padded) in enumerate(zip(names, failure.shapes,
                                                           failure.padded))]
    if failure.result_shape is not None:
        rows.append((t("view.broadcast.result_needs", lang), failure.result_shape,
                     failure.result_shape, False))
    z, text = [], []
    for _name, shape, padded, failing_row in rows:
        pad = len(padded) - len(shape)
        z.append([_kind(failure, d, n, d < pad, failing_row) for d, n in enumerate(padded)])
        text.append([f"<i>{n}</i>" if d < pad else f"<b>{n}</b>" for d, n in enumerate(padded)])
    scale = [[k / 3, colour] for k, colour in enumerate(_KINDS)]
    figure = go.Figure(go.Heatmap(
        z=z, text=text, texttemplate="%{text}", textfont={"size": 28}, zmin=0, zmax=3,
        colorscale=scale, showscale=False, xgap=4, ygap=4, hoverinfo="skip",
        x=[f"<b>{t('view.broadcast.dim', lang, d=d)}</b> {t('view.broadcast.in_message', lang)}"
           if d == failure.named_dim else t("view.broadcast.dim", lang, d=d)
           for d in range(len(failure.padded[0]))],
        y=[f"{name} {tuple(shape)}" for name, shape, _, _ in rows]))
    where = t("view.broadcast.at_line", lang, line=failure.line) if failure.line is not None \
        else ""
    figure.update_layout(
        title={"text": f"<b>{failure.op}</b>{where}: {failure.message}<br>"
                       f"<span style='font-size:16px'>{_key(lang)}</span>", "font": {"size": 18}},
        font={"size": 20}, template="plotly_white", yaxis_autorange="reversed",
        xaxis_side="top", height=170 + 80 * len(rows),
        margin={"l": 10, "r": 10, "t": 140, "b": 10})
    return figure
