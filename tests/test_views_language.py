"""Every picture speaks the learner's language: drawn in Simplified Chinese, each view carries the
Chinese texts of explorer/texts/zh-CN/views.toml (read here with t, never typed in), while its
numbers, shapes, names and PyTorch's messages stay exactly what they are in English."""
import json
import pickle
import re

import pytest
import torch
from plotly.utils import PlotlyJSONEncoder

from explorer import Limits
from explorer.gradcheck import gradient_check
from explorer.sandbox.execute import execute
from explorer.sandbox.pool import WorkerPool
from explorer.texts import t
from explorer.views.broadcast import (
    broadcast_failures,
    broadcast_steps,
    expansion_figure,
    failure_figure,
)
from explorer.views.chain import chain_text, grad_fn_chain
from explorer.views.gradcheck import (
    gradcheck_figure,
    gradcheck_message,
    gradcheck_table,
)
from explorer.views.graph import graph_picture
from explorer.views.memory import (
    layout_summary,
    memory_figure,
    order_figure,
    tensor_named,
    view_check,
    view_figure,
)
from explorer.views.steps import backward_steps, steps_table

ZH = "zh-CN"
CJK = re.compile(r"[\u3400-\u9fff]")


def data(figure) -> str:
    """What a figure's traces draw (values, cell texts, row labels), without trace names or
    axis labels: must not depend on the language."""
    keep = ("z", "text", "customdata", "y", "texttemplate")
    return json.dumps([{k: v for k, v in trace.to_plotly_json().items() if k in keep}
                       for trace in figure.data], cls=PlotlyJSONEncoder)


def annotations(figure) -> list:
    return [a.text for a in figure.layout.annotations]


BROADCAST = """import torch
a = torch.tensor([[1.0], [2.0]], requires_grad=True)
b = torch.tensor([10.0, 20.0, 30.0], requires_grad=True)
c = a * b
c.sum().backward()
try:
    a + torch.ones(3, 4)
except RuntimeError:
    pass
"""


def test_broadcast_figures_in_chinese_keep_shapes_and_torchs_message():
    run = execute(BROADCAST)
    [step] = broadcast_steps(run)
    shape = tuple(torch.broadcast_shapes((2, 1), (3,)))
    en, zh = expansion_figure(run, step), expansion_figure(run, step, lang=ZH)
    assert data(en) == data(zh)
    assert t("view.broadcast.stretched", ZH, name="a", shape=shape, dims="1") in annotations(zh)
    assert t("view.broadcast.joined", ZH) in zh.layout.title.text
    assert str(shape) in zh.layout.title.text and str(shape) in en.layout.title.text

    [failure] = broadcast_failures(run)
    en, zh = failure_figure(failure), failure_figure(failure, lang=ZH)
    assert data(en) == data(zh)
    with pytest.raises(RuntimeError) as caught:
        torch.ones(2, 1) + torch.ones(3, 4)
    title = zh.layout.title.text.replace("<br>", " ")     # wrapped to fit a phone
    assert str(caught.value).splitlines()[0] in title                   # PyTorch's own words
    for key in ("cannot", "stretches", "padded"):
        assert t(f"view.broadcast.{key}", ZH) in zh.layout.title.text
    assert t("view.broadcast.in_message", ZH) in " ".join(zh.data[0].x)
    assert list(zh.data[0].y) == list(en.data[0].y)                     # "a (2, 1)", "b (3, 4)"


MEMORY = """import torch
x = torch.arange(6.0).reshape(2, 3)
y = x.t()
z = y.contiguous()
"""


