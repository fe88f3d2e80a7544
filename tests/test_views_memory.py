"""The memory picture: every element is mapped to the storage cell PyTorch stores it in, for
transpose, permute, expand, slicing and channels_last, checked against real torch; on the course
examples on views and layout, every tensor's cells and shared storages are torch's; view()
fails exactly when torch's does, explained by the cells a new dim would walk; contiguous() and
channels_last reorder the same elements in memory as torch does."""
import contextlib
import dataclasses
import io
import itertools
import math
import pathlib
import re
import runpy

import numpy as np
import pytest
import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st

from explorer import run_code
from explorer.sandbox.execute import execute
from explorer.views.memory import (
    layout_summary,
    memory_figure,
    memory_order,
    order_figure,
    sharers,
    WALK_STEPS,
    sharing,
    storage_positions,
    tensor_named,
    version_steps,
    version_table,
    view_check,
    view_figure,
    visit_order,
)

CASES = {
    "transpose": "y = x.t()",
    "permute": "y = x.view(2, 3, 2).permute(2, 0, 1)",
    "expand": "y = x[:, :1].expand(2, 3, 4)",
    "slice_step": "y = x[::2, 1:]",
    "channels_last": "y = x.view(1, 3, 2, 2).contiguous(memory_format=torch.channels_last)",
    "select": "y = x[1]",
    "diagonal": "y = x[:, :3].diagonal()",
}


def torch_positions(expr: str) -> np.ndarray:
    """Storage cells per element in real torch: fill the storage with its own indices."""
    x = torch.arange(12.0).view(3, 4)
    y = eval(expr.split("=", 1)[1], {"x": x, "torch": torch})
    if y.untyped_storage().data_ptr() != x.untyped_storage().data_ptr():
        return None
    cells = torch.arange(x.numel(), dtype=torch.float32)
    return cells.as_strided(y.shape, y.stride(), y.storage_offset()).numpy().astype(np.int64)


@pytest.mark.parametrize("name", CASES)
def test_each_element_maps_to_the_cell_torch_stores_it_in(name):
    run = execute(f"import torch\nx = torch.arange(12.0).view(3, 4)\n{CASES[name]}")
    assert run.error is None, run.error
    info = next(v.tensor for v in run.variables if v.name == "y")
    expected = torch_positions(CASES[name])
    if expected is None:   # a copy (channels_last): it has a storage of its own
        x_info = next(v.tensor for v in run.variables if v.name == "x")
        assert info.storage_id != x_info.storage_id
        positions = storage_positions(info)
        assert sorted(positions.reshape(-1).tolist()) == list(range(info.storage_size))
        y = torch.arange(12.0).view(1, 3, 2, 2).contiguous(memory_format=torch.channels_last)
        assert info.stride == y.stride()
        return
    np.testing.assert_array_equal(storage_positions(info), expected)


def test_views_share_the_storage_and_the_figure_marks_their_cells():
    run = execute("import torch\nx = torch.arange(6.0).view(2, 3)\ny = x.t()\nz = x[:, 1]")
    x = next(v.tensor for v in run.variables if v.name == "x")
    infos = sharing(run, x.storage_id)
    names = {v.tensor.id: v.name for v in run.variables}
    assert {names.get(t.id) for t in infos} >= {"x", "y", "z"}
    figure = memory_figure(run, x.storage_id)
    heat = figure.data[0]
    y_row = list(heat.y).index("y (3, 2)")
    assert list(heat.text[y_row]) == ["0", "2", "4", "1", "3", "5"]   # y.t() walks by column
    z_row = list(heat.y).index("z (2,)")
    assert list(heat.text[z_row]) == ["", "0", "", "", "1", ""]
    y = next(v.tensor for v in run.variables if v.name == "y")
    assert layout_summary(y) == "shape (3, 2), stride (1, 3), offset 0: not contiguous"


# ---- course examples 11, 12, 14: every element's cell, as real torch computes it -------------
COURSE = pathlib.Path(__file__).parent / "course_examples"
LAYOUT_EXAMPLES = ("11_transpose_permute_contiguous", "12_mistake_view_after_transpose",
                   "14_nchw_nhwc_layout")


