"""The broadcasting picture: shapes right-aligned and stretched dims as torch broadcasts them,
expansions that repeat cells, and gradients summed back to each operand's shape, with the
numbers, equal to torch's gradients; failing ops with torch's message, their shapes and exactly
the dims torch cannot broadcast (or an in-place target would have to grow)."""
import contextlib
import io
import pathlib
import re
import runpy

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.model import FailedOp
from explorer.sandbox.execute import execute
from explorer.views.broadcast import (
    TITLE_WIDTH,
    broadcast_failures,
    broadcast_steps,
    expansion_figure,
    failure_figure,
    gradient_sums,
    torch_numbers,
)

SOURCE = """import torch
a = torch.tensor([[1.0], [2.0]], requires_grad=True)
b = torch.tensor([10.0, 20.0, 30.0], requires_grad=True)
c = a * b
y = (c * c).sum()
y.backward()
"""


def test_shapes_align_right_and_stretch_where_torch_stretches():
    run = execute(SOURCE)
    [step] = broadcast_steps(run)   # only a * b broadcasts; c * c does not
    assert step.label == "MulBackward0"
    assert step.result_shape == tuple(torch.broadcast_shapes((2, 1), (3,)))
    a, b = step.operands
    assert (a.name, a.padded, a.stretched) == ("a", (2, 1), (1,))
    assert (b.name, b.padded, b.stretched) == ("b", (1, 3), (0,))


def test_python_numbers_are_scalars_not_broadcast_operands():
    run = execute("import torch\ncol = torch.arange(3).view(3, 1)\nrow = torch.arange(4)\n"
                  "t = col * 10 + row\nu = col * torch.tensor(10)\n")
    steps = broadcast_steps(run)
    assert [s.label for s in steps] == ["add", "mul"]   # 10 is a scalar; tensor(10) is a tensor
    assert [o.name for o in steps[0].operands][1] == "row"
    assert steps[1].result_shape == tuple(torch.broadcast_shapes((3, 1), ()))


def test_expanded_operands_repeat_their_cells():
    run = execute(SOURCE)
    [step] = broadcast_steps(run)
    figure = expansion_figure(run, step)
    heatmaps = [trace.z for trace in figure.data]
    np.testing.assert_array_equal(np.asarray(heatmaps[1]), [[1, 1, 1], [2, 2, 2]])
    np.testing.assert_array_equal(np.asarray(heatmaps[3]), [[10, 20, 30], [10, 20, 30]])
    titles = [a.text for a in figure.layout.annotations]
    for name, t in (("a", torch.ones(2, 1)), ("b", torch.ones(3))):
        zero = [d for d, s in enumerate(t.expand(2, 3).stride()) if s == 0]   # torch's view
        assert f"{name} stretched to (2, 3) (stride 0 along dim {zero[0]})" in titles


def test_gradients_are_summed_back_over_the_stretched_dims_like_torch():
    a = torch.tensor([[1.0], [2.0]], requires_grad=True)
    b = torch.tensor([10.0, 20.0, 30.0], requires_grad=True)
    c = a * b
    (c * c).sum().backward()
    rows = gradient_sums(execute(SOURCE))
    by_operand = {r["operand"]: r for r in rows}
    assert by_operand["a"]["from"] == (2, 3) and by_operand["a"]["to"] == (2, 1)
    np.testing.assert_allclose(by_operand["a"]["after"], a.grad.numpy())
    np.testing.assert_allclose(by_operand["b"]["after"], b.grad.numpy())
    np.testing.assert_allclose(by_operand["a"]["before"].sum(axis=1, keepdims=True),
                               by_operand["a"]["after"])


# ---- failing ops: the shapes and the dim that cannot broadcast, next to torch's message -----
def torch_error(code: str, namespace: dict) -> str | None:
    try:
        exec(code, {"torch": torch, **namespace})   # noqa: S102 - our own one-liners, on torch
    except RuntimeError as error:
        return str(error).splitlines()[0]
    return None


def failures_of(code: str, shapes: tuple) -> list:
    lines = "".join(f"{n} = torch.ones({s})\n" for n, s in zip("ab", shapes))
    return broadcast_failures(execute(f"import torch\n{lines}try:\n    {code}\nexcept "
                                      f"RuntimeError:\n    pass\n"))


shapes = st.lists(st.integers(1, 4), min_size=0, max_size=4).map(tuple)


@settings(max_examples=60, deadline=None)
@given(shapes, shapes)
def test_failing_broadcast_shows_torchs_message_and_the_dims_that_cannot_match(sa, sb):
    message = torch_error("a + b", {"a": torch.ones(sa), "b": torch.ones(sb)})
    found = failures_of("c = a + b", (sa, sb))
    if message is None:
        assert found == []
        return
    [failure] = found
    assert failure.message == message and failure.shapes == (sa, sb) and not failure.inplace
    n = max(len(sa), len(sb))
    assert [len(p) for p in failure.padded] == [n, n]
    for d in range(n):       # each dim on its own: does torch broadcast the two sizes?
        pair = (failure.padded[0][d],), (failure.padded[1][d],)
        fails = torch_error("torch.broadcast_shapes(*p)", {"p": pair}) is not None
        assert (d in failure.bad_dims) == fails
    assert failure.named_dim == int(message.rsplit(" ", 1)[1]) and \
        failure.named_dim == max(failure.bad_dims)        # torch names the rightmost
    heat = failure_figure(failure).data[0]
    red = {d for row in heat.z for d, kind in enumerate(row) if kind == 3}
    assert red == set(failure.bad_dims)
    assert message in failure_figure(failure).layout.title.text.replace("<br>", " ")


