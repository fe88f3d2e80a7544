"""How tensors sit in memory: each tensor sharing a storage, mapped element by element onto the
storage's cells through its shape, strides and offset (so a transpose, an expand with stride 0
or a channels_last layout can be seen, not just read)."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ..model import Run, TensorInfo

__all__ = ["storage_positions", "sharing", "memory_figure", "layout_summary"]


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


def layout_summary(info: TensorInfo) -> str:
    """One line a learner can check against PyTorch: shape, stride, offset, contiguity."""
    kind = "contiguous" if info.is_contiguous else \
        "channels_last" if info.is_channels_last else "not contiguous"
    return (f"shape {tuple(info.shape)}, stride {tuple(info.stride)}, offset "
            f"{info.storage_offset}: {kind}")


def memory_figure(run: Run, storage_id: int, names: dict | None = None) -> go.Figure:
    """The storage as a strip of cells; below it one row per tensor, each cell of the row
    marked with the (flat) index of the element stored there."""
    tensors = sharing(run, storage_id)
    size = max([t.storage_size for t in tensors] or [0])
    names = names or {}
    for var in run.variables:
        if var.tensor is not None:
            names.setdefault(var.tensor.id, var.name)
    rows, labels, text = [], [], []
    for t in tensors:
        cells = np.full(size, np.nan)
        marks = [""] * size
        positions = storage_positions(t).reshape(-1)
        for flat, pos in enumerate(positions):
            if 0 <= pos < size:
                cells[pos] = flat
                marks[pos] = str(flat) if not marks[pos] else marks[pos] + "," + str(flat)
        rows.append(cells)
        labels.append(f"{names.get(t.id, 't' + str(t.id))} {tuple(t.shape)}")
        text.append(marks)
    figure = go.Figure(go.Heatmap(z=rows, text=text, texttemplate="%{text}",
                                  x=list(range(size)), y=labels, colorscale="Blues",
                                  showscale=False, hoverongaps=False, xgap=2, ygap=4))
    figure.update_layout(title=f"storage {storage_id}: {size} cells",
                         xaxis_title="storage cell", yaxis_autorange="reversed",
                         height=120 + 60 * len(rows), margin=dict(l=10, r=10, t=50, b=40))
    return figure