@pytest.fixture(scope="module")
def course_runs():
    """Each example run by the app (run_code) and by real torch (its variables)."""
    runs = {}
    for name in LAYOUT_EXAMPLES:
        path = COURSE / f"{name}.py"
        with contextlib.redirect_stdout(io.StringIO()):
            namespace = runpy.run_path(str(path))
        runs[name] = (run_code(path.read_text()), namespace)
    return runs


def torch_cells(t: torch.Tensor) -> np.ndarray:
    """Storage cell of every element by pointer arithmetic: (data_ptr - storage start) / size
    plus index · stride."""
    offset = (t.data_ptr() - t.untyped_storage().data_ptr()) // t.element_size()
    assert offset == t.storage_offset()
    cells = np.full(tuple(t.shape), offset, dtype=np.int64)
    for d, (index, stride) in enumerate(zip(np.indices(tuple(t.shape)), t.stride())):
        cells += index * stride
    return cells


@pytest.mark.parametrize("example", LAYOUT_EXAMPLES)
def test_course_example_tensors_map_to_torchs_cells_and_share_its_storages(course_runs, example):
    run, namespace = course_runs[example]
    assert run.error is None, run.error
    pairs = [(v.tensor, namespace[v.name]) for v in run.variables
             if v.tensor is not None and isinstance(namespace.get(v.name), torch.Tensor)]
    assert len(pairs) >= 4
    for info, t in pairs:
        assert info.is_contiguous == t.is_contiguous()
        assert [s for s, n in zip(info.stride, info.shape) if n > 1] == \
            [s for s, n in zip(t.stride(), t.shape) if n > 1]   # a size-1 dim is never stepped
        assert info.storage_size == t.untyped_storage().nbytes() // t.element_size()
        np.testing.assert_array_equal(storage_positions(info), torch_cells(t))
    for (a, ta), (b, tb) in itertools.combinations(pairs, 2):
        same = ta.untyped_storage().data_ptr() == tb.untyped_storage().data_ptr()
        assert (a.storage_id == b.storage_id) == same


def test_view_after_transpose_is_explained_by_its_storage_walk(course_runs):
    run, namespace = course_runs["12_mistake_view_after_transpose"]
    y = namespace["y"]
    check = view_check(tensor_named(run, "y"))
    with pytest.raises(RuntimeError, match="view size is not compatible"):
        y.view(6)
    assert not check.fits and check.spanning == (0,)
    assert check.chunks == ((0,), (1,))                 # stride 1 is not 2 · 3: two runs
    assert list(check.walks[0]) == torch_cells(y).reshape(-1).tolist()   # 0, 3, 1, 4, 2, 5
    figure = view_figure(check, "y")
    left = [t for t in figure.data if t.xaxis == "x"]
    right = [t for t in figure.data if t.xaxis == "x2"]
    assert [t.y[1] - t.y[0] for t in left] == np.diff(check.walks[0]).tolist()
    assert [t.line.color for t in left] == ["#2ca02c", "#d62728"] * 2 + ["#2ca02c"]
    copy = y.reshape(6)                                # a new storage, walked with stride 1
    assert copy.untyped_storage().data_ptr() != y.untyped_storage().data_ptr()
    assert [t.y[1] - t.y[0] for t in right] == [copy.stride(0)] * 5
    assert {t.line.color for t in right} == {"#2ca02c"}


def stored_in_cells(t: torch.Tensor, cells: int) -> list:
    """The index of the element torch stores in each of the first `cells` storage cells."""
    where = torch_cells(t)
    found = [None] * cells
    for index in itertools.product(*map(range, t.shape)):
        cell = int(where[index])
        if cell < cells and found[cell] is None:
            found[cell] = index
    return found


def strip_labels(strip) -> list:
    return [text for line in strip.text for text in line if text]


def test_contiguous_copies_into_index_order(course_runs):
    run, namespace = course_runs["11_transpose_permute_contiguous"]
    xp, c = tensor_named(run, "xp"), tensor_named(run, "c")
    assert c.storage_id != xp.storage_id and c.stride == namespace["c"].stride()
    figure = order_figure(run, ["xp", "c"], colour_dim=0)
    xp_strip, c_strip = figure.data
    for name, strip in (("xp", xp_strip), ("c", c_strip)):
        expected = stored_in_cells(namespace[name], 12)
        assert memory_order(tensor_named(run, name)) == expected
        assert strip_labels(strip) == ["(" + ",".join(map(str, i)) + ")" for i in expected]
    # c holds xp's elements in index order: its cells count up like an odometer
    assert memory_order(c) == list(itertools.islice(np.ndindex(*namespace["c"].shape), 12))


