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


WALK_STEPS = 24      # steps of a walk along one dim that a view check draws
DRAWN = 1 << 22      # storage cells at most drawn, whatever the storage's size
READ_CELLS = 1 << 31  # cells one memory picture may visit finding what overlapping views read


def _index_of(flat: int, shape: tuple) -> tuple:
    """np.unravel_index for one element, in Python ints: a view may have 2**61 elements (an
    expand) or 64 dims of 2**22 (a forged Run), past what NumPy's int64 index holds."""
    index = []
    for n in reversed(shape):
        flat, i = divmod(flat, n)
        index.append(i)
    return tuple(reversed(index))


def _flat(index: tuple, shape: tuple) -> int:
    """np.ravel_multi_index for one element, in Python ints (see _index_of)."""
    flat = 0
    for i, n in zip(index, shape):
        flat = flat * n + i
    return flat


def _cell(info, index: tuple) -> int:
    """The storage cell of the element at `index`."""
    return info.storage_offset + sum(i * s for i, s in zip(index, info.stride))


def storage_positions(info: TensorInfo) -> np.ndarray:
    """For every element (in index order), the storage cell it lives in: for small tensors
    (tests hold the pictures to it); the pictures never walk a tensor's elements."""
    shape = tuple(info.shape)
    cells = np.full(shape, info.storage_offset, dtype=np.int64)
    for index, stride in zip(np.indices(shape), info.stride):
        cells += index * stride
    return cells


def _lowest(info) -> int:
    """The lowest cell a (non-empty) layout reads: a NumPy array may step backwards."""
    return info.storage_offset + sum((n - 1) * s for n, s in zip(info.shape, info.stride)
                                     if s < 0)


def _steps(info) -> list[tuple[int, int]]:
    """(size, step) of each dim that moves to another cell, in dim order, each counted from
    its lowest cell (a backward dim reads the same cells from the other end)."""
    return [(n, abs(s)) for n, s in zip(info.shape, info.stride) if n > 1 and s]


def _shifts(n: int, step: int, limit: int):
    """The shifts that spread a set of cells over n steps of `step`, doubling the steps
    covered each time (log2 n of them, not n), none as far as `limit`."""
    covered = 1
    while 0 < step and covered < n and covered * step < limit:
        shift = min(covered, n - covered) * step
        yield shift
        covered += shift // step


@dataclass
class Budget:
    """Cells the memory picture may still visit finding which cells overlapping views read,
    shared by its rows: ten forged rows of 64 overlapping dims made 14,000 passes over 4M
    cells (3 s per draw, F8). A row left unfinished is counted, and the picture says so."""

    cells: int = READ_CELLS
    cut: int = 0

    def spend(self, cells: int) -> bool:
        """Whether `cells` more may be visited; a row refused stops there (counted once)."""
        if cells > self.cells:
            self.cut += 1
            return False
        self.cells -= cells
        return True


def _read(info, size: int, budget: Budget | None = None) -> np.ndarray:
    """Which of the first `size` storage cells the layout reads, whatever its element count:
    start from its lowest cell and let each dim of n steps of s add every cell fewer than n
    steps on from one already read. Dims of one step are one dim (n1 + n2 - 1 steps), and a
    dim adds nothing to a set of cells that already holds every cell s on from each of its
    cells. With the budget spent the cells found so far are returned and the row counted."""
    budget = budget or Budget()
    read = np.zeros(size, dtype=bool)
    low = _lowest(info)
    if 0 in info.shape or not 0 <= low < size:
        return read
    read[low] = True
    steps: dict[int, int] = {}
    for n, s in _steps(info):
        steps[s] = steps.get(s, 1) + n - 1
    for s, n in sorted(steps.items()):
        for k, shift in enumerate(_shifts(n, s, size - low)):
            if not budget.spend(size):
                return read
            if k == 0 and not (read[:-s] & ~read[s:]).any():
                break                   # every cell s on from a read cell is read already
            read[shift:] |= read[:-shift]
    return read


def _reach(steps: list, window: int) -> list[int]:
    """For each k, the cells (bits, from the layout's lowest cell) that the dims from the
    k-th of `steps` on can add, below `window`."""
    reach = [1]
    for _, n, s, _ in reversed(steps):
        cells = reach[-1]
        for shift in _shifts(n, s, window):
            cells |= cells << shift
        reach.append(cells & ((1 << window) - 1))
    return reach[::-1]