def test_memory_figures_in_chinese_keep_strides_and_cells():
    run = execute(MEMORY)
    y = tensor_named(run, "y")
    ty = torch.arange(6.0).reshape(2, 3).t()
    kind = t("view.memory.not_contiguous", ZH)
    assert layout_summary(y, lang=ZH) == t("view.memory.summary", ZH, shape=tuple(ty.shape),
                                          stride=ty.stride(), offset=ty.storage_offset(),
                                          kind=kind)
    en, zh = memory_figure(run, y.storage_id), memory_figure(run, y.storage_id, lang=ZH)
    assert data(en) == data(zh)
    assert zh.layout.title.text == t("view.memory.storage", ZH, id=y.storage_id,
                                     size=ty.untyped_storage().nbytes() // 4)
    assert zh.layout.xaxis.title.text == t("view.memory.cell", ZH)

    check = view_check(y)
    assert not check.fits
    en, zh = view_figure(check, "y"), view_figure(check, "y", lang=ZH)
    assert data(en) == data(zh)
    assert t("view.memory.view_fails", ZH, call="y.view(6)", dim=check.spanning[0]) \
        in annotations(zh)
    assert t("view.memory.reshape_copies", ZH, call="y.reshape(6)") in annotations(zh)

    en, zh = order_figure(run, ["y", "z"]), order_figure(run, ["y", "z"], lang=ZH)
    assert data(en) == data(zh)
    assert zh.layout.title.text == t("view.memory.order_title", ZH,
                                     what=t("view.memory.colour_order", ZH))
    assert t("view.memory.in_memory", ZH, name="<b>z</b>", stride=torch.ones(3, 2).stride()) \
        in annotations(zh)
    assert zh.data[-1].hovertemplate.startswith(t("view.memory.hover_cell", ZH))


GRAPH = """import torch
x = torch.tensor(2.0, requires_grad=True)
w = torch.ones(2, 3, requires_grad=True)
v = w.t()
loss = (v * x).sum()
loss.backward()
"""


def test_graph_nodes_and_notes_in_chinese_keep_grad_fn_names_and_shapes():
    run = execute(GRAPH)
    en = graph_picture(run, show_values=True)
    zh = graph_picture(run, show_values=True, lang=ZH)
    for word in ("scalar", "grad", "view_of"):
        assert t(f"view.graph.{word}", ZH) in zh.dot and t(f"view.graph.{word}", ZH) not in en.dot
    for name in ("MulBackward0", "SumBackward0", "TBackward0", "3×2", "float32"):
        assert en.dot.count(name) == zh.dot.count(name) > 0
    small = graph_picture(run, budget=3, lang=ZH)
    assert small.notes and all(CJK.search(note) for note in small.notes)
    assert len(small.notes) == len(graph_picture(run, budget=3).notes)


def test_steps_table_and_chain_in_chinese_keep_the_numbers():
    run = execute(GRAPH)
    views = backward_steps(run)
    en, zh = steps_table(views), steps_table(views, lang=ZH)
    keys = ("step", "node", "formula", "grad_in", "sent")
    assert list(zh[0]) == [t(f"view.steps.{key}", ZH) for key in keys]
    assert [list(row.values())[:4] for row in en] == [list(row.values())[:4] for row in zh]
    summed = f"{tuple(torch.ones(2, 3).t().shape)} → ()"     # x's gradient, summed to a scalar
    english, chinese = (t("view.steps.summed", lang, shapes=summed) for lang in ("en", ZH))
    assert [row["sent"].replace(english, chinese) for row in en] == \
        [row[t("view.steps.sent", ZH)] for row in zh]
    assert any(chinese in row[t("view.steps.sent", ZH)] for row in zh)
    shared = execute("import torch\nx = torch.ones(2, requires_grad=True)\ny = x * x\n"
                     "z = y + y\n")                     # y's node is reached twice
    rows = grad_fn_chain(shared, tensor_named(shared, "z").id)
    en, zh = chain_text(rows), chain_text(rows, ZH)
    assert t("view.chain.shown_above", ZH) in zh
    assert zh == en.replace(t("view.chain.shown_above", "en"), t("view.chain.shown_above", ZH))


@pytest.fixture(scope="module")
def pool():
    workers = WorkerPool(size=1)
    yield workers
    workers.close()


def test_gradcheck_says_its_sentence_in_chinese_from_a_language_free_check(pool):
    source = "import torch\nw = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)\n" \
             "loss = (w * w.exp()).sum()\nloss.backward()\n"
    check = gradient_check(pool, source, limits=Limits(cpu_seconds=10, wall_seconds=30),
                           time_budget=60)
    assert pickle.loads(pickle.dumps(check)) == check and check.passed
    assert gradcheck_message(check, ZH) == t("view.gradcheck.message.agree", ZH, total=3,
                                              root="loss")
    assert gradcheck_message(check) == t("view.gradcheck.message.agree", "en", total=3,
                                         root="loss")
    en, zh = gradcheck_table(check), gradcheck_table(check, ZH)
    assert t("view.gradcheck.finite_difference", ZH) in zh[0]
    assert [list(row.values()) for row in en] == [list(row.values()) for row in zh]
    en, zh = gradcheck_figure(check), gradcheck_figure(check, ZH)
    assert [trace.y for trace in en.data] == [trace.y for trace in zh.data]
    assert zh.layout.title.text == gradcheck_message(check, ZH)
    assert {trace.name for trace in zh.data} == {
        t(f"view.gradcheck.{key}", ZH)
        for key in ("autograd", "finite_difference", "abs_error", "tolerance")}
