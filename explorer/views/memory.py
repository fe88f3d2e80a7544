"""How tensors sit in memory: each tensor sharing a storage, mapped element by element onto the
storage's cells through its shape, strides and offset (so a transpose, an expand with stride 0
or a channels_last layout can be seen, not just read); why view() fails where reshape() copies;
and the order in memory of the same logical tensor in two layouts (contiguous() before and
after, NCHW against channels_last), side by side."""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..markup import plotly
from ..model import Run, TensorInfo
from ..texts import DEFAULT_LANGUAGE, t
from .broadcast import learner_names, torch_numbers
from .names import parameter_paths

__all__ = [
    "Sharer",
    "VersionStep",
    "ViewCheck",
    "contiguous_chunks",
    "layout_summary",
    "memory_figure",
    "memory_order",
    "order_figure",
    "sharers",
    "sharing",
    "storage_positions",
    "tensor_named",
    "version_steps",
    "version_table",
    "view_check",
    "view_figure",
    "visit_order",
]

FONT = {"size": 18}
DIM_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
               "#17becf")
FITS, BREAKS = "#2ca02c", "#d62728"


CHUNK = 1 << 18      # elements whose cells are computed at once
WALK_STEPS = 24      # steps of a walk along one dim that a view check draws
WALKED = 1 << 22     # elements at most visited to place indices in cells, whatever the numel


def positions_of(info: TensorInfo, flat: np.ndarray) -> np.ndarray:
    """The storage cell of each element given by its flat index (index order)."""
    if not info.shape:
        return np.full(np.shape(flat), info.storage_offset, dtype=np.int64)
    index = np.unravel_index(np.asarray(flat, dtype=np.int64), tuple(info.shape))
    cells = np.full(np.shape(flat), info.storage_offset, dtype=np.int64)
    for i, stride in zip(index, info.stride):
        cells += i * stride
    return cells


def position_chunks(info: TensorInfo):
    """(first flat index, cells) for the first WALKED elements in index order, CHUNK at a
    time: an expand makes any number of elements over one cell (2**61 is a valid view), and
    the picture is drawn for every viewer, so its time and memory stay bounded."""
    numel = min(math.prod(info.shape), WALKED)
    for start in range(0, numel, CHUNK):
        yield start, positions_of(info, np.arange(start, min(numel, start + CHUNK)))


def storage_positions(info: TensorInfo) -> np.ndarray:
    """For every element (in index order), the storage cell it lives in: for small tensors
    (the cell-by-cell pictures and tests); bigger ones go through position_chunks."""
    return positions_of(info, np.arange(math.prod(info.shape))).reshape(info.shape)


def _read(info: TensorInfo, size: int) -> np.ndarray:
    """Which of the first `size` storage cells the tensor reads, in time and memory bounded by
    `size` however many elements it has: start from its first cell, and let each dim of n
    steps of stride s add every cell fewer than n steps on from one already read (doubling
    the steps covered each pass)."""
    read = np.zeros(size, dtype=bool)
    if not 0 <= info.storage_offset < size or 0 in info.shape:
        return read
    read[info.storage_offset] = True
    for n, step in zip(info.shape, info.stride):
        covered = 1
        while 0 < step and covered < n and covered * step < size:
            shift = min(covered, n - covered) * step
            read[shift:] |= read[:-shift]
            covered += shift // step
    return read


def _nested(info) -> tuple | None:
    """The layout's dims that step (size > 1, stride not 0) as (size, stride), largest stride
    first, with the first cell they start from, when each dim steps over all the dims after it
    (a contiguous tensor, a slice, a transpose, channels_last: no two elements share a cell);
    None when some overlap (unfold, as_strided). A NumPy array's backward dims are turned
    round: the same cells, read from the other end."""
    start, dims = info.storage_offset, []
    for n, s in zip(info.shape, info.stride):
        if n > 1 and s:
            if s < 0:
                start, s = start + (n - 1) * s, -s
            dims.append((n, s))
    dims.sort(key=lambda d: d[1])
    extent = 1
    for n, s in dims:
        if s < extent:
            return None
        extent += (n - 1) * s
    return start, dims[::-1]


