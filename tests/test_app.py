"""The app as Streamlit runs it (AppTest): the playground runs learner code in the sandbox and
draws the graph PyTorch would build."""
import pathlib

from streamlit.testing.v1 import AppTest

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_playground_draws_the_example_graph():
    app = AppTest.from_file(str(ROOT / "pages" / "playground.py"), default_timeout=60).run()
    assert not app.exception
    dot = app.get("graphviz_chart")[0].proto.spec
    assert "MulBackward0" in dot and "SumBackward0" in dot and "AccumulateGrad" in dot
    assert "tensor([2., 2., 2.])" in app.code[0].value
    chain = app.code[-1].value
    assert chain.startswith("SumBackward0") and "MulBackward0" in chain
    steps = app.dataframe[0].value
    assert list(steps["node"])[:2] == ["SumBackward0", "MulBackward0"]
    assert "x.grad" in " ".join(steps["node"])
    assert app.get("plotly_chart"), "the memory picture is drawn"


def test_playground_shows_a_broadcast_error_with_its_line():
    app = AppTest.from_file(str(ROOT / "pages" / "playground.py"), default_timeout=60).run()
    app.text_area(key="code").set_value(
        "import torch\na = torch.ones(2, 3)\nb = torch.ones(2)\nc = a + b\n")
    app.button(key="run").click().run()
    assert not app.exception
    [error] = app.error
    assert "The size of tensor a (3) must match the size of tensor b (2)" in error.value
    assert "line 4" in error.value
    assert "Broadcasting lines the two shapes up from the right" in app.info[0].value


def test_the_app_entry_point_opens_the_playground():
    app = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60).run()
    assert not app.exception
    assert app.title[0].value == "Playground"