def _first_elements(info, size: int, most: int) -> list[list[tuple]]:
    """Per storage cell below `size`, the indices of the first `most` elements stored there.
    Index order is a depth-first walk over the dims; a branch is entered only when the dims
    after it can still reach a cell short of indices (`_reach`), so each index found costs
    at most dims x size steps, however many elements lie between. Walking elements in index
    order took 23 s per draw for ten 60-dim views of 24 cells whose last cell only the far
    end of index order reaches (F2)."""
    found: list[list[tuple]] = [[] for _ in range(size)]
    low = _lowest(info)
    if 0 in info.shape or not 0 <= low < size:
        return found
    steps = [(d, n, abs(s), s < 0) for d, (n, s) in enumerate(zip(info.shape, info.stride))
             if n > 1]
    window = size - low
    reach = _reach(steps, window)
    index = [0] * len(info.shape)
    wanted = (1 << window) - 1

    def walk(k: int, at: int) -> None:
        nonlocal wanted
        if k == len(steps):
            found[low + at].append(tuple(index))
            if len(found[low + at]) == most:
                wanted &= ~(1 << at)
            return
        d, n, s, backward = steps[k]
        last = n - 1 if not s else min(n - 1, (window - 1 - at) // s)
        for j in range(last, -1, -1) if backward else range(last + 1):
            if not (reach[k + 1] << (at + j * s)) & wanted:
                if s:
                    continue
                break                      # a dim of stride 0: every step reaches the same
            index[d] = n - 1 - j if backward else j
            walk(k + 1, at + j * s)
            if not wanted:
                return

    walk(0, 0)
    return found


def _nested(info) -> tuple | None:
    """The layout's dims that step (size > 1, stride not 0) as (size, stride), largest stride
    first, with the first cell they start from, when each dim steps over all the dims after it
    (a contiguous tensor, a slice, a transpose, channels_last: no two elements share a cell);
    None when some overlap (unfold, as_strided). A NumPy array's backward dims are turned
    round: the same cells, read from the other end."""
    dims = sorted(_steps(info), key=lambda d: d[1])
    extent = 1
    for n, s in dims:
        if s < extent:
            return None
        extent += (n - 1) * s
    return _lowest(info), dims[::-1]


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


def _read_fractions(info, size: int, width: int, budget: Budget) -> list[float]:
    """The share of the cells of each square of `width` cells (the last one may be shorter)
    that the tensor reads: counted on the squares for the usual layouts, whatever the
    storage's size; cell by cell when elements overlap (memory_figure draws at most DRAWN
    cells), within the picture's budget."""
    bounds = [(low, min(size, low + width)) for low in range(0, size, width)]
    if 0 in info.shape:
        return [0.0] * len(bounds)
    nested = _nested(info)
    if nested is not None:
        counts = [_count_in(nested[1], nested[0], low, high) for low, high in bounds]
    else:
        read = np.zeros(len(bounds) * width, dtype=bool)
        read[:size] = _read(info, size, budget)
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
    stride 0, as after an expand)."""
    shape = tuple(info.shape)
    return [[_flat(index, shape) for index in cell] for cell in _first_elements(info, size, most)]


CELL_TEXT = 24       # a storage up to this many cells is drawn cell by cell, with indices
BINS = 48            # a larger one in this many squares, each shaded by how much a tensor reads
MAX_ROWS = 10        # rows drawn; the rest are counted in the title


def _placeable(row: Sharer, dtype: str) -> bool:
    """A NumPy array is drawn cell by cell only when it reads the storage's own element type,
    and starts inside the storage (one that only partly lies in it, stepping backwards, may
    reach before the storage's first cell; a tensor never does)."""
    return row.kind != "ndarray" or dtype.replace("torch.", "") == row.dtype and \
        (0 in row.shape or _lowest(row) >= 0)


def memory_figure(run: Run, storage_id: int, lang: str = DEFAULT_LANGUAGE,
                  focus: int | None = None) -> go.Figure:
    """The storage as a strip of cells, one row per thing that reads it (see `sharers`). A
    small storage shows in each cell the flat index of the element stored there; a large
    one (a 8×3×32×32 batch has 24,576 cells) is cut into squares shaded by the share of
    their cells a row reads, so a slice, a channel or a view's gaps stay visible."""
    tensors = sharing(run, storage_id)
    whole = max([info.storage_size for info in tensors] or [0])
    size = min(whole, DRAWN)    # the cells drawn: a meta tensor's storage, which holds nothing,
    #                             may have any size, so the picture stays bounded
    dtype = tensors[0].dtype if tensors else ""
    rows = sharers(run, storage_id, focus)
    hidden, rows = rows[MAX_ROWS:], [r for r in rows[:MAX_ROWS] if _placeable(r, dtype)]
    width = 1 if size <= CELL_TEXT else -(-size // BINS)
    columns = -(-size // width) if size else 0
    z, text, labels, budget = [], [], [], Budget()
    for row in rows:
        cut = budget.cut
        labels.append(row.label + (" · NumPy" if row.kind == "ndarray" else ""))
        if width == 1:
            cells = _cells(row, size)
            z.append([c[0] if c else np.nan for c in cells])
            text.append([",".join(map(str, c)) for c in cells])
            continue
        fractions = _read_fractions(row, size, width, budget)
        z.append([f if f else np.nan for f in fractions])
        text.append([""] * columns)
        if budget.cut > cut:
            labels[-1] += " ≈"
    title = t("view.memory.storage_one" if whole == 1 else "view.memory.storage", lang,
              id=storage_id, size=f"{whole:,}")
    if size < whole:
        title += t("view.memory.first_cells", lang, cells=f"{size:,}")
    if width > 1:
        title += t("view.memory.per_square", lang, cells=f"{width:,}")
    if hidden:
        title += t("view.memory.more_rows", lang, n=len(hidden))
    if budget.cut:
        title += t("view.memory.in_part", lang)
    figure = go.Figure(go.Heatmap(
        z=z, text=text, texttemplate="%{text}", x=[k * width for k in range(columns)],
        hovertemplate=t("view.memory.hover_index" if width == 1 else "view.memory.hover_bin",
                        lang) + "<extra></extra>",
        y=[plotly(label) for label in labels],
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
    walks = (tuple(_cell(info, _index_of(k, shape)) for k in range(min(numel, WALK_STEPS))),)
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
    found = _first_elements(info, min(cells, info.storage_size), 1)
    return [cell[0] if cell else None for cell in found]


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
        flat = _flat(index, tuple(info.shape))
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
