"""How tensors sit in memory: each tensor sharing a storage, mapped element by element onto the
storage's cells through its shape, strides and offset (so a transpose, an expand with stride 0
or a channels_last layout can be seen, not just read); why view() fails where reshape() copies;
and the order in memory of the same logical tensor in two layouts (contiguous() before and
after, NCHW against channels_last), side by side."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from engine.ops.views import compute_stride

from ..model import Run, TensorInfo
from ..texts import DEFAULT_LANGUAGE, t

__all__ = [
    "ViewCheck",
    "contiguous_chunks",
    "layout_summary",
    "memory_figure",
    "order_figure",
    "sharing",
    "storage_positions",
    "tensor_named",
    "view_check",
    "view_figure",
]

FONT = {"size": 18}
DIM_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
               "#17becf")
FITS, BREAKS = "#2ca02c", "#d62728"


def storage_positions(info: TensorInfo) -> np.ndarray:
    """For every element (in index order), the storage cell it lives in."""
    index = np.full(info.shape, info.storage_offset, dtype=np.int64) if info.shape else \
        np.array(info.storage_offset)
    for dim, (n, stride) in enumerate(zip(info.shape, info.stride)):
        step = np.arange(n, dtype=np.int64) * stride
        index = index + step.reshape((-1,) + (1,) * (len(info.shape) - dim - 1))
    return index


def sharing(run: Run, storage_id: int) -> list[TensorInfo]:
    """The run's tensors that live in one storage, named variables first."""
    named = {v.tensor.id for v in run.variables if v.tensor is not None}
    infos = [t for t in run.graph.tensors.values() if t.storage_id == storage_id]
    return sorted(infos, key=lambda t: (t.id not in named, t.id))


def layout_summary(info: TensorInfo, lang: str = DEFAULT_LANGUAGE) -> str:
    """One line a learner can check against PyTorch: shape, stride, offset, contiguity."""
    kind = "contiguous" if info.is_contiguous else \
        "channels_last" if info.is_channels_last else "not_contiguous"
    return t("view.memory.summary", lang, shape=tuple(info.shape), stride=tuple(info.stride),
             offset=info.storage_offset, kind=t(f"view.memory.{kind}", lang))


def tensor_named(run: Run, name: str) -> TensorInfo:
    """The learner's variable `name` as it was at the end of the run."""
    for var in run.variables:
        if var.name == name and var.tensor is not None:
            return var.tensor
    raise KeyError(name)


def _names(run: Run) -> dict:
    return {v.tensor.id: v.name for v in reversed(run.variables) if v.tensor is not None}


def _cells(info: TensorInfo, size: int) -> list[list[int]]:
    """Per storage cell, the flat indices of the elements stored there (several: stride 0)."""
    cells: list[list[int]] = [[] for _ in range(size)]
    for flat, pos in enumerate(storage_positions(info).reshape(-1).tolist()):
        if 0 <= pos < size:
            cells[pos].append(flat)
    return cells


def memory_figure(run: Run, storage_id: int, names: dict | None = None,
                  lang: str = DEFAULT_LANGUAGE) -> go.Figure:
    """The storage as a strip of cells; below it one row per tensor, each cell of the row
    marked with the (flat) index of the element stored there."""
    tensors = sharing(run, storage_id)
    size = max([info.storage_size for info in tensors] or [0])
    names = {**_names(run), **(names or {})}
    rows, labels, text = [], [], []
    for info in tensors:
        cells = _cells(info, size)
        rows.append([c[0] if c else np.nan for c in cells])
        text.append([",".join(map(str, c)) for c in cells])
        labels.append(f"{names.get(info.id, 't' + str(info.id))} {tuple(info.shape)}")
    figure = go.Figure(go.Heatmap(z=rows, text=text, texttemplate="%{text}",
                                  x=list(range(size)), y=labels, colorscale="Blues",
                                  showscale=False, hoverongaps=False, xgap=2, ygap=4))
    figure.update_layout(title=t("view.memory.storage", lang, id=storage_id, size=size),
                         xaxis_title=t("view.memory.cell", lang), yaxis_autorange="reversed",
                         height=120 + 60 * len(rows), margin={"l": 10, "r": 10, "t": 50, "b": 40})
    return figure


# ---- why view() fails: one stride per new dim ------------------------------------------------
def contiguous_chunks(shape: tuple, stride: tuple) -> tuple:
    """The dims grouped into runs that are contiguous with one another (dim d-1 steps exactly
    over all of the run after it): view() can merge or split dims only inside such a run.
    This is the grouping PyTorch's computeStride makes; a dim of size 1 never breaks a run."""
    chunks, current = [], []
    base, numel = (stride[-1] if shape else 1), 1
    for d in range(len(shape) - 1, -1, -1):
        current.insert(0, d)
        numel *= shape[d]
        if d == 0 or (shape[d - 1] != 1 and stride[d - 1] != numel * base):
            chunks.insert(0, tuple(current))
            current = []
            if d > 0:
                base, numel = stride[d - 1], 1
    return tuple(chunks)


