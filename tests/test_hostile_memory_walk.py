"""The memory picture finds which cells a view reads, and the first elements in each, without
walking the view's elements (the thirteenth outside attack): ten honest 60-dim views of a
24-cell meta storage cost 23 s of server CPU per draw of a share link (F2), and ten forged
rows of 64 overlapping dims 3 s (F8). Speed is measured in bench/hostile_runs.py (section 5);
these tests hold what the picture shows and the work it may do."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from explorer import wire
from explorer.model import Graph, Run, TensorInfo, VariableInfo
from explorer.sandbox.execute import execute
from explorer.views import memory
from explorer.views.memory import memory_figure, memory_order, tensor_named, view_check

ROWS = 10
ONES = 23       # dims of stride 1 in each honest view: it reads cells 0..23


def through_wire(run: Run) -> Run:
    return wire.decode(wire.encode(run)[wire.HEADER.size:], Run)


def honest_source() -> str:
    """What the share link ran (/tmp/attack13/honest_cells_meta_src.py): view i steps over
    dims i..i+22 of 60 (each of size 2, stride 1); the rest have stride 0."""
    lines = ["import torch", "s = torch.empty(24, device='meta')"]
    for i in range(ROWS):
        stride = [0] * i + [1] * ONES + [0] * (60 - ONES - i)
        lines.append(f"m{i} = s.as_strided([2] * 60, {stride})")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def honest() -> Run:
    return through_wire(execute(honest_source(), 0))


def first_flat(i: int, cell: int) -> int:
    """The first element of view i in cell `cell`, counted by hand: an element's flat index
    has one bit per dim (dim d is bit 59 - d), and its cell is how many of the stepping dims'
    bits are set; the smallest flat index sets the lowest stepping bits."""
    return ((1 << cell) - 1) << (60 - ONES - i)


def test_each_cell_of_ten_60_dim_views_names_its_first_elements(honest):
    """The first elements in cell c lie at flat index (2**c - 1) * 2**(37 - i) on: far past
    the 4M elements the picture once walked per row, which left cells 1..23 empty (and took
    2.4 s a row)."""
    s = tensor_named(honest, "s")
    figure = memory_figure(honest, s.storage_id, focus=tensor_named(honest, "m0").id)
    heatmap = figure.data[0]
    views = [(r, int(str(y)[1:].split()[0])) for r, y in enumerate(heatmap.y)
             if str(y).startswith("m")]
    assert len(views) == 9                       # with s, ten rows: m9 is counted, not drawn
    for r, i in views:
        expected = [[first_flat(i, c) + k for k in range(4)] for c in range(24)]
        assert list(heatmap.text[r]) == [",".join(map(str, e)) for e in expected]
        assert list(heatmap.z[r]) == [e[0] for e in expected]


def test_the_order_strip_names_the_first_element_of_each_of_the_first_cells(honest):
    """The order figure's first 12 cells of view i: the last c stepping dims set (memory_order
    once walked 4M elements and found cell 0 only)."""
    for i in range(ROWS):
        expected = [tuple(int(23 + i - c <= d <= 22 + i) for d in range(60)) for c in range(12)]
        assert memory_order(tensor_named(honest, f"m{i}")) == expected


def forged(infos: list[TensorInfo]) -> Run:
    tensors = {info.id: info for info in infos}
    variables = tuple(VariableInfo(f"m{info.id}", "tensor", info) for info in infos)
    return through_wire(Run("x", 0, variables=variables, graph=Graph(tensors, ())))


def row(i: int, shape: tuple, stride: tuple, size: int = 1 << 62) -> TensorInfo:
    return TensorInfo(i, shape, "torch.float32", stride, 0, 0, size, False, False, False,
                      True, None, None, device="meta")


def overlapping(i: int) -> TensorInfo:
    """F8: 64 dims of 2**22, each of stride 1 but the first (1 + i): no dim nests in another."""
    return row(i, (1 << 22,) * 64, (1 + i,) + (1,) * 63)


def test_dims_of_one_step_are_spread_once_and_a_dim_that_adds_nothing_is_skipped():
    """A row of F8 made 64 x 22 passes over the 4M drawn cells; its 63 dims of stride 1 are
    one dim of 63 x (2**22 - 1) + 1 steps (22 passes), and its dim of stride 2 then adds no
    cell (one pass to see so). Every cell from 0 on is read."""
    budget = memory.Budget()
    read = memory._read(overlapping(1), memory.DRAWN, budget)
    assert read.all() and budget.cut == 0
    assert memory.READ_CELLS - budget.cells <= 24 * memory.DRAWN


def test_ten_forged_overlapping_rows_share_one_bounded_walk(monkeypatch):
    """The whole figure visits at most READ_CELLS cells, and these rows are drawn in full."""
    spent = []
    spend = memory.Budget.spend
    monkeypatch.setattr(memory.Budget, "spend",
                        lambda self, cells: spent.append(cells) or spend(self, cells))
    figure = memory_figure(forged([overlapping(i) for i in range(ROWS)]), 0, focus=0)
    assert sum(spent) <= 24 * ROWS * memory.DRAWN <= memory.READ_CELLS
    assert all(list(z) == [1.0] * 48 for z in figure.data[0].z)
    assert "≈" not in figure.layout.title.text


def tangled(i: int) -> TensorInfo:
    """64 dims of distinct strides 1,000 + k: each keeps adding cells, 13 passes each."""
    return row(i, (4096,) * 64, tuple(1000 + k + 64 * i for k in range(64)))


@pytest.mark.parametrize("lang, note", [("en", "shaded in part"),
                                        ("zh-CN", "只画出了一部分")])
def test_a_row_too_tangled_for_the_budget_is_shaded_in_part_and_says_so(lang, note):
    """The budget runs out in the first row: it shows the cells found so far (each really
    read) and is marked ≈; the rows after it, given nothing, are marked too."""
    run = forged([tangled(i) for i in range(3)])
    figure = memory_figure(run, 0, lang=lang, focus=0)
    heatmap = figure.data[0]
    assert note in figure.layout.title.text
    assert all(str(y).endswith(" ≈") for y in heatmap.y)
    partial = memory._read(tangled(0), memory.DRAWN, memory.Budget())
    whole = memory._read(tangled(0), memory.DRAWN, memory.Budget(cells=1 << 40))
    assert partial.sum() < whole.sum() and not (partial & ~whole).any()
    width = -(-memory.DRAWN // 48)
    squares = [whole[k:k + width].mean() for k in range(0, memory.DRAWN, width)]
    assert all(np.isnan(z) or z <= w for z, w in zip(heatmap.z[0], squares))


def test_a_view_check_of_a_forged_64_dim_view_walks_its_first_elements():
    """np.unravel_index refuses a shape of more than 2**63 elements (ValueError on the Memory
    tab); the first elements of the walk are found in Python ints."""
    check = view_check(overlapping(3))
    assert check.walks[0] == tuple(range(24))


def test_a_backward_numpy_window_shades_the_cells_it_reads():
    """x.unfold(0, 3, 1).numpy()[::-1]: windows that overlap, read from the last one back.
    _read left out a dim of negative stride (it shaded only the last window's cells)."""
    run = execute("import torch\nx = torch.zeros(100)\na = x.unfold(0, 3, 1).numpy()[::-1]\n", 0)
    x = tensor_named(run, "x")
    figure = memory_figure(run, x.storage_id, focus=x.id)
    heatmap = figure.data[0]
    [array] = [r for r, y in enumerate(heatmap.y) if str(y).startswith("a ")]
    assert list(heatmap.z[array]) == [1.0] * 34          # squares of 3 cells


def test_an_array_reaching_before_its_storage_is_left_out_not_drawn_wrong():
    """A NumPy array that only partly lies in a tensor's storage may step back past its first
    cell; its row is left out (the cells before the storage are no part of the picture)."""
    x = TensorInfo(0, (24,), "torch.float32", (1,), 0, 0, 24, True, False, False, True,
                   None, None)
    backward = memory.Sharer("a", "ndarray", (30,), (-1,), 20, "float32")
    assert memory._placeable(backward, x.dtype) is False
    assert memory._placeable(dataclasses.replace(backward, storage_offset=29), x.dtype)