def _count_in(dims: list, start: int, low: int, high: int) -> int:
    """How many cells in [low, high) a nested layout (see _nested) reads: the blocks of its
    outer dim that lie wholly inside count whole, and only the two that may cross an end are
    walked into, so the work is the number of dims squared, whatever the storage's size."""
    if not dims:
        return int(low <= start < high)
    (n, s), rest = dims[0], dims[1:]
    extent = 1 + sum((m - 1) * t for m, t in rest)
    first = max(0, -(-(low - start) // s))           # the first block starting at low or after
    last = min(n - 1, (high - extent - start) // s)  # the last block ending by high
    total = max(0, last - first + 1) * math.prod(m for m, _ in rest)
    for i in {first - 1, last + 1}:
        if 0 <= i < n and not first <= i <= last:
            total += _count_in(rest, start + i * s, low, high)
    return total


def _read_fractions(info, size: int, width: int) -> list[float]:
    """The share of the cells of each square of `width` cells (the last one may be shorter)
    that the tensor reads: counted on the squares for the usual layouts, whatever the
    storage's size; cell by cell when elements overlap (memory_figure draws at most WALKED
    cells)."""
    bounds = [(low, min(size, low + width)) for low in range(0, size, width)]
    if 0 in info.shape:
        return [0.0] * len(bounds)
    nested = _nested(info)
    if nested is not None:
        counts = [_count_in(nested[1], nested[0], low, high) for low, high in bounds]
    else:
        read = np.zeros(len(bounds) * width, dtype=bool)
        read[:size] = _read(info, size)
        counts = read.reshape(len(bounds), width).sum(axis=1).tolist()
    return [min(1.0, c / (high - low)) for c, (low, high) in zip(counts, bounds)]


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


@dataclass(frozen=True)
class Sharer:
    """One way of reading a storage: a tensor (or NumPy array) with its layout and its name."""

    name: str
    kind: str                  # "tensor", "parameter", "ndarray" or "temporary"
    shape: tuple
    stride: tuple
    storage_offset: int
    dtype: str
    count: int = 1             # temporaries with this name and layout (one per loop turn)

    @property
    def label(self) -> str:
        times = f" ×{self.count}" if self.count > 1 else ""
        return f"{self.name} {tuple(self.shape)}{times}"


def _layout(info) -> tuple:
    return tuple(info.shape), tuple(info.stride), info.storage_offset


def _producers(run: Run) -> dict:
    """Each tensor id -> the first recorded op that output it."""
    made: dict = {}
    for op in run.graph.ops:
        for tid in op.outputs:
            made.setdefault(tid, op)
    return made


def _expression(op, run: Run, names: dict, layouts: dict) -> str:
    """What made a temporary, in the learner's names: `t(x)`, `mul(a, b)`; a tensor no
    recorded op made (a factory call inside an expression) is just `tensor`."""
    if op is None:
        return "tensor"      # made where no op was recorded (torch.arange inside an expression)
    args = []
    for k in op.inputs:
        info = run.graph.tensors.get(k) if k is not None else None
        if info is None or info.wrapped_number:
            continue
        args.append(names.get(k) or layouts.get((info.storage_id, *_layout(info)), "…"))
    return f"{op.op}({', '.join(args)})"


def sharers(run: Run, storage_id: int, focus: int | None = None) -> list[Sharer]:
    """Everything that reads one storage, named: the focused tensor first, then the learner's
    variables and Module parameters, then NumPy arrays over the same memory, then the
    temporaries (tensors bound to no name) that read it some other way, each called by the op
    that made it and counted once per layout. A temporary laid out exactly like a named tensor
    (an older version of it, a detach()) adds nothing and is left out."""
    names = learner_names(run)
    parameters = parameter_paths(run)
    infos = sharing(run, storage_id)
    named = sorted((i for i in infos if i.id in names), key=lambda i: (i.id != focus, i.id))
    rows, layouts = [], {}
    for info in named:
        layouts.setdefault((info.storage_id, *_layout(info)), names[info.id])
        kind = "parameter" if info.id in parameters else "tensor"
        rows.append(Sharer(names[info.id], kind, *_layout(info), info.dtype))
    for var in run.variables:
        array = var.array
        if array is not None and array.storage_id == storage_id:
            rows.append(Sharer(var.name, "ndarray", tuple(array.shape), tuple(array.stride),
                               array.storage_offset, array.dtype))
    temporaries: dict[tuple, Sharer] = {}
    made = _producers(run)
    for info in infos:
        key = (info.storage_id, *_layout(info))
        if info.id in names or key in layouts or info.wrapped_number:
            continue
        name = _expression(made.get(info.id), run, names, layouts)
        seen = temporaries.get((name, key))
        temporaries[(name, key)] = Sharer(name, "temporary", *_layout(info), info.dtype,
                                          seen.count + 1 if seen else 1)
    return rows + list(temporaries.values())


def _cells(info, size: int, most: int = 4) -> list[list[int]]:
    """Per storage cell, the flat indices of the first `most` elements stored there (several:
    stride 0, as after an expand). Each chunk is sorted by cell, so Python touches at most
    `most` indices per cell, and the walk stops once every cell the tensor reads is full."""
    cells: list[list[int]] = [[] for _ in range(size)]
    wanted = np.flatnonzero(_read(info, size)).tolist()
    for start, chunk in position_chunks(info):
        inside = np.flatnonzero((chunk >= 0) & (chunk < size))
        order = np.argsort(chunk[inside], kind="stable")     # by cell, index order within one
        where, flat = chunk[inside][order], inside[order] + start
        rank = np.arange(where.size) - np.searchsorted(where, where)
        for pos, k in zip(where[rank < most].tolist(), flat[rank < most].tolist()):
            if len(cells[pos]) < most:
                cells[pos].append(k)
        if all(len(cells[pos]) >= most for pos in wanted):
            break
    return cells


CELL_TEXT = 24       # a storage up to this many cells is drawn cell by cell, with indices
BINS = 48            # a larger one in this many squares, each shaded by how much a tensor reads
MAX_ROWS = 10        # rows drawn; the rest are counted in the title


def _placeable(row: Sharer, dtype: str) -> bool:
    """A NumPy array is drawn cell by cell only when it reads the storage's own element type."""
    return row.kind != "ndarray" or dtype.replace("torch.", "") == row.dtype


def memory_figure(run: Run, storage_id: int, lang: str = DEFAULT_LANGUAGE,
                  focus: int | None = None) -> go.Figure:
    """The storage as a strip of cells, one row per thing that reads it (see `sharers`). A
    small storage shows in each cell the flat index of the element stored there; a large
    one (a 8×3×32×32 batch has 24,576 cells) is cut into squares shaded by the share of
    their cells a row reads, so a slice, a channel or a view's gaps stay visible."""
    tensors = sharing(run, storage_id)
    whole = max([info.storage_size for info in tensors] or [0])
    size = min(whole, WALKED)   # the cells drawn: a meta tensor's storage, which holds nothing,
    #                             may have any size, so the picture stays bounded
    dtype = tensors[0].dtype if tensors else ""
    rows = sharers(run, storage_id, focus)
    hidden, rows = rows[MAX_ROWS:], [r for r in rows[:MAX_ROWS] if _placeable(r, dtype)]
    width = 1 if size <= CELL_TEXT else -(-size // BINS)
    columns = -(-size // width) if size else 0
    z, text = [], []
    for row in rows:
        if width == 1:
            cells = _cells(row, size)
            z.append([c[0] if c else np.nan for c in cells])
            text.append([",".join(map(str, c)) for c in cells])
            continue
        fractions = _read_fractions(row, size, width)
        z.append([f if f else np.nan for f in fractions])
        text.append([""] * columns)
    title = t("view.memory.storage_one" if whole == 1 else "view.memory.storage", lang,
              id=storage_id, size=f"{whole:,}")
    if size < whole:
        title += t("view.memory.first_cells", lang, cells=f"{size:,}")
    if width > 1:
        title += t("view.memory.per_square", lang, cells=f"{width:,}")
    if hidden:
        title += t("view.memory.more_rows", lang, n=len(hidden))
    figure = go.Figure(go.Heatmap(
        z=z, text=text, texttemplate="%{text}", x=[k * width for k in range(columns)],
        hovertemplate=t("view.memory.hover_index" if width == 1 else "view.memory.hover_bin",
                        lang) + "<extra></extra>",
        y=[plotly(r.label + (" · NumPy" if r.kind == "ndarray" else "")) for r in rows],
        colorscale="Blues", zmin=0 if width > 1 else None,
        zmax=1 if width > 1 else None, showscale=False, hoverongaps=False, xgap=2, ygap=4,
        textfont={"size": 14}))
    figure.update_layout(title={"text": title, "font": {"size": 16}},
                         xaxis_title=t("view.memory.cell", lang), yaxis_autorange="reversed",
                         xaxis_dtick=1 if width == 1 else None,     # whole cells, no 0.5
                         font={"size": 14},
                         height=150 + 50 * len(rows), margin={"l": 10, "r": 10, "t": 70, "b": 40})
    return figure


# ---- the version counter: what bumps it -------------------------------------------------------
@dataclass(frozen=True)
class VersionStep:
    """In-place ops that wrote the storage, one source line at a time (a loop's turns folded)."""

    line: int | None
    code: str                  # the learner's line, as written
    op: str                    # registry name, e.g. "add" (in-place: add_)
    written: str               # the name of the tensor it wrote through
    first: int                 # version counter after the first of these ops
    last: int                  # ... after the last
    count: int


def version_steps(run: Run, info: TensorInfo) -> list[VersionStep]:
    """Every recorded in-place op on `info`'s storage (through it or a view of it: they share
    one version counter, `t._version`), with the counter just after it. Reads and
    out-of-place ops leave the counter alone; consecutive turns of one line are folded."""
    names = learner_names(run)
    layouts = {}
    for tid, name in names.items():
        other = run.graph.tensors.get(tid)
        if other is not None:
            layouts.setdefault((other.storage_id, *_layout(other)), name)
    lines = run.source.splitlines()
    steps: list[VersionStep] = []
    for op in run.graph.ops:
        if not op.inplace or not op.versions or not op.outputs:
            continue
        out = run.graph.tensors.get(op.outputs[0])
        if out is None or out.storage_id != info.storage_id:
            continue
        written = names.get(out.id) or layouts.get((out.storage_id, *_layout(out)), "…")
        version = op.versions[0]
        code = lines[op.line - 1].strip() if op.line and 0 < op.line <= len(lines) else ""
        name = op.op if op.op.endswith("_") else f"{op.op}_"
        last = steps[-1] if steps else None
        if last is not None and (last.line, last.op, last.written) == (op.line, name, written):
            steps[-1] = dataclasses.replace(last, last=version, count=last.count + 1)
        else:
            steps.append(VersionStep(op.line, code, name, written, version, version, 1))
    return steps


def version_table(steps: list[VersionStep], lang: str = DEFAULT_LANGUAGE) -> list[dict]:
    """The steps as table rows a learner reads top to bottom: line, code, op, counter after."""
    rows = []
    for step in steps:
        after = str(step.last) if step.count == 1 else \
            t("view.memory.versions_folded", lang, first=step.first, last=step.last,
              n=step.count)
        rows.append({t("view.memory.line", lang): step.line or "",     # what matters first:
                     t("view.memory.code", lang): step.code,            # a phone shows only
                     t("view.memory.version_after", lang): after,       # the first columns
                     t("view.memory.written", lang): step.written,
                     t("view.memory.op", lang): step.op})
    return rows


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
    walks: tuple                  # per new dim: the first WALK_STEPS storage cells met walking
                                  # along it (the other indices at 0)

    @property
    def fits(self) -> bool:
        return self.new_stride is not None


def view_check(info: TensorInfo) -> ViewCheck:
    """Whether view(-1) can relabel the tensor's memory: one stride must walk every element,
    so no contiguous run may end before the last. The verdict is the engine's (computeStride's,
    carried in the Run as TensorInfo.flat_stride); the runs and the walk explain it."""
    shape, stride = tuple(info.shape), tuple(info.stride)
    chunks = contiguous_chunks(shape, stride)
    numel = math.prod(shape)
    runs = [math.prod(shape[d] for d in chunk) for chunk in chunks]
    new_shape = (numel,)
    walks = (tuple(positions_of(info, np.arange(min(numel, WALK_STEPS))).tolist()),)
    fits = info.flat_stride is not None
    spanning = () if fits or sum(n > 1 for n in runs) < 2 else (0,)
    return ViewCheck(shape, stride, new_shape, chunks,
                     (info.flat_stride,) if fits else None, spanning, walks)


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
    name = plotly(name)          # a Module child's name, part of a parameter's path, is any text
    new = ", ".join(map(str, check.new_shape))
    j = check.spanning[0] if check.spanning else 0
    numel = math.prod(check.new_shape)
    copy_walk = tuple((np.arange(min(check.new_shape[j], WALK_STEPS)) *
                       math.prod(check.new_shape[j + 1:])).tolist()) if numel else ()
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
                stride=check.stride, runs=runs), font=FONT, height=460,
        margin={"l": 10, "r": 10, "t": 90, "b": 10})
    figure.update_annotations(font=FONT)
    figure.update_xaxes(title=t("view.memory.walk_axis", lang, dim=j), dtick=1)
    figure.update_yaxes(title=t("view.memory.cell", lang), dtick=1, col=1)
    figure.update_yaxes(title=t("view.memory.new_cell", lang), dtick=1, col=2)
    return figure


# ---- the same logical tensor, two orders in memory ------------------------------------------
ORDER_CELLS = 12      # the first cells of memory shown per layout: enough to see the pattern
ORDER_COLUMNS = 6     # cells per line, read like text: left to right, then the next line
NCHW = "nchw"


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


def memory_order(info: TensorInfo, cells: int = ORDER_CELLS) -> list[tuple | None]:
    """The index of the element stored in each of the first `cells` cells of the tensor's
    storage, in memory order (None: a cell it does not read)."""
    size = min(cells, info.storage_size)
    stored: list[tuple | None] = [None] * size
    for start, chunk in position_chunks(info):
        inside = np.nonzero((chunk >= 0) & (chunk < size))[0]
        found, first = np.unique(chunk[inside], return_index=True)   # an expand repeats cells
        for cell, k in zip(found.tolist(), inside[first].tolist()):
            if stored[cell] is None:
                stored[cell] = tuple(int(i) for i in np.unravel_index(start + k, info.shape))
        if None not in stored:
            break
    return stored


def _dim_names(rank: int) -> tuple:
    return tuple(NCHW) if rank == 4 else tuple(str(d) for d in range(rank))


def visit_order(info: TensorInfo) -> tuple:
    """The dims in the order memory steps through them, fastest first (smallest stride; a dim
    of size 1 is never stepped): NCHW walks w, h, c, n; channels_last c, w, h, n."""
    dims = [d for d in range(len(info.shape)) if info.shape[d] > 1]
    return tuple(sorted(dims, key=lambda d: (info.stride[d], -d)))


def _strip_trace(info: TensorInfo, colour_dim: int | None, cells: int,
                 lang: str) -> go.Heatmap:
    """The first cells of memory, wrapped ORDER_COLUMNS to a line: each shows the index of
    the element stored there, coloured by its index along colour_dim."""
    stored = memory_order(info, cells)
    lines = -(-len(stored) // ORDER_COLUMNS)
    values = _values(info)
    z = np.full((lines, ORDER_COLUMNS), np.nan)
    text = np.full(z.shape, "", dtype=object)
    hover = np.full(z.shape, "", dtype=object)
    numbers = torch_numbers(values.tolist()) if values is not None else None
    for cell, index in enumerate(stored):
        row, col = divmod(cell, ORDER_COLUMNS)
        if index is None:
            continue
        flat = int(np.ravel_multi_index(index, info.shape)) if info.shape else 0
        z[row, col] = flat if colour_dim is None else index[colour_dim]
        text[row, col] = "(" + ",".join(map(str, index)) + ")"
        value = f" = {numbers[flat].strip()}" if numbers is not None else ""
        hover[row, col] = f"{cell}: {list(index)}{value}"
    return go.Heatmap(z=z, text=text, customdata=hover, texttemplate="%{text}",
                      hovertemplate=t("view.memory.hover_cell", lang)
                      + " %{customdata}<extra></extra>", showscale=False,
                      hoverongaps=False, xgap=3, ygap=3, textfont={"size": 14, "color": "white"},
                      **_colour_scale(colour_dim))


def order_figure(run: Run, names: list[str], colour_dim: int | None = None,
                 lang: str = DEFAULT_LANGUAGE, cells: int = ORDER_CELLS) -> go.Figure:
    """The same logical tensor in several layouts, one under the other: the first `cells`
    cells of each one's memory, read like text, each cell naming the element stored there by
    its index, (n,c,h,w) for a batch of images. Colour is the element's index along
    `colour_dim` (1, the channel, for NCHW: NCHW stores each channel as one long block,
    channels_last interleaves them), else its position in index order. Under each strip: the
    order memory walks the dims in. Not every cell: a real batch has tens of thousands, and
    the pattern shows in the first few."""
    infos = [tensor_named(run, name) for name in names]
    figure = make_subplots(rows=len(names), cols=1, vertical_spacing=0.5 / len(names),
                           subplot_titles=[t("view.memory.in_memory", lang, name=f"<b>{plotly(name)}</b>",
                                             stride=tuple(info.stride))
                                           for name, info in zip(names, infos)])
    for r, info in enumerate(infos, start=1):
        figure.add_trace(_strip_trace(info, colour_dim, cells, lang), row=r, col=1)
        dims = _dim_names(len(info.shape))
        walk = " → ".join(dims[d] for d in visit_order(info))
        shown = min(cells, info.storage_size)
        index = "(" + ",".join(dims) + ")"
        figure.update_xaxes(title={"text": t("view.memory.walk", lang, order=walk, shown=shown,
                                             size=f"{info.storage_size:,}", index=index),
                                   "font": {"size": 14}},
                            showticklabels=False, row=r, col=1)
        figure.update_yaxes(autorange="reversed", showticklabels=False, row=r, col=1)
    what = t("view.memory.colour_dim", lang, dim=colour_dim) if colour_dim is not None else \
        t("view.memory.colour_order", lang)
    lines = -(-min(cells, max(i.storage_size for i in infos)) // ORDER_COLUMNS)
    figure.update_layout(title={"text": t("view.memory.order_title", lang, what=what),
                                "font": {"size": 16}},
                         font={"size": 14},
                         height=110 + len(names) * (140 + 46 * lines),
                         margin={"l": 10, "r": 10, "t": 90, "b": 10})
    figure.update_annotations(font={"size": 15})
    return figure