@settings(max_examples=40, deadline=None)
@given(shapes, shapes)
def test_inplace_target_that_would_have_to_grow(sa, sb):
    message = torch_error("a.add_(b)", {"a": torch.ones(sa), "b": torch.ones(sb)})
    found = failures_of("a.add_(b)", (sa, sb))
    if message is None:
        assert found == []
        return
    [failure] = found
    assert failure.message == message
    if not failure.inplace:      # the shapes do not even broadcast
        return
    result = tuple(torch.broadcast_shapes(sa, sb))
    assert failure.result_shape == result and failure.op == "add_"
    assert failure.bad_dims == tuple(d for d, (n, r) in enumerate(zip(failure.padded[0], result))
                                     if n != r)
    target_row = failure_figure(failure).data[0].z[0]
    assert [d for d, kind in enumerate(target_row) if kind == 3] == list(failure.bad_dims)


def test_course_example_19_failures_are_torchs():
    path = pathlib.Path(__file__).parent / "course_examples" / "19_mistake_broadcast_mismatch.py"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        runpy.run_path(str(path))
    torch_messages = [line.split(" ", 1)[1] for line in printed.getvalue().splitlines()
                      if line.startswith("RuntimeError")]
    run = execute(path.read_text())
    failures = broadcast_failures(run)
    assert [f.message for f in failures] == torch_messages
    assert [(f.op, f.shapes, f.bad_dims, f.inplace) for f in failures] == [
        ("add", ((2, 3), (2, 2)), (1,), False),
        ("broadcast_tensors", ((2, 3), (2, 2)), (1,), False),
        ("add_", ((2, 3, 1), (2, 3, 3)), (2,), True)]
    lines = path.read_text().splitlines()
    assert ["add(" in lines[f.line - 1] or "broadcast_tensors" in lines[f.line - 1]
            or "add_(" in lines[f.line - 1] for f in failures] == [True] * 3
    assert failures[2].result_shape == (2, 3, 3)


def test_an_uncaught_failure_is_the_runs_error_too():
    run = execute("import torch\na = torch.ones(2, 3)\nb = a * torch.ones(4, 1, 2)\n")
    [failure] = broadcast_failures(run)
    assert run.error.message == failure.message and run.error.line == failure.line == 3
    assert "At dimension 2 the sizes are 3 and 2" in failure.explanation


# ---- a broadcast seen only in backward is a broadcast: the two captions agree ---------------
LINEAR = """import torch
torch.manual_seed(0)
lin = torch.nn.Linear(4, 3)
x = torch.randn(5, 4)
y = lin(x).sum()
y.backward()
"""


def test_a_bias_summed_back_in_backward_is_listed_as_a_broadcast_by_its_module_path():
    torch.manual_seed(0)
    lin = torch.nn.Linear(4, 3)
    x = torch.randn(5, 4)
    lin(x).sum().backward()
    run = execute(LINEAR)
    [step] = broadcast_steps(run)          # addmm recorded no broadcast shape; backward summed
    assert step.label == "AddmmBackward0" and step.result_shape == (5, 3)
    [bias] = step.operands
    assert (bias.name, bias.shape, bias.padded, bias.stretched) == (
        "lin.bias", tuple(lin.bias.shape), (1, 3), (0,))
    [row] = gradient_sums(run)
    assert (row["operand"], row["from"], row["to"]) == ("lin.bias", (5, 3), (3,))
    np.testing.assert_allclose(row["after"], lin.bias.grad.numpy(), rtol=1e-6)
    figure = expansion_figure(run, step)
    titles = [a.text for a in figure.layout.annotations]
    assert "lin.bias stretched to (5, 3) (stride 0 along dim 0)" in titles
    assert lin.bias.expand(5, 3).stride()[0] == 0


def test_a_loop_lists_each_broadcast_once_with_its_count():
    source = ("import torch\nb = torch.zeros(3, requires_grad=True)\nx = torch.ones(5, 3)\n"
              "for _ in range(20):\n    y = (x + b).sum()\n    y.backward()\n")
    [step] = broadcast_steps(execute(source))
    assert (step.count, step.line, [o.name for o in step.operands]) == (20, 5, ["x", "b"])


# ---- numbers as PyTorch prints them ------------------------------------------------------------
@pytest.mark.parametrize("values", [[0.1], [1.54, -0.293, 0.1], [1.0, 2.0], [1e-5, 1.0],
                                    [0.0, 0.0], [float("nan"), 1.0], [1.0, float("inf")],
                                    [1e9, 2e9], [3, -4], [True, False], [0.5, 1234.5678]])
