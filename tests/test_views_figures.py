"""Pictures that say each thing once and keep their labels readable (issue 14): the gradient
check shows its verdict once and keeps its legend off the axes, the training chart's accuracy
axis reads 0 % to 100 % with no legend over it, and a Module box names a Module called without a name once
("CrossEntropyLoss", not "CrossEntropyLoss: CrossEntropyLoss")."""
from __future__ import annotations

import json
import pathlib
import re

import pytest
from streamlit.testing.v1 import AppTest

from explorer.gradcheck import ElementCheck, GradCheck, LeafCheck
from explorer.sandbox.execute import execute
from explorer.training import TrainConfig, train
from explorer.views.gradcheck import gradcheck_figure, gradcheck_message
from explorer.views.graph import graph_picture
from explorer.views.training import loss_figure

ENTRY = pathlib.Path(__file__).resolve().parents[1] / "streamlit_app.py"
LEAF = LeafCheck(0, "w", (2,), "torch.float32", 1, 1, 1e-3, 1e-2, 1e-2)
CHECK = GradCheck("s", 0, "loss", 3, 1.0, (LEAF,),
                  (ElementCheck(0, (0,), 1.0, 1.0, 0.0, 0.0, True),
                   ElementCheck(0, (1,), 2.0, 2.0, 0.0, 0.0, True)),
                  message_key="agree", message_fields=(("total", 2), ("root", "loss")))


def test_the_gradient_check_figure_leaves_the_verdict_to_the_page():
    message = gradcheck_message(CHECK)
    assert message
    beside = gradcheck_figure(CHECK, verdict=False)
    assert not beside.layout.title.text and message not in json.dumps(beside.to_plotly_json())
    alone = gradcheck_figure(CHECK)            # a picture on its own (docs/) still says it
    assert alone.layout.title.text == message


@pytest.mark.parametrize("verdict", [False, True])
def test_the_gradient_check_legend_sits_above_the_plots_and_the_title(verdict):
    figure = gradcheck_figure(CHECK, verdict=verdict)
    legend = figure.layout.legend
    assert (legend.orientation, legend.yref, legend.yanchor) == ("h", "container", "top")
    height, top = figure.layout.height, figure.layout.margin.t
    title_bottom = 40 if verdict else 0          # a 15 px title line from the top, with room
    assert (1 - legend.y) * height >= title_bottom
    # Two rows of legend (a phone) and the subplot title (about 25 px) still fit the margin.
    assert (1 - legend.y) * height + 2 * 26 + 25 <= top


def test_the_page_shows_the_gradient_check_verdict_once():
    code = ("import torch\nw = torch.tensor([0.5, -1.0], requires_grad=True)\n"
            "loss = (w * w).sum()\nloss.backward()\n")
    app = AppTest.from_file(str(ENTRY), default_timeout=90)
    app.query_params["code"], app.query_params["view"] = code, "gradcheck"
    app.run()
    assert not app.exception
    [verdict] = app.success
    [chart] = app.get("plotly_chart")
    spec = json.loads(chart.proto.spec)
    assert not (spec["layout"].get("title") or {}).get("text")
    plain = re.sub(r"[`*]", "", verdict.value)
    assert plain.split(":")[0] not in chart.proto.spec


def test_the_accuracy_axis_reads_percent_in_quarters():
    records = list(train(TrainConfig(dataset="moons", steps=20, boundary_every=10,
                                     n_points=60, grid=10)))
    figure = loss_figure(records)
    accuracy = figure.layout.yaxis2
    assert list(accuracy.tickvals) == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert accuracy.tickformat == ".0%" and tuple(accuracy.range) == (0, 1.02)
    assert [format(v, ".0%") for v in accuracy.tickvals] == ["0%", "25%", "50%", "75%", "100%"]
    assert list(figure.data[1].y) == [r.accuracy for r in records]    # still fractions
    # No legend to cover the right axis: each axis title names its line in the line's colour.
    assert figure.layout.showlegend is False
    for axis, trace in ((figure.layout.yaxis, figure.data[0]), (accuracy, figure.data[1])):
        assert axis.title.font.color == trace.line.color


def box_titles(dot: str) -> list[str]:
    """The first line of each Module box: "<B>path</B>: Type" as text."""
    return [re.sub(r"<[^>]+>", "", label.split("<BR/>")[0])
            for label in re.findall(r"label=<(.*?)>\]?;?$", dot, flags=re.M)
            if "<B>" in label.split("<BR/>")[0]]


MODEL = """import torch
from torch import nn
model = nn.Sequential(nn.Linear(3, 2))
x = torch.randn(4, 3)
y = torch.tensor([0, 1, 1, 0])
"""


@pytest.mark.parametrize(("call", "title"), [
    ("loss = nn.CrossEntropyLoss()(model(x), y)", "CrossEntropyLoss"),
    ("loss_fn = nn.CrossEntropyLoss()\nloss = loss_fn(model(x), y)", "loss_fn: CrossEntropyLoss"),
])
def test_a_module_box_names_an_unnamed_module_once(call, title):
    run = execute(MODEL + call + "\nloss.backward()\n")
    titles = box_titles(graph_picture(run, collapse=True).dot)
    assert title in titles and "model: Sequential" in titles
    assert "CrossEntropyLoss: CrossEntropyLoss" not in titles


@pytest.mark.parametrize("present", [False, True])
def test_the_steps_table_wraps_its_long_formula_and_sent_cells(present):
    """The grid wraps a cell only in rows taller than 4rem (88 px in presentation type), and
    its columns fit the 760 px page of a 1280 px screen: one line cut the formula off."""
    code = ("import torch\nfrom torch import nn\nx = torch.randn(5, 3)\ny = torch.tensor([0, 1, 0, 1, 1])\n"
            "loss = nn.CrossEntropyLoss()(nn.Linear(3, 2)(x), y)\nloss.backward()\n")
    app = AppTest.from_file(str(ENTRY), default_timeout=90)
    app.query_params["code"], app.query_params["view"] = code, "steps"
    if present:
        app.query_params["present"] = "true"
    app.run()
    assert not app.exception
    table = app.dataframe[-1]
    assert table.proto.row_height > (88 if present else 64)
    widths = [c["width"] for name, c in json.loads(table.proto.columns).items() if name != "_index"]
    assert len(widths) == 5 and sum(widths) <= 760
    assert any(len(formula) > 60 for formula in table.value.iloc[:, 2])   # what needs wrapping