def test_nchw_and_channels_last_side_by_side(course_runs):
    run, namespace = course_runs["14_nchw_nhwc_layout"]
    x, cl = namespace["x"], namespace["cl"]
    figure = order_figure(run, ["x", "cl"], colour_dim=1)
    x_strip, cl_strip = figure.data
    for t, strip in ((x, x_strip), (cl, cl_strip)):
        stored = stored_in_cells(t, 12)
        colours = [v for line in strip.z for v in line if v == v]     # (not the blank NaNs)
        assert colours == [index[1] for index in stored]              # colour: the channel
    assert [v for v in cl_strip.z[0]][:6] == [0, 1, 2, 0, 1, 2]        # channels interleaved


# ---- a real batch: 8×3×32×32, NCHW beside channels_last -------------------------------------
BATCH = """import torch
torch.manual_seed(0)
x = torch.randn(8, 3, 32, 32)
cl = x.contiguous(memory_format=torch.channels_last)
c0 = x[:, 0]
"""


def test_a_real_batch_shows_the_first_cells_each_named_by_its_nchw_index_like_torch():
    run = execute(BATCH)
    x = torch.randn(8, 3, 32, 32)
    cl = x.contiguous(memory_format=torch.channels_last)
    figure = order_figure(run, ["x", "cl"], colour_dim=1)
    for name, t, strip in (("x", x, figure.data[0]), ("cl", cl, figure.data[1])):
        info = tensor_named(run, name)
        assert info.stride == t.stride()
        expected = stored_in_cells(t, 12)
        assert memory_order(info) == expected
        labels = strip_labels(strip)
        assert len(labels) == 12, "the first cells, not all 24,576"
        assert labels == ["(" + ",".join(map(str, i)) + ")" for i in expected]
    # the order memory walks the dims in, fastest first, is the order of torch's strides
    assert visit_order(tensor_named(run, "x")) == (3, 2, 1, 0)        # w, h, c, n
    assert visit_order(tensor_named(run, "cl")) == tuple(np.argsort(cl.stride(), kind="stable"))
    titles = [a.text for a in figure.layout.annotations]
    assert "<b>cl</b> in memory: stride (3072, 1, 96, 3)" in titles
    assert "memory walks c → w → h → n" in figure.layout.xaxis2.title.text
    assert figure.layout.height < 900, "fits a laptop screen"


def test_a_large_storage_is_drawn_in_squares_that_show_a_channels_gaps():
    run = execute(BATCH)
    x = tensor_named(run, "x")
    figure = memory_figure(run, x.storage_id, focus=x.id)
    [heat] = figure.data
    assert len(heat.x) <= 48 and "24,576 cells" in figure.layout.title.text
    labels = list(heat.y)
    assert labels == ["x (8, 3, 32, 32)", "c0 (8, 32, 32)"]
    squares = 24576 // len(heat.x)
    reads = torch.zeros(24576)
    reads[torch_cells(torch.zeros(8, 3, 32, 32)[:, 0]).reshape(-1)] = 1   # channel 0 of each image
    expected = reads.view(-1, squares).mean(1).tolist()
    row = [0.0 if v != v else v for v in heat.z[1]]
    assert row == pytest.approx(expected)
    assert 0.0 in row and 1.0 in row, "channel 0 of each image, with the other channels between"


# ---- everything sharing the focused storage, named; temporaries only when they add a view -----
SHARED = """import torch
w = torch.arange(6.0).view(2, 3)
for step in range(5):
    y = w * 2          # a new storage each turn: not w's
    z = w.t() @ y      # w.t() is a temporary reading w's memory transposed
col = w[:, 1]
"""


