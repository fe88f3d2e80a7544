"""The memory picture: every element is mapped to the storage cell PyTorch stores it in, for
transpose, permute, expand, slicing and channels_last, checked against real torch."""
import numpy as np
import pytest
import torch

from explorer.sandbox.execute import execute
from explorer.views.memory import layout_summary, memory_figure, sharing, storage_positions

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
