"""The app as Streamlit runs it (AppTest, through the real entry point): every page runs, draws
what real PyTorch would build for the same code, and keeps its state in the URL."""
from __future__ import annotations

import contextlib
import io
import pathlib
import re

import pytest
from streamlit.testing.v1 import AppTest

ROOT = pathlib.Path(__file__).resolve().parents[1]
ENTRY = str(ROOT / "streamlit_app.py")

CODE = """import torch
w = torch.tensor([[0.5, -1.0], [0.25, 0.75]], requires_grad=True)
x = torch.tensor([1.0, 2.0])
h = torch.tanh(w @ x)
loss = (h * h).mean()
loss.backward()
print(w.grad)
"""


def torch_reference(source: str) -> tuple[str, set]:
    """Real torch's printed output and every grad_fn name its graph holds."""
    import torch
    namespace: dict = {"__name__": "__main__"}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(source, "<learner code>", "exec"), namespace)  # noqa: S102 - the reference run
    names, stack = set(), [v.grad_fn for v in namespace.values()
                           if isinstance(v, torch.Tensor) and v.grad_fn is not None]
    while stack:
        fn = stack.pop()
        if fn is not None and type(fn).__name__ not in names:
            names.add(type(fn).__name__)
            stack.extend(f for f, _ in fn.next_functions)
    return out.getvalue(), names


def app_with(**params: str) -> AppTest:
    app = AppTest.from_file(ENTRY, default_timeout=90)
    for key, value in params.items():
        app.query_params[key] = value
    return app.run()


def dot_of(app: AppTest) -> str:
    [chart] = app.get("graphviz_chart")
    return chart.proto.spec


def test_a_share_link_runs_its_code_at_once_and_draws_torchs_graph():
    printed, grad_fns = torch_reference(CODE)
    app = app_with(code=CODE)
    assert not app.exception
    assert app.text_area(key="code").value == CODE
    assert app.code[0].value == printed.rstrip("\n")
    dot = dot_of(app)
    for name in grad_fns:
        assert re.search(rf'label=[<"][^\n]*\b{name}\b', dot), name


def test_the_default_example_runs_and_its_variables_are_listed():
    app = app_with()
    assert not app.exception
    assert app.title[0].value == "Playground"
    printed, grad_fns = torch_reference(app.text_area(key="code").value)
    assert app.code[0].value == printed.rstrip("\n")
    table = app.dataframe[0].value
    assert list(table["name"]) == ["a", "b", "y"]
    assert list(table["grad_fn"]) == ["", "", "SumBackward0"]
    assert all(name in dot_of(app) for name in grad_fns)


def test_a_broadcast_mismatch_shows_torchs_message_the_line_and_why():
    code = "import torch\na = torch.ones(2, 3)\nb = torch.ones(2)\nc = a + b\n"
    with pytest.raises(RuntimeError) as caught:
        torch_reference(code)
    app = app_with(code=code)
    assert not app.exception
    [error] = app.error
    assert str(caught.value).splitlines()[0] in error.value
    assert "line 4" in error.value
    assert "c = a + b" in app.code[0].value
    assert "right" in app.info[0].value
    assert app.text_area(key="code").value == code, "the learner's code is kept"


@pytest.mark.parametrize("view, picture", [("grad_fn chain", "code"),
                                           ("Backward steps", "dataframe"),
                                           ("Memory", "plotly_chart")])
def test_the_chosen_picture_comes_from_the_url(view, picture):
    app = app_with(code=CODE, view=view, var="loss")
    assert not app.exception
    assert app.get(picture), f"{view} draws a {picture}"
    if view == "grad_fn chain":
        assert app.code[-1].value.startswith("MeanBackward0")


def test_the_interface_speaks_chinese_when_the_url_asks():
    app = app_with(lang="zh-CN")
    assert not app.exception
    assert app.title[0].value == "练习场"