def test_the_storage_is_drawn_with_the_learners_names_and_temporaries_only_when_they_read_it():
    run = execute(SHARED)
    w = tensor_named(run, "w")
    rows = sharers(run, w.storage_id, focus=w.id)
    assert [(r.name, r.kind, r.count) for r in rows] == [
        ("w", "tensor", 1), ("col", "tensor", 1), ("tensor", "temporary", 1),
        ("t(w)", "temporary", 5)]
    # as torch lays them out: the same storage, these strides and offsets
    wt = torch.arange(6.0).view(2, 3)
    for row, t in zip(rows, (wt, wt[:, 1], wt.view(6), wt.t())):
        assert (row.shape, row.stride, row.storage_offset) == (
            tuple(t.shape), t.stride(), t.storage_offset())
        assert t.untyped_storage().data_ptr() == wt.untyped_storage().data_ptr()
    labels = list(memory_figure(run, w.storage_id, focus=w.id).data[0].y)
    assert labels == ["w (2, 3)", "col (2,)", "tensor (6,)", "t(w) (3, 2) ×5"]
    assert not any(re.fullmatch(r"t\d+.*", label) for label in labels), "no internal ids"


def test_module_parameters_are_named_by_path_and_html_in_names_is_shown_as_text():
    run = execute("import torch\nmodel = torch.nn.Sequential()\n"
                  "model.add_module('<a href=x>', torch.nn.Linear(2, 2))\n"
                  "w = model[0].weight.data\n")
    w = tensor_named(run, "w")
    rows = sharers(run, w.storage_id, focus=w.id)
    assert [r.name for r in rows] == ["w", "model.<a href=x>.weight"]
    labels = list(memory_figure(run, w.storage_id).data[0].y)
    assert "model.&lt;a href=x&gt;.weight (2, 2)" in labels


NUMPY = """import numpy as np
import torch
a = np.arange(6, dtype=np.float32)
t = torch.from_numpy(a)
a[0] = 100.0
v = t.view(2, 3)
b = v.numpy()[:, 1:]
own = a.copy()
"""


def test_the_numpy_arrays_of_from_numpy_and_numpy_are_drawn_in_the_tensors_storage():
    run = execute(NUMPY)
    namespace = {}
    exec(NUMPY, {"__name__": "__main__"}, namespace)    # noqa: S102 - the reference run, on torch
    t = tensor_named(run, "t")
    arrays = {v.name: v.array for v in run.variables if v.kind == "ndarray"}
    assert set(arrays) == {"a", "b", "own"}
    for name in ("a", "b", "own"):
        array = namespace[name]
        shares = np.shares_memory(array, namespace["t"].numpy())
        assert (arrays[name].storage_id == t.storage_id) == shares
        assert arrays[name].shape == array.shape and arrays[name].dtype == array.dtype.name
    b = arrays["b"]          # placed where torch's storage holds it
    torch_b = namespace["v"][:, 1:]
    assert (b.stride, b.storage_offset) == (torch_b.stride(), torch_b.storage_offset())
    rows = sharers(run, t.storage_id, focus=t.id)
    assert [(r.name, r.kind) for r in rows] == [("t", "tensor"), ("v", "tensor"),
                                                ("a", "ndarray"), ("b", "ndarray")]
    heat = memory_figure(run, t.storage_id, focus=t.id).data[0]
    assert list(heat.y)[2:] == ["a (6,) · NumPy", "b (2, 2) · NumPy"]
    assert list(heat.text[3]) == ["", "0", "1", "", "2", "3"]     # b[0,0] sits in cell 1
    assert memory_figure(run, t.storage_id).layout.xaxis.dtick == 1, "ticks on whole cells"


# ---- the version counter -------------------------------------------------------------------
INPLACE = """import torch
x = torch.ones(3)
x.add_(1)
x.mul_(2)
y = x[1:]
y.zero_()
z = x * 2
x += 1
for _ in range(3):
    x.sub_(1)
"""


def torch_versions(source: str) -> list:
    """x._version after each in-place line of `source`, in real torch (each such line gets a
    `seen.append(x._version)` after it)."""
    seen: list = []
    marked = [line + "; seen.append(x._version)"
              if line.strip() in ("x.add_(1)", "x.mul_(2)", "y.zero_()", "x += 1", "x.sub_(1)")
              else line for line in source.splitlines()]
    exec("\n".join(marked), {"torch": torch, "seen": seen})   # noqa: S102 - our own program
    return seen


