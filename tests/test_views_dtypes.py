"""The dtype table: each op's operand dtypes and result dtype are real torch's, a Python number
shows as one, repeated turns of a line fold, and the named tensors carry torch's element_size."""
import builtins
import contextlib
import functools
import io

import engine.dtypes
import pytest
import torch
from test_lessons import sandbox_run, torch_namespace

from explorer.lessons import LESSONS, get_lesson
from explorer.views.dtypes import ELEMENT_BYTES, op_dtypes, op_table, tensor_table


def test_the_promotion_rows_are_the_dtypes_torch_computes():
    cell = get_lesson("dtypes").cells[2]
    rows = op_dtypes(sandbox_run(cell.code))
    ns = torch_namespace(cell.code)
    i, f, d = ns["i"], ns["f"], ns["d"]
    expected = [("add", (i, f), i + f), ("add", (i, 2.5), i + 2.5), ("div", (i, 2), i / 2),
                ("floor_divide", (i, 2), i // 2), ("add", (f, d), f + d)]
    assert [(row.op, row.result) for row in rows] == [(op, str(out.dtype))
                                                     for op, _, out in expected]
    for row, (_, operands, _) in zip(rows, expected):
        assert len(row.operands) == 2
        for shown, operand in zip(row.operands, operands):
            if isinstance(operand, torch.Tensor):
                assert shown == f"{operand.dtype} {tuple(operand.shape)}"
            else:
                assert shown.startswith("Python number")


def test_a_loop_folds_into_one_row_and_the_table_names_its_columns_in_each_language():
    run = sandbox_run("import torch\nx = torch.ones(2, dtype=torch.int32)\n"
                      "for _ in range(5):\n    x = x + 1\ny = x.double()\n")
    rows = op_dtypes(run)
    assert [(r.op, r.count, r.result) for r in rows] == [("add", 5, "torch.int32"),
                                                        ("_to_copy", 1, "torch.float64")]
    assert list(op_table(rows, "en")[0]) == ["line", "code", "op", "dtypes in", "dtype out"]
    assert op_table(rows, "en")[0]["op"] == "add ×5"
    assert op_table(rows, "en")[0]["code"] == "x = x + 1"
    assert "×5" in op_table(rows, "zh-CN")[0]["运算"]


def test_the_tensor_rows_give_torchs_element_size():
    cell = get_lesson("dtypes").cells[0]
    table = tensor_table(sandbox_run(cell.code))
    ns = torch_namespace(cell.code)
    assert [row["tensor"] for row in table] == ["i", "f", "b", "h"]
    for row in table:
        tensor = ns[row["tensor"]]
        assert (row["dtype"], row["bytes per element"]) == (str(tensor.dtype),
                                                           tensor.element_size())
    for name, size in ELEMENT_BYTES.items():
        assert getattr(torch, name.removeprefix("torch.")).itemsize == size
    assert {str(d) for d in engine.dtypes.ALL} <= set(ELEMENT_BYTES)    # every engine dtype


def test_a_modules_parameters_are_listed_so_a_float64_batch_meets_the_float32_weight():
    cell = get_lesson("mistake-dtype-mismatch").cells[0]
    table = {row["tensor"]: row["dtype"] for row in tensor_table(sandbox_run(cell.code))}
    ns = torch_namespace_until_error(cell.code)
    assert table == {"batch": str(ns["batch"].dtype), "model.weight": str(ns["model"].weight.dtype),
                     "model.bias": str(ns["model"].bias.dtype)}
    assert table["batch"] != table["model.weight"]


def torch_namespace_until_error(code: str, error: str = "RuntimeError") -> dict:
    """The globals a cell that fails on purpose (with `error`) has made on real torch when it
    fails."""
    namespace = {"__name__": "__main__"}
    with pytest.raises(getattr(builtins, error)), contextlib.redirect_stdout(io.StringIO()):
        exec(compile(code, "<lesson>", "exec"), namespace)  # noqa: S102
    return namespace


DTYPE_CELLS = [pytest.param(cell, id=cell.key) for lesson in LESSONS for cell in lesson.cells
               if cell.picture == "dtypes"]


@pytest.mark.parametrize("cell", DTYPE_CELLS)
def test_every_row_of_a_lessons_dtype_table_is_what_torch_has(cell):
    """Each tensor (and Module parameter) in the table has torch's shape, dtype and element size,
    as the cell left it (a cell that fails on purpose: as it was when it failed)."""
    ns = torch_namespace_until_error(cell.code, cell.raises) if cell.raises else \
        torch_namespace(cell.code)
    table = tensor_table(sandbox_run(cell.code))
    assert table
    for row in table:
        first, *rest = row["tensor"].split(".")
        tensor = functools.reduce(getattr, rest, ns[first])
        assert (row["shape"], row["dtype"], row["bytes per element"]) == (
            str(tuple(tensor.shape)), str(tensor.dtype), tensor.element_size()), row