def test_numbers_read_as_torch_prints_them(values):
    t = torch.tensor(values)
    printed = repr(t)[len("tensor(["):-len("])")]
    assert [p.strip() for p in printed.split(",")] == torch_numbers(t.tolist())


def test_the_expansion_shows_float32_numbers_as_torch_prints_them():
    run = execute("import torch\na = torch.tensor([[0.1], [0.2]])\nb = torch.tensor([1.0, 2.0, 3.0])"
                  "\nc = a * b\nk = torch.tensor([[1], [2]]) + torch.tensor([3, 4])\n")
    steps = broadcast_steps(run)
    figure = expansion_figure(run, steps[0])
    a_after = figure.data[1].text
    assert [list(r) for r in a_after] == [["0.1000"] * 3, ["0.2000"] * 3]
    assert repr(torch.tensor([0.1]).expand(1, 3)) == "tensor([[0.1000, 0.1000, 0.1000]])"
    assert [list(r) for r in figure.data[3].text] == [["1.", "2.", "3."]] * 2
    ints = expansion_figure(run, steps[1]).data[1].text
    assert [list(r) for r in ints] == [["1", "1"], ["2", "2"]]      # int64: no decimal point


def test_the_failure_patterns_have_no_unbounded_repeat():
    from test_explain import _unbounded_repeats, sre_parse
    from explorer.views import broadcast
    for pattern in (broadcast._MISMATCH, broadcast._CANNOT_GROW):
        assert _unbounded_repeats(sre_parse.parse(pattern.pattern)) == [], pattern.pattern
    long = "output with shape [" + "1, " * 300 + "3] doesn't match the broadcast shape [2, 3]"
    failure = broadcast._failure(FailedOp("add_", ((3,), (2, 3)), "RuntimeError", long))
    assert failure is not None and failure.inplace


@pytest.mark.parametrize("shape", [(5,), (40, 50), (3, 20, 7), (2, 3, 40, 33), (1, 64, 2), (100,)])
def test_a_window_is_the_first_rows_and_columns_of_the_table(shape):
    """Leading dims are kept whole from the inside out while they fit, so the window is always
    the table's first rows."""
    from explorer.views.broadcast import CELLS, _as_2d, _window
    table = np.arange(np.prod(shape)).reshape(shape)
    window = _as_2d(_window(table))
    rows = window.shape[0]
    assert 1 <= rows <= CELLS and np.array_equal(window, _as_2d(table)[:rows, :CELLS])
    if table.ndim == 2:
        assert rows == min(shape[0], CELLS)


def test_a_tiny_operand_stretched_to_a_huge_result_draws_a_window():
    """A one-element bias broadcast to 4000x5000 made a 400 MB figure and a minute of server
    CPU on every redraw (eleventh outside attack): only the first cells are drawn."""
    from explorer.views.broadcast import CELLS
    run = execute("import torch\nbias = torch.tensor([0.1])\nx = torch.ones(4000, 5000)\n"
                  "y = x + bias\n")
    figure = expansion_figure(run, broadcast_steps(run)[0])
    drawn = [np.asarray(trace.z).shape for trace in figure.data]
    assert (CELLS, CELLS) in drawn and all(r <= CELLS and c <= CELLS for r, c in drawn)
    assert figure.layout.annotations[-1].text.endswith("…")


def test_a_failure_names_each_operand_as_the_learner_wrote_it():
    """Torch's message says "tensor a" and "tensor b"; each row says which of the learner's
    tensors that is: a variable (`h`), or the expression that made a temporary (`x @ w`),
    shown literally (a `->` in an einsum stays text)."""
    source = (pathlib.Path(__file__).parent / "gallery" / "failing_program.py").read_text()
    [failure] = broadcast_failures(execute(source))
    assert list(failure_figure(failure).data[0].y) == ["a: h (4, 5)", "b (4,)"]
    run = execute("import torch\nx = torch.ones(4, 3)\nw = torch.ones(3, 5)\nbias = torch.ones(4)\n"
                  "y = torch.einsum('ij,jk->ik', x, w) + bias\n")
    [failure] = broadcast_failures(run)
    rows = list(failure_figure(failure).data[0].y)
    assert rows == ["a: torch.einsum('ij,jk-&gt;ik', x, w) (4, 5)", "b: bias (4,)"], rows


def test_a_failures_title_wraps_to_fit_a_phone():
    """Plotly never wraps a title: PyTorch's message on one line ran off a 400 px screen, and
    so did the colour key. Every line of the title is short enough for a phone; joined, the
    lines are the op, the line and torch's message, word for word."""
    source = (pathlib.Path(__file__).parent / "gallery" / "failing_program.py").read_text()
    [failure] = broadcast_failures(execute(source))
    for lang in ("en", "zh-CN"):
        title = failure_figure(failure, lang=lang).layout.title.text
        lines = [re.sub(r"<[^>]+>", "", line) for line in title.split("<br>")]
        assert all(len(line) <= TITLE_WIDTH for line in lines), lines
        assert failure.message in " ".join(lines)
        assert len(lines) >= 4          # the message, then the key on two lines