def test_the_version_counter_counts_each_in_place_write_as_torch_does():
    run = execute(INPLACE)
    x = tensor_named(run, "x")
    versions = torch_versions(INPLACE)                      # [1, 2, 3, 4, 5, 6, 7]
    assert x.version == versions[-1] == 7
    steps = version_steps(run, x)
    assert [(s.line, s.op, s.written, s.first, s.last, s.count) for s in steps] == [
        (3, "add_", "x", 1, 1, 1), (4, "mul_", "x", 2, 2, 1), (6, "zero_", "y", 3, 3, 1),
        (8, "add_", "x", 4, 4, 1), (10, "sub_", "x", 5, 7, 3)]
    assert [v for s in steps for v in range(s.first, s.last + 1)] == versions
    rows = version_table(steps)
    assert rows[2]["code"] == "y.zero_()" and rows[-1]["version after"] == "5 … 7 (×3)"
    assert version_steps(run, tensor_named(run, "z")) == [], "x * 2 is a new storage"


def test_resize_counts_as_an_in_place_write():
    source = "import torch\nx = torch.zeros(2, 3)\nx.resize_(3, 2)\nx.add_(1)\n"
    run = execute(source)
    seen: list = []
    exec(source.replace(")\nx.add_", "); seen.append(x._version)\nx.add_")   # noqa: S102
         + "seen.append(x._version)\n", {"torch": torch, "seen": seen})
    steps = version_steps(run, tensor_named(run, "x"))
    assert [(s.line, s.op, s.last) for s in steps] == [(3, "resize_", seen[0]), (4, "add_", seen[1])]


# ---- view(): verdict, strides and walks against torch on generated layouts ------------------
@st.composite
def layouts(draw):
    shape = draw(st.lists(st.integers(1, 4), min_size=1, max_size=4))
    order = draw(st.permutations(range(len(shape))))
    numel = int(np.prod(shape))
    factors = [d for d in range(1, numel + 1) if numel % d == 0]
    first = draw(st.sampled_from(factors))
    second = draw(st.sampled_from([d for d in factors if (numel // first) % d == 0]))
    new_shape = tuple(n for n in (first, second, numel // first // second))
    return tuple(shape), tuple(order), new_shape


@settings(max_examples=60, deadline=None)
@given(layouts())
@example(((1, 2, 2, 3), (0, 2, 1, 3), (3, 2, 2)))   # a size-2 dim between two runs
def test_view_check_agrees_with_torch(layout):
    """The Run carries the engine's verdict on view(-1) (TensorInfo.flat_stride): it is
    torch's, and the walk the picture draws is torch's memory order."""
    shape, order, _ = layout
    source = (f"import torch\ny = torch.arange({int(np.prod(shape))}.0).view({shape})"
              f".permute({order})")
    run = execute(source)
    y = torch.arange(float(np.prod(shape))).view(shape).permute(order)
    check = view_check(tensor_named(run, "y"))
    try:
        expected = y.view(-1).stride()
    except RuntimeError:
        expected = None
    assert check.new_stride == expected
    assert bool(check.spanning) == (expected is None)
    cells = torch_cells(y).reshape(-1)
    assert list(check.walks[0]) == cells.tolist()[:WALK_STEPS]
    if check.spanning:                         # no single stride walks it
        assert len(np.unique(np.diff(cells))) > 1


def test_a_huge_tensor_is_drawn_in_bounded_memory():
    """Twenty million elements over one cell (an expand) or a 6-million-cell transpose: the
    pictures walk the elements a chunk at a time, so drawing one (for every viewer, on the
    server) never holds all their positions at once (F4: 4M elements took 1 GB)."""
    import tracemalloc

    from explorer.views.memory import memory_figure, memory_order, view_check
    for source in ("import torch\nx = torch.ones(1).expand(20000000)\n",
                   "import torch\nx = torch.zeros(2000, 3000).t()\n"):
        run = execute(source)
        info = tensor_named(run, "x")
        tracemalloc.start()
        try:
            figure = memory_figure(run, info.storage_id, focus=info.id)
            order = memory_order(info)
            check = view_check(info)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert peak < 48 * 2**20, f"{peak / 1e6:.0f} MB"   # the positions alone: 160 MB
        assert len(figure.data[0].z[0]) <= 48 and order[0] == (0,) * len(info.shape)
        assert check.walks[0][:2] == (0, info.stride[-1])      # flat order: last dim first


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 7)), min_size=0, max_size=4),
       st.integers(0, 9), st.integers(1, 60))
def test_the_cells_a_view_reads_are_found_without_walking_its_elements(dims, offset, size):
    """_read once walked every element (2**61 for a forged expand); now it adds each dim's
    steps to the cells already read. The brute-force walk is the oracle."""
    from explorer.model import TensorInfo
    from explorer.views.memory import _read
    shape, stride = tuple(n for n, _ in dims), tuple(s for _, s in dims)
    info = TensorInfo(0, shape, "torch.float32", stride, offset, 0, size, False, False, False,
                      True, None, None)
    walked = np.zeros(size, dtype=bool)
    if math.prod(shape):
        cells = offset + sum(np.indices(shape).reshape(len(shape), -1)[d] * stride[d]
                             for d in range(len(shape))) if shape else np.array([offset])
        cells = np.asarray(cells)
        walked[cells[cells < size]] = True
    assert np.array_equal(_read(info, size), walked)


def test_a_view_of_2_to_the_61_elements_draws_like_any_other():
    """What a forged Run sent to hang the server (fifth outside attack), and what a legal
    expand can make: every memory picture of it is bounded by its storage."""
    from explorer.model import TensorInfo
    from explorer.views.memory import memory_figure, memory_order, view_check
    run = execute("import torch\nx = torch.ones(100)\n")
    x = tensor_named(run, "x")
    huge = dataclasses.replace(x, id=x.id + 1000, shape=(2 ** 61,), stride=(0,), values=None)
    assert isinstance(huge, TensorInfo)
    graph = dataclasses.replace(run.graph, tensors={**run.graph.tensors, huge.id: huge})
    forged = dataclasses.replace(run, graph=graph)
    figure = memory_figure(forged, x.storage_id, focus=huge.id)
    assert len(figure.data) >= 1
    assert memory_order(huge)[0] == (0,) and view_check(huge).walks[0][:2] == (0, 0)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 7)), min_size=0, max_size=4),
       st.integers(0, 9), st.integers(1, 24), st.integers(1, 4))
