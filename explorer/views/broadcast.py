"""Broadcasting, drawn: for each op whose operands were stretched, the shapes right-aligned with
the padded 1s, which dimensions stretch, each operand before and after expansion (a stretched
dimension repeats the same cells: stride 0), and in backward how the gradient was summed back
over those dimensions to the operand's shape. For an op that failed: the shapes right-aligned,
the dimension that cannot broadcast (or that an in-place target would have to grow) in red,
under PyTorch's own message."""
from __future__ import annotations

import math
import re
import textwrap
from dataclasses import dataclass, replace

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..explain import explain
from ..markup import plotly
from ..model import FailedOp, Run, TensorInfo
from ..texts import DEFAULT_LANGUAGE, t
from .names import expressions, shortened, tensor_names
from .numbers import torch_numbers
from .steps import as_array

__all__ = [
    "BroadcastFailure",
    "BroadcastOperand",
    "BroadcastStep",
    "MAX_FAILURE_FIGURES",
    "broadcast_failures",
    "broadcast_steps",
    "expansion_figure",
    "failure_figure",
    "failures_not_drawn",
    "gradient_sums",
    "learner_names",
    "torch_numbers",          # from .numbers, where every view gets it
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
    op: int                 # the first op of this kind (see count)
    label: str              # grad_fn name or op name
    result_shape: tuple
    operands: tuple         # BroadcastOperand per tensor input (or per input summed back)
    line: int | None
    count: int = 1          # ops like it, one per turn of a loop


def learner_names(run: Run) -> dict[int, str]:
    """tensor id -> the one name a picture calls it by: its first variable, else its Module
    parameter path (`model.0.weight`); never an internal id."""
    return {tid: found[0] for tid, found in tensor_names(run).items()}


def _summed_back(run: Run) -> dict:
    """node id -> {input tensor: the shape its gradient was summed from}: what backward shows
    of a broadcast the forward did not record (Linear's bias, added inside addmm)."""
    summed: dict = {}
    for call in run.backward:
        for step in call.steps:
            for edge in step.grad_out:
                if edge.summed_from is not None and edge.to_tensor is not None:
                    summed.setdefault(step.node_id, {})[edge.to_tensor] = tuple(edge.summed_from)
    return summed


def broadcast_steps(run: Run) -> list[BroadcastStep]:
    """The ops in which at least one operand was stretched to a larger shape: seen in the
    forward (the op's broadcast shape), or in backward (a gradient summed back to an operand's
    shape, e.g. the bias of nn.Linear): either way the op broadcast. Python numbers (the 10 in
    `x * 10`) are scalars to PyTorch, not broadcast tensors: left out. The same op on the same
    line with the same shapes (a loop) is listed once, counted."""
    names = learner_names(run)
    summed = _summed_back(run)
    found: dict[tuple, BroadcastStep] = {}
    for op in run.graph.ops:
        shape = op.broadcast_shape
        backward = summed.get(op.node_id, {}) if op.node_id is not None else {}
        if shape is None and not backward:
            continue
        operands = []
        for tid in dict.fromkeys(op.inputs):
            info = run.graph.tensors.get(tid) if tid is not None else None
            if info is None or info.wrapped_number:
                continue
            target = tuple(shape) if shape is not None else backward.get(tid)
            if target is None:
                continue              # a matrix operand of addmm: not broadcast
            padded = (1,) * (len(target) - len(info.shape)) + tuple(info.shape)
            stretched = tuple(d for d, (a, b) in enumerate(zip(padded, target)) if a != b)
            name = shortened(names[tid]) if tid in names else _scalar_name(info, tid)
            operands.append(BroadcastOperand(tid, name, tuple(info.shape), padded, stretched))
        if not any(o.stretched for o in operands):
            continue
        result = tuple(shape) if shape is not None else \
            max((tuple(s) for s in backward.values()), key=len)
        key = (op.line, op.grad_fn or op.op, result,
               tuple((o.name, o.shape) for o in operands))
        seen = found.get(key)
        found[key] = replace(seen, count=seen.count + 1) if seen else BroadcastStep(
            op.id, op.grad_fn or op.op, result, tuple(operands), op.line)
    return list(found.values())


def _scalar_name(info: TensorInfo, tid: int) -> str:
    """An operand bound to no name: a 0-d tensor by its value, any other by its shape."""
    if not info.shape and info.values is not None and info.values.complete:
        return torch_numbers([info.values.data])[0]
    return "(" + "×".join(map(str, info.shape)) + ")"


def gradient_sums(run: Run, call: int = 0) -> list[dict]:
    """Each gradient summed back to a broadcast operand: shapes and numbers before and after."""
    names = learner_names(run)
    rows = []
    if call >= len(run.backward):
        return rows
    for step in run.backward[call].steps:
        for edge in step.grad_out:
            if edge.summed_from is None:
                continue
            rows.append({"node": step.name,
                         "operand": shortened(names[edge.to_tensor]) if edge.to_tensor in names
                         else "(" + "×".join(map(str, edge.grad.shape)) + ")",
                         "from": tuple(edge.summed_from), "to": tuple(edge.grad.shape),
                         "before": as_array(edge.unsummed), "after": as_array(edge.grad)})
    return rows


def _as_2d(a: np.ndarray) -> np.ndarray:
    return a.reshape(1, -1) if a.ndim < 2 else a.reshape(-1, a.shape[-1])


CELLS = 32     # rows and columns drawn of an operand read as a table (leading dims as rows)


def _window(a: np.ndarray) -> np.ndarray:
    """The first CELLS rows and columns of `a` read as a table, taken before anything is
    copied: a one-element operand stretched to a result of 20 million cells made a 400 MB
    figure."""
    if a.ndim == 0:
        return a
    keep, budget = [], CELLS
    for n in reversed(a.shape[:-1]):        # once a dim is cut, the dims outside it keep one
        keep.append(max(1, min(n, budget)))
        budget = budget // n if n <= budget else 0
    return a[tuple(slice(0, k) for k in reversed(keep)) + (slice(0, CELLS),)]


def _after(operand: BroadcastOperand, shape: tuple, lang: str) -> str:
    if not operand.stretched:
        return t("view.broadcast.already", lang, name=operand.name, shape=shape)
    return t("view.broadcast.stretched", lang, name=operand.name, shape=shape,
             dims=", ".join(map(str, operand.stretched)))


def expansion_figure(run: Run, step: BroadcastStep, lang: str = DEFAULT_LANGUAGE) -> go.Figure:
    """Each operand before (left) and after (right) expansion to the result's shape."""
    rows = len(step.operands)
    cut = " …" if _window(np.broadcast_to(False, step.result_shape)).size < \
        math.prod(step.result_shape) else ""
    figure = make_subplots(rows=rows, cols=2, horizontal_spacing=0.08, vertical_spacing=0.12,
                           subplot_titles=[plotly(title)
                                           for o in step.operands for title in (
                               f"{o.name} {o.shape}", _after(o, step.result_shape, lang) + cut)])
    for r, operand in enumerate(step.operands, start=1):
        values = run.graph.tensors[operand.tensor].values
        if values is None or not values.complete:
            continue
        raw = np.asarray(values.data).reshape(operand.shape)      # ints stay ints: 1, not 1.
        expanded = np.broadcast_to(raw.reshape(operand.padded), step.result_shape)
        for c, data in enumerate((_window(raw), _window(expanded)), start=1):
            flat = _as_2d(np.asarray(data, dtype=np.float64))
            text = np.reshape(torch_numbers(np.asarray(data).reshape(-1).tolist()), flat.shape)
            figure.add_trace(go.Heatmap(z=flat, text=text, texttemplate="%{text}",
                                        colorscale="Blues", showscale=False, xgap=2, ygap=2),
                             row=r, col=c)
            figure.update_yaxes(autorange="reversed", row=r, col=c)
    shapes = t("view.broadcast.joined", lang).join(str(o.shape) for o in step.operands)
    figure.update_xaxes(showticklabels=False)            # cells carry their values; indices
    figure.update_yaxes(tickmode="linear", dtick=1)      # down the side, whole numbers only
    figure.update_layout(height=180 * rows + 60, margin={"l": 10, "r": 10, "t": 60, "b": 10},
                         font={"size": 16},
                         title=plotly(f"{step.label}: {shapes} → {step.result_shape}"))
    return figure


# ---- ops whose operands could not be broadcast ----------------------------------------------
# Bounded repeats only, on a bounded prefix of the message: a crafted message (any learner can
# raise one) must not make these backtrack. A shape has at most 64 dims of 19 digits each.
_MISMATCH = re.compile(r"The size of tensor a \((\d{1,20})\) must match the size of tensor b "
                       r"\((\d{1,20})\) at non-singleton dimension (\d{1,20})")
_CANNOT_GROW = re.compile(r"output with shape \[[\d, ]{0,1400}\] doesn't match the "
                          r"broadcast shape")
_SEARCHED = 4000              # characters of a message the patterns look at


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
    count: int = 1          # times it failed alike (a loop of caught errors)
    names: tuple = ()       # what the learner calls each operand (`h`, `x @ w`), or ""


def _pad(shapes: tuple) -> tuple:
    n = max(len(s) for s in shapes)
    return tuple((1,) * (n - len(s)) + tuple(s) for s in shapes)


def _failure(failed: FailedOp, known: dict | None = None) -> BroadcastFailure | None:
    """`known`: tensor id -> the learner's name for it, for the operands' rows."""
    head = failed.message[:_SEARCHED]
    mismatch, grow = _MISMATCH.search(head), _CANNOT_GROW.search(head)
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
    ids = [t for s, t in zip(failed.input_shapes, failed.inputs) if s is not None] \
        if len(failed.inputs) == len(failed.input_shapes) else []
    names = tuple((known or {}).get(t, "") for t in ids) if len(ids) == len(shapes) else ()
    return BroadcastFailure(failed.op, failed.line, shapes, padded, bad, named, bool(grow),
                            result, failed.message, explain(failed.error_type, failed.message),
                            failed.count, names)


def broadcast_failures(run: Run) -> list[BroadcastFailure]:
    """Every op kept (see Graph.failed) that raised because its operands' shapes could not be
    broadcast (or an in-place op's target could not take the broadcast shape), caught or not."""
    names = tensor_names(run)
    ids = {t for f in run.failed_ops for t in f.inputs if t is not None}
    known = {t: found[0] for t, found in names.items() if t in ids}
    known.update((t, text) for t, text in expressions(run, names, ids - set(known)).items())
    return [f for f in (_failure(failed, known) for failed in run.failed_ops) if f is not None]


MAX_FAILURE_FIGURES = 3    # failure pictures drawn; the rest are counted in one sentence


def failures_not_drawn(run: Run, failures: list, lang: str = DEFAULT_LANGUAGE) -> str:
    """The sentence after the first MAX_FAILURE_FIGURES of `failures` (broadcast_failures)
    counting the failed ops not drawn: those left over, and those the run only counted; ""
    when every one is drawn."""
    left = sum(f.count for f in failures[MAX_FAILURE_FIGURES:]) + run.graph.more_failed
    return t("view.broadcast.more_failed", lang, n=f"{left:,}") if left else ""


# cell kinds, each with its colour: padded 1, size that fits, 1 that stretches, the failing dim
_KINDS = ("#fff2b3", "#e6e6e6", "#9ecae1", "#d62728")
_KEY = (("#d62728", "cannot"), ("#6baed6", "stretches"), ("#e6c200", "padded"))


TITLE_WIDTH = 42      # characters per line of a failure's title: whole on a 400 px phone


def _key(lang: str) -> str:
    """The colour legend above the grid, on two lines (one line ran off a phone's screen)."""
    items = [f"<span style='color:{colour}'>■ {t(f'view.broadcast.{name}', lang)}</span>"
             for colour, name in _KEY]
    return "   ".join(items[:2]) + "<br>" + "   ".join(items[2:])


def _title_lines(op: str, where: str, message: str) -> list[str]:
    """"op (line n): PyTorch's message" in lines of at most TITLE_WIDTH characters, as Plotly
    text with the op in bold: a Plotly title never wraps, so on a phone it was cut off."""
    lines = textwrap.wrap(f"{op}{where}: {message}", TITLE_WIDTH, break_long_words=True,
                          break_on_hyphens=False) or [""]
    first = lines[0]
    bold = f"<b>{plotly(op)}</b>{plotly(first[len(op):])}" if first.startswith(op) else \
        plotly(first)
    return [bold, *map(plotly, lines[1:])]


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
    letters = [first, *("b", "c", "d")[:len(failure.shapes) - 1]]
    # the message's letter (tensor a, tensor b) and the learner's name for it: "a: h"
    names = [f"{letter}: {plotly(name)}" if name and name != letter else letter
             for letter, name in zip(letters, failure.names or ("",) * len(letters))]
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
    if failure.count > 1:
        where += t("view.broadcast.failed_times", lang, n=f"{failure.count:,}")
    lines = _title_lines(failure.op, where, failure.message)
    top = 60 + 24 * len(lines) + 2 * 21          # the title's lines, then the key's two
    height = top + 30 + 80 * len(rows)
    figure.update_layout(
        title={"text": "<br>".join(lines) +
                       f"<br><span style='font-size:16px'>{_key(lang)}</span>",
               "font": {"size": 18}, "y": 1 - 30 / height, "yref": "container",
               "yanchor": "top"},
        font={"size": 20}, yaxis_autorange="reversed",
        xaxis_side="top", height=height,
        margin={"l": 10, "r": 10, "t": top, "b": 10})
    return figure
