"""The memory picture: every element is mapped to the storage cell PyTorch stores it in, for
transpose, permute, expand, slicing and channels_last, checked against real torch; on the course
examples on views and layout, every tensor's cells and shared storages are torch's; view()
fails exactly when torch's does, explained by the cells a new dim would walk; contiguous() and
channels_last reorder the same elements in memory as torch does."""
import contextlib
import io
import itertools
import pathlib
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
    order_figure,
    sharing,
    storage_positions,
    tensor_named,
    view_check,
    view_figure,
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
    check = view_check(tensor_named(run, "y"), (6,))
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


def test_contiguous_copies_into_index_order(course_runs):
    run, namespace = course_runs["11_transpose_permute_contiguous"]
    xp, c = tensor_named(run, "xp"), tensor_named(run, "c")
    assert c.storage_id != xp.storage_id and c.stride == namespace["c"].stride()
    figure = order_figure(run, ["xp", "c"], colour_dim=0)
    _, xp_strip, c_strip = figure.data
    # xp's cells hold x's storage order; c's cells hold xp's elements in index order
    assert list(xp_strip.text[0]) == [str(v) for v in namespace["x"].flatten().tolist()]
    assert list(c_strip.text[0]) == [str(v) for v in namespace["xp"].flatten().tolist()]
    first_index = np.unravel_index(np.arange(24), tuple(namespace["xp"].shape))[0]
    assert list(c_strip.z[0]) == first_index.tolist()   # colour: index along dim 0, in blocks


def test_nchw_and_channels_last_side_by_side(course_runs):
    run, namespace = course_runs["14_nchw_nhwc_layout"]
    x, cl = namespace["x"], namespace["cl"]
    figure = order_figure(run, ["x", "cl"], colour_dim=1)
    logical, x_strip, cl_strip = figure.data
    for t, strip in ((x, x_strip), (cl, cl_strip)):
        cells = torch_cells(t).reshape(-1)
        channel = np.indices(tuple(t.shape))[1].reshape(-1)
        values = t.reshape(-1).tolist()
        by_cell = np.argsort(cells)                   # the element stored in each cell
        assert list(strip.z[0]) == channel[by_cell].tolist()
        assert list(strip.text[0]) == [str(values[k]) for k in by_cell]
    assert list(cl_strip.z[0][:6]) == [0, 1, 2, 0, 1, 2]   # channels interleaved
    for n, c, h, w in itertools.product(*map(range, x.shape)):   # image n: a row of C blocks
        row, col = n * 3 + h, c * 3 + w
        assert (logical.text[row][col], logical.z[row][col]) == (str(x[n, c, h, w].item()), c)


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
@example(((1, 2, 2, 3), (0, 2, 1, 3), (3, 2, 2)))   # a size-2 dim spans two runs
def test_view_check_agrees_with_torch(layout):
    shape, order, new_shape = layout
    source = (f"import torch\ny = torch.arange({int(np.prod(shape))}.0).view({shape})"
              f".permute({order})")
    run = execute(source)
    y = torch.arange(float(np.prod(shape))).view(shape).permute(order)
    check = view_check(tensor_named(run, "y"), new_shape)
    try:
        expected = y.view(new_shape).stride()
    except RuntimeError:
        expected = None
    assert check.new_stride == expected
    assert bool(check.spanning) == (expected is None)
    cells = torch_cells(y).reshape(new_shape)
    for j, walk in enumerate(check.walks):
        line = np.moveaxis(cells, j, 0)[(slice(None),) + (0,) * (len(new_shape) - 1)]
        assert list(walk) == line.tolist()
    for j in check.spanning:                   # a dim that spans two runs has no single stride:
        steps = np.unique(np.diff(cells, axis=j))   # over all its lines (one line of a size-2
        assert len(steps) > 1                       # dim may show only one step)