def test_each_cell_lists_the_first_elements_stored_there(dims, offset, size, most):
    """_cells sorts each chunk by cell instead of visiting elements one by one in Python
    (ten 190,000 x 23 expands of a slice cost seconds of server CPU per redraw, since one
    storage cell is never read and the walk never stopped). Brute force is the oracle."""
    from explorer.model import TensorInfo
    from explorer.views.memory import _cells
    shape, stride = tuple(n for n, _ in dims), tuple(s for _, s in dims)
    info = TensorInfo(0, shape, "torch.float32", stride, offset, 0, size, False, False, False,
                      True, None, None)
    expected: list[list[int]] = [[] for _ in range(size)]
    for flat, cell in enumerate(storage_positions(info).reshape(-1).tolist()):
        if cell < size and len(expected[cell]) < most:
            expected[cell].append(flat)
    assert _cells(info, size, most) == expected


def test_a_one_element_storage_is_one_cell():
    """A loss is a scalar: its storage reads "1 cell", not "1 cells"."""
    run = execute("import torch\nloss = torch.tensor(0.5)\n")
    info = tensor_named(run, "loss")
    assert memory_figure(run, info.storage_id).layout.title.text.endswith(": 1 cell")


def test_a_meta_storage_of_any_size_draws_its_first_cells_in_bounded_memory():
    """A meta tensor holds no memory, so no element limit bounds its storage (torch makes one
    of 10**12 elements at once); the picture draws the first cells and says so (a trillion-cell
    strip once asked the server for 931 GB). A forged Run's storage size is held the same way."""
    import tracemalloc
    run = execute("import torch\nx = torch.empty(10**6, 10**6, device='meta')\ny = x.t()\n")
    x, y = tensor_named(run, "x"), tensor_named(run, "y")
    assert x.device == "meta" and x.storage_size == 10 ** 12 and x.values is None
    tracemalloc.start()
    try:
        figure = memory_figure(run, y.storage_id, focus=y.id)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 48 * 2**20, f"{peak / 1e6:.0f} MB"
    title = figure.layout.title.text
    assert "1,000,000,000,000 cells" in title and "the first 4,194,304 drawn" in title, title
    assert len(figure.data[0].z) == 2 and len(figure.data[0].z[0]) <= 48
    forged = dataclasses.replace(run, graph=dataclasses.replace(run.graph, tensors={
        **run.graph.tensors, x.id: dataclasses.replace(x, storage_size=2 ** 62)}))
    assert "the first 4,194,304 drawn" in memory_figure(forged, x.storage_id).layout.title.text