@dataclass(frozen=True)
class ViewCheck:
    """Whether `view(new_shape)` can relabel a tensor's memory, and why not."""

    shape: tuple
    stride: tuple
    new_shape: tuple
    chunks: tuple                 # contiguous_chunks of the tensor
    new_stride: tuple | None      # the view's strides; None: view fails, reshape copies
    spanning: tuple               # new dims that would have to cross from one chunk to another
    walks: tuple                  # per new dim: the storage cells met walking along it (others 0)

    @property
    def fits(self) -> bool:
        return self.new_stride is not None


def view_check(info: TensorInfo, new_shape: tuple) -> ViewCheck:
    """A new dim needs one stride: it must not cross from one contiguous run to the next. The
    verdict comes from the engine's computeStride; the chunks and walks explain it."""
    shape, stride = tuple(info.shape), tuple(info.stride)
    chunks = contiguous_chunks(shape, stride)
    bounds, total = set(), 1
    for chunk in reversed(chunks[1:]):
        total *= int(np.prod([shape[d] for d in chunk]))
        bounds.add(total)
    spanning, before = [], 1
    for j in range(len(new_shape) - 1, -1, -1):
        after = before * new_shape[j]
        if any(before < b < after for b in bounds):
            spanning.insert(0, j)
        before = after
    cells = storage_positions(info).reshape(new_shape)
    walks = tuple(tuple(np.moveaxis(cells, j, 0)[(slice(None),) + (0,) * (len(new_shape) - 1)]
                        .tolist()) if cells.size else () for j in range(len(new_shape)))
    stride_out = compute_stride(shape, stride, tuple(new_shape))
    return ViewCheck(shape, stride, tuple(new_shape), chunks,
                     tuple(stride_out) if stride_out is not None else None,
                     tuple(spanning) if stride_out is None else (), walks)


def _walk_traces(cells: tuple, name: str) -> list[go.Scatter]:
    """Storage cell against position: one colour per segment, green where the step equals
    the first step (one stride fits so far), red where it changes."""
    traces = []
    first = cells[1] - cells[0] if len(cells) > 1 else 0
    for k in range(len(cells) - 1):
        step = cells[k + 1] - cells[k]
        colour = FITS if step == first else BREAKS
        traces.append(go.Scatter(
            x=[k, k + 1], y=[cells[k], cells[k + 1]], mode="lines+markers+text",
            line={"color": colour, "width": 5}, marker={"size": 14, "color": "#444"},
            text=["", f"{step:+d}"], textposition="top center",
            textfont={"size": 20, "color": colour}, showlegend=False, name=name))
    if len(cells) == 1:
        traces.append(go.Scatter(x=[0], y=list(cells), mode="markers", showlegend=False,
                                 marker={"size": 14, "color": "#444"}, name=name))
    return traces


def view_figure(check: ViewCheck, name: str = "y", lang: str = DEFAULT_LANGUAGE) -> go.Figure:
    """Left: walking along the dim view() would need (the first one that spans two runs):
    the storage cells it meets and the step between them; one stride fits only if every step
    is the same. Right: what reshape() gives, a fresh contiguous copy when view cannot."""
    new = ", ".join(map(str, check.new_shape))
    j = check.spanning[0] if check.spanning else 0
    copy = np.arange(int(np.prod(check.new_shape))).reshape(check.new_shape)
    copy_walk = tuple(np.moveaxis(copy, j, 0)[(slice(None),) + (0,) * (len(check.new_shape) - 1)]
                      .tolist()) if copy.size else ()
    left = t("view.memory.view_fits", lang, call=f"{name}.view({new})", stride=check.new_stride) \
        if check.fits else t("view.memory.view_fails", lang, call=f"{name}.view({new})", dim=j)
    right = t("view.memory.reshape_same" if check.fits else "view.memory.reshape_copies", lang,
              call=f"{name}.reshape({new})")
    figure = make_subplots(rows=1, cols=2, subplot_titles=(left, right), horizontal_spacing=0.1)
    for trace in _walk_traces(check.walks[j] if check.walks else (), name):
        figure.add_trace(trace, row=1, col=1)
    for trace in _walk_traces(check.walks[j] if check.fits else copy_walk, name):
        figure.add_trace(trace, row=1, col=2)
    runs = " ".join("[" + " ".join(map(str, c)) + "]" for c in check.chunks)
    figure.update_layout(
        title=t("view.memory.view_title", lang, name=name, shape=check.shape,
                stride=check.stride, runs=runs), font=FONT, template="plotly_white", height=460,
        margin={"l": 10, "r": 10, "t": 90, "b": 10})
    figure.update_annotations(font=FONT)
    figure.update_xaxes(title=t("view.memory.walk_axis", lang, dim=j), dtick=1)
    figure.update_yaxes(title=t("view.memory.cell", lang), dtick=1, col=1)
    figure.update_yaxes(title=t("view.memory.new_cell", lang), dtick=1, col=2)
    return figure


# ---- the same logical tensor, two orders in memory ------------------------------------------
def _colour_scale(colour_dim: int | None):
    top = len(DIM_COLOURS) - 1
    if colour_dim is None:
        return {"colorscale": "Blues"}
    return {"colorscale": [[k / top, c] for k, c in enumerate(DIM_COLOURS)], "zmin": 0,
            "zmax": top}


def _values(info: TensorInfo) -> np.ndarray | None:
    if info.values is None or not info.values.complete:
        return None
    return np.asarray(info.values.data).reshape(-1)


def _short(value) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def _logical_trace(info: TensorInfo, colour_dim: int | None) -> go.Heatmap:
    """The tensor as a learner indexes it: padded to (N, C, H, W), image n is a row of C
    blocks of H×W cells, with a blank line between blocks."""
    shape = (1,) * (4 - len(info.shape)) + tuple(info.shape)
    n, c, h, w = shape
    z = np.full((n * (h + 1) - 1, c * (w + 1) - 1), np.nan)
    text = np.full(z.shape, "", dtype=object)
    values = _values(info)
    pad = 4 - len(info.shape)
    for flat, index in enumerate(np.ndindex(*shape)):
        row, col = index[0] * (h + 1) + index[2], index[1] * (w + 1) + index[3]
        z[row, col] = flat if colour_dim is None else index[colour_dim + pad]
        text[row, col] = _short(values[flat]) if values is not None else str(flat)
    return go.Heatmap(z=z, text=text, texttemplate="%{text}", showscale=False, xgap=3, ygap=3,
                      hoverinfo="skip", textfont={"size": 16, "color": "white"},
                      **_colour_scale(colour_dim))


def _strip_trace(info: TensorInfo, name: str, size: int, colour_dim: int | None,
                 lang: str) -> go.Heatmap:
    """One row of storage cells, each showing the value stored there and coloured by the
    element's index along colour_dim."""
    cells = _cells(info, size)
    values = _values(info)
    index = [np.unravel_index(c[0], info.shape) if c else None for c in cells]
    z = [np.nan if i is None else (c[0] if colour_dim is None else int(i[colour_dim]))
         for i, c in zip(index, cells)]
    text = ["" if not c else _short(values[c[0]]) if values is not None else str(c[0])
            for c in cells]
    hover = ["" if i is None else f"{name}{list(map(int, i))}" for i in index]
    return go.Heatmap(z=[z], text=[text], customdata=[hover], texttemplate="%{text}",
                      x=list(range(size)), y=[name],
                      hovertemplate=t("view.memory.hover_cell", lang)
                      + " %{x}: %{customdata}<extra></extra>",
                      showscale=False, hoverongaps=False, xgap=3,
                      textfont={"size": 16, "color": "white"}, **_colour_scale(colour_dim))


def order_figure(run: Run, names: list[str], colour_dim: int | None = None,
                 lang: str = DEFAULT_LANGUAGE) -> go.Figure:
    """Side by side: left, the logical tensor (that of the first name; the others hold the same
    elements); right, one storage strip per named tensor in memory order, each cell showing
    the value stored there. Colour is the element's index along `colour_dim` (e.g. 1, the
    channel of an NCHW batch: NCHW stores each channel as one block, channels_last
    interleaves them), else its position in index order. Text in a strip is the value."""
    infos = [tensor_named(run, name) for name in names]
    size = max(info.storage_size for info in infos)
    specs = [[{"rowspan": len(names)}, {}]] + [[None, {}] for _ in names[1:]]
    figure = make_subplots(rows=len(names), cols=2, specs=specs, column_widths=[0.3, 0.7],
                           horizontal_spacing=0.12, vertical_spacing=0.35 / len(names),
                           subplot_titles=[f"<b>{names[0]}</b> {tuple(infos[0].shape)}",
                                           *(t("view.memory.in_memory", lang,
                                               name=f"<b>{name}</b>", stride=tuple(info.stride))
                                             for name, info in zip(names, infos))])
    figure.add_trace(_logical_trace(infos[0], colour_dim), row=1, col=1)
    figure.update_xaxes(visible=False, row=1, col=1)
    figure.update_yaxes(visible=False, autorange="reversed", row=1, col=1)
    for r, (name, info) in enumerate(zip(names, infos), start=1):
        figure.add_trace(_strip_trace(info, name, size, colour_dim, lang), row=r, col=2)
        figure.update_xaxes(title=t("view.memory.cell", lang) if r == len(names) else None,
                            row=r, col=2)
        figure.update_yaxes(visible=False, row=r, col=2)
    what = t("view.memory.colour_dim", lang, dim=colour_dim) if colour_dim is not None else \
        t("view.memory.colour_order", lang)
    figure.update_layout(title=t("view.memory.order_title", lang, what=what), font=FONT,
                         template="plotly_white", height=200 + 110 * len(names),
                         margin={"l": 10, "r": 10, "t": 70, "b": 40})
    figure.update_annotations(font=FONT)
    return figure
