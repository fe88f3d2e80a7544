"""The app as Streamlit runs it (AppTest, through the real entry point): every page runs, draws
what real PyTorch would build for the same code, and keeps its state in the URL."""
from __future__ import annotations

import contextlib
import html
import io
import json
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


def torch_run(source: str) -> tuple[str, dict]:
    """Real torch's printed output and the variables the code left behind."""
    namespace: dict = {"__name__": "__main__"}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(source, "<learner code>", "exec"), namespace)  # noqa: S102 - the reference run
    return out.getvalue(), namespace


def torch_reference(source: str) -> tuple[str, set]:
    """Real torch's printed output and every grad_fn name its graph holds."""
    import torch
    printed, namespace = torch_run(source)
    names, stack = set(), [v.grad_fn for v in namespace.values()
                           if isinstance(v, torch.Tensor) and v.grad_fn is not None]
    while stack:
        fn = stack.pop()
        if fn is not None and type(fn).__name__ not in names:
            names.add(type(fn).__name__)
            stack.extend(f for f, _ in fn.next_functions)
    return printed, names


def app_with(**params: str) -> AppTest:
    app = AppTest.from_file(ENTRY, default_timeout=90)
    for key, value in params.items():
        app.query_params[key] = value
    return app.run()


def code_boxes(app: AppTest) -> list[str]:
    """The text of every code box on the page (app_pages.code_box), as a learner reads it:
    Pygments' tags dropped, its escapes decoded."""
    return [html.unescape(re.sub(r"<[^>]*>", "", element.proto.body))
            for element in app.html if element.proto.body.startswith('<pre class="code-box')]


def dot_of(app: AppTest) -> str:
    """The DOT of the page's one graph (the graph viewer carries it beside its SVG)."""
    [viewer] = app.get("bidi_component")
    return json.loads(viewer.proto.json)["dot"]


def test_a_share_link_runs_its_code_at_once_and_draws_torchs_graph():
    printed, grad_fns = torch_reference(CODE)
    app = app_with(code=CODE)
    assert not app.exception
    assert app.text_area(key="code").value == CODE
    assert code_boxes(app)[0] == printed.rstrip("\n")
    dot = dot_of(app)
    for name in grad_fns:
        assert re.search(rf'label=[<"][^\n]*\b{name}\b', dot), name


def test_the_default_example_runs_and_its_variables_are_listed():
    app = app_with()
    assert not app.exception
    assert app.title[0].value == "Playground"
    printed, grad_fns = torch_reference(app.text_area(key="code").value)
    assert code_boxes(app)[0] == printed.rstrip("\n")
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
    assert "c = a + b" in code_boxes(app)[0]
    assert "right" in app.info[0].value
    assert app.text_area(key="code").value == code, "the learner's code is kept"
    app.segmented_control(key="view").set_value("broadcast").run()
    [failure] = app.get("plotly_chart")
    figure = json.loads(failure.proto.spec)
    title = figure["layout"]["title"]["text"].replace("<br>", " ")    # wrapped for a phone
    assert str(caught.value).splitlines()[0] in title
    rows = figure["data"][0]["text"]     # the shapes right-aligned, the padded 1 in italics
    assert rows == [["<b>2</b>", "<b>3</b>"], ["<i>1</i>", "<b>2</b>"]]


@pytest.mark.parametrize("view, picture", [("chain", "html"),
                                           ("steps", "dataframe"),
                                           ("memory", "plotly_chart")])
def test_the_chosen_picture_comes_from_the_url(view, picture):
    app = app_with(code=CODE, view=view, var="loss")
    assert not app.exception
    assert app.segmented_control(key="view").value == view
    assert app.get(picture), f"{view} draws a {picture}"
    if view == "chain":
        assert code_boxes(app)[-1].startswith("MeanBackward0")


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
@pytest.mark.parametrize("view", ["graph", "chain", "steps", "broadcast", "memory", "gradcheck"])
def test_every_view_id_selects_its_tab_in_every_language(view, lang):
    app = app_with(code=CODE, view=view, lang=lang)
    assert not app.exception
    assert app.segmented_control(key="view").value == view


@pytest.mark.parametrize("label, view", [("Backward steps", "steps"), ("grad_fn chain", "chain"),
                                         ("逐步反向传播", "steps"), ("nonsense", "graph")])
def test_an_old_link_with_a_tab_label_still_opens_its_tab(label, view):
    from explorer.texts import t
    if not label.isascii():
        assert label == t("views.steps", "zh-CN"), "the label an old Chinese link carried"
    app = app_with(code=CODE, view=label)
    assert not app.exception
    assert app.segmented_control(key="view").value == view


def test_choosing_a_tab_puts_its_id_in_the_url_whatever_the_language():
    app = app_with(code=CODE, lang="zh-CN")
    assert "view" not in app.query_params, "the default tab leaves the URL alone"
    app.segmented_control(key="view").set_value("steps").run()
    assert not app.exception
    assert app.query_params["view"] in ("steps", ["steps"])
    app.segmented_control(key="view").set_value("graph").run()
    assert "view" not in app.query_params


def test_a_lecturer_clicks_through_backward_steps_and_the_graph_follows():
    loss = torch_run(CODE)[1]["loss"]
    first = type(loss.grad_fn).__name__
    second = type(loss.grad_fn.next_functions[0][0]).__name__
    app = app_with(code=CODE, view="steps")
    assert not app.exception

    def current() -> tuple[str, str]:
        [line] = [m.value for m in app.markdown if m.value.startswith("Step")]
        [node] = [n for n in dot_of(app).splitlines() if "step-current" in n]
        return line, node

    line, node = current()
    assert line.startswith("Step **1**") and first in line and f'label=<{first}>' in node
    app.button(key="playground_step_forward").click().run()
    line, node = current()
    assert line.startswith("Step **2**") and second in line and f'label=<{second}>' in node
    assert any("zero_grad() would clear the .grad of: `w` \\(2\\, 2\\)" in c.value
               for c in app.caption), "the name as code, the shape escaped Markdown"


def test_the_memory_tab_puts_nchw_beside_channels_last_with_torchs_strides():
    code = (ROOT / "tests" / "course_examples" / "14_nchw_nhwc_layout.py").read_text()
    namespace = torch_run(code)[1]
    app = app_with(code=code, view="memory", var="x")
    assert not app.exception
    app.multiselect(key="playground_order_with").set_value(["cl"]).run()
    titles = [a["text"] for a in json.loads(app.get("plotly_chart")[-1].proto.spec)["layout"][
        "annotations"]]
    for name in ("x", "cl"):
        assert f"<b>{name}</b> in memory: stride {tuple(namespace[name].stride())}" in titles


def test_the_memory_tab_says_why_view_fails_after_transpose():
    code = "import torch\nx = torch.arange(6).view(2, 3)\nt = x.t()\n"
    with pytest.raises(RuntimeError):
        torch_run(code + "t.view(-1)\n")
    app = app_with(code=code, view="memory", var="t")
    assert not app.exception
    assert any("`t.view(-1)` fails" in m.value for m in app.markdown)


META_CODE = """import torch
w = torch.empty(8, 4, device="meta", requires_grad=True)
x = torch.randn(16, 4, device="meta")
h = torch.relu(x @ w.t()).t()
loss = h.softmax(0).mean()
loss.backward()
print(loss)
print(w.grad)
"""


@pytest.mark.parametrize("view", ["graph", "chain", "steps", "broadcast", "memory", "gradcheck"])
def test_a_meta_program_draws_its_shapes_without_values_in_every_tab(view):
    """Meta tensors have shapes, dtypes and strides but no values: every tab draws them."""
    printed, grad_fns = torch_reference(META_CODE)
    app = app_with(code=META_CODE, view=view, **({} if view == "graph" else {"var": "h"}))
    assert not app.exception, app.exception
    assert code_boxes(app)[0] == printed.rstrip("\n")
    if view == "graph":
        dot = dot_of(app)
        for name in grad_fns:
            assert re.search(rf'label=[<"][^\n]*\b{name}\b', dot), name
        assert "8×4 · float32 · meta" in dot, "a meta tensor's shape, dtype and device"
    if view == "memory":   # h is a transpose: torch's view(-1) fails on it, meta or not
        with pytest.raises(RuntimeError, match="view size is not compatible"):
            torch_run(META_CODE + "h.view(-1)\n")
        titles = [a["text"] for a in json.loads(app.get("plotly_chart")[-1].proto.spec)[
            "layout"]["annotations"]]
        assert any(title.startswith("h.view(128): ") for title in titles), titles
    if view == "gradcheck":   # finite differences need values
        assert any("`loss` is on the meta device" in c.value for c in app.caption), app.caption


def test_the_gradient_check_tab_puts_autograd_beside_finite_differences():
    app = app_with(code=CODE, view="gradcheck")
    assert not app.exception
    assert app.success, "autograd agrees with finite differences on the example"
    table = app.dataframe[-1].value
    autograd = next(c for c in table.columns if "autograd" in c.lower())
    expected = torch_run(CODE)[1]["w"].grad.flatten().tolist()
    assert table[autograd].tolist() == pytest.approx(expected, rel=1e-5)


def test_the_interface_and_the_error_explanations_speak_chinese_when_the_url_asks():
    from explorer.explain import explain
    code = "import torch\na = torch.ones(2, 3)\nb = torch.ones(2)\nc = a + b\n"
    app = app_with(lang="zh-CN", code=code)
    assert not app.exception
    assert app.title[0].value == "练习场"
    [error] = app.error
    assert "The size of tensor a (3) must match" in error.value   # PyTorch's message unchanged
    assert app.info[0].value == explain("RuntimeError", error.value.split(": ", 1)[1], "zh-CN")
    assert "从右往左对齐" in app.info[0].value


# ---- Lessons -----------------------------------------------------------------------------------
def lessons_app(**params: str) -> AppTest:
    app = app_with(**params)
    app.switch_page("app_pages/lessons.py").run()
    assert not app.exception
    return app


def test_every_lesson_opens_and_shows_every_cell_with_its_code():
    from explorer.lessons import LESSONS
    from explorer.texts import t
    app = lessons_app()
    for lesson in LESSONS:
        app.sidebar.selectbox(key="lesson").set_value(lesson.id).run()
        assert not app.exception, lesson.id
        assert app.title[0].value == t(f"lesson.{lesson.id}.title", "en")
        shown = code_boxes(app)
        assert all(cell.code.rstrip("\n") in shown for cell in lesson.cells), lesson.id
        assert app.query_params["lesson"] == [lesson.id] or app.query_params["lesson"] == lesson.id


def test_a_lesson_link_opens_that_lesson_in_chinese_with_its_pictures():
    from explorer.lessons import get_lesson
    from explorer.texts import t
    app = lessons_app(lesson="broadcasting", lang="zh-CN")
    assert app.title[0].value == t("lesson.broadcasting.title", "zh-CN")
    pictures = [c for c in get_lesson("broadcasting").cells if c.picture == "broadcast"]
    assert len(app.get("plotly_chart")) >= len(pictures)


def test_presentation_mode_steps_through_a_lessons_cells():
    from explorer.lessons import get_lesson
    cells = get_lesson("autograd-basics").cells
    app = lessons_app(lesson="autograd-basics", present="true")
    assert code_boxes(app)[0] == cells[0].code.rstrip("\n")
    next_button = next(b for b in app.button if b.label.startswith("Next"))
    next_button.click().run()
    assert code_boxes(app)[0] == cells[1].code.rstrip("\n")


def test_a_lesson_cell_opens_in_the_playground_with_its_code():
    from explorer.lessons import get_lesson
    cell = get_lesson("autograd-basics").cells[0]
    app = lessons_app(lesson="autograd-basics")
    app.button(key=f"open_{cell.key}").click().run()
    assert not app.exception
    assert app.text_area(key="code").value == cell.code


# ---- Training and Compare ----------------------------------------------------------------------
def test_training_draws_its_curves_and_the_graph_torch_builds_for_one_step():
    from explorer.training import TrainConfig, step_source
    app = app_with()
    app.switch_page("app_pages/training.py").run()
    assert not app.exception
    loss, norms, boundary = app.get("plotly_chart")[:3]
    assert "loss" in loss.proto.spec and "Decision boundary" in boundary.proto.spec
    assert "Gradient norm per layer" in norms.proto.spec
    namespace = torch_run(step_source(TrainConfig()))[1]
    dot = dot_of(app)       # one training step, collapsed into one box per Module the code called
    for name in ("model", "loss_fn"):
        assert f"<B>{name}</B>: {type(namespace[name]).__name__}" in dot


def test_a_second_visitor_gets_the_finished_training_without_training_again(monkeypatch):
    import explorer.training
    first = app_with()
    first.switch_page("app_pages/training.py").run()
    assert not first.exception

    def untrainable(*args, **kwargs):
        raise AssertionError("the page trained again")
    monkeypatch.setattr(explorer.training, "train", untrainable)
    second = app_with()
    second.switch_page("app_pages/training.py").run()
    assert not second.exception
    assert second.caption[0].value == first.caption[0].value
    second.button[0].click().run()           # Train: the same settings replay, computing nothing
    assert not second.exception and len(second.get("plotly_chart")) >= 3
    assert second.caption[0].value == first.caption[0].value


def test_a_training_past_its_cpu_budget_stops_and_says_where(monkeypatch):
    """Twelfth outside attack F10: the Training page trains in the server's process, so a
    visitor's settings may cost at most CPU_SECONDS; the page says the run was cut."""
    import explorer.training
    monkeypatch.setattr(explorer.training, "CPU_SECONDS", 0.0)
    app = app_with()
    app.switch_page("app_pages/training.py").run()
    app.slider[3].set_value(1950)           # settings no other test trained, then Train
    app.button[0].click().run()
    assert not app.exception
    assert any("Stopped at step 1 of 1950" in w.value for w in app.warning), \
        [w.value for w in app.warning]


def test_compare_runs_a_lesson_cell_on_real_torch_and_finds_it_equal():
    app = app_with()
    app.switch_page("app_pages/compare.py").run()
    assert not app.exception
    app.button(key="compare_run").click().run()
    assert not app.exception
    assert app.success, [w.value for w in app.warning]


# ---- Hostile learner text ----------------------------------------------------------------------
# Everything a Run carries was chosen by whoever wrote the code (a share link runs it for every
# viewer). Pages show it only as code spans, escaped text, code blocks and table cells; a lone
# surrogate (print('a\ud800b')) is shown as U+FFFD instead of crashing the page. The Run below is
# seeded into the server's run cache, so the page is tested whatever the sandbox transport does.
HOSTILE = ("![x](http://127.0.0.1:9/p.png) <img src=http://127.0.0.1:9/q.png> "
           "[l](javascript:alert(1))")
LONE = "a\ud800b"


def hostile_run(source: str):
    """A real run of CODE with hostile text and lone surrogates in every learner string."""
    import dataclasses

    from explorer import run_code
    from explorer.model import ErrorInfo
    real = run_code(CODE)
    assert real.ok and real.backward

    def named(var):
        return dataclasses.replace(var, name=f"{var.name}{LONE}" if var.name == "w" else var.name)

    steps = tuple(dataclasses.replace(s, name=f"{s.name}{LONE}`{HOSTILE}") for s in
                  real.backward[0].steps)
    return dataclasses.replace(
        real, source=source, stdout=f"{HOSTILE}\n{LONE}\n", result=f"{LONE} {HOSTILE}",
        error=ErrorInfo(f"Evil{LONE}", f"{HOSTILE} {LONE}\n# heading\n`tick`", 2, 0, ""),
        variables=tuple(named(v) for v in real.variables),
        backward=(dataclasses.replace(real.backward[0], steps=steps),))


def seeded(run) -> None:
    from app_pages.common import run_cache
    run_cache().get((run.source, run.seed), lambda: run)


def markdown_texts(app: AppTest) -> list[str]:
    return [e.value for kind in ("markdown", "caption", "error", "info", "warning", "success")
            for e in app.get(kind)]


@pytest.mark.parametrize("view", ["graph", "chain", "steps", "broadcast", "memory", "gradcheck"])
def test_hostile_text_and_lone_surrogates_are_shown_literally_in_every_tab(view):
    from explorer.markup import code
    source = f"# hostile {view}\n" + CODE
    seeded(hostile_run(source))
    app = app_with(code=source, view=view, var="loss")
    assert not app.exception, app.exception
    app.selectbox(key="var").set_value(f"w{LONE}").run()      # the variable with a lone surrogate
    assert not app.exception, app.exception
    [error] = app.error
    message = code(HOSTILE + " a\ufffdb # heading `tick`")
    assert error.value == f"**Evila\ufffdb** (line 2): {message}"
    assert code_boxes(app)[1] == f"{HOSTILE}\na\ufffdb"          # printed output, as a code block
    for element in app.html:         # in the code boxes' HTML the learner's text is only text
        assert set(re.findall(r"</?([A-Za-z]+)", element.proto.body)) <= {"pre", "code", "span",
                                                                           "style"}
    for text in markdown_texts(app):
        # No learner text outside a code span: drop the spans, and nothing hostile is left.
        plain = re.sub(r"(`+)(?!`).*?(?<!`)\1(?!`)", "", text)
        assert "http" not in plain and "<img" not in plain and "javascript" not in plain, text
        assert "\ud800" not in text


def test_a_run_too_large_to_send_whole_says_so():
    """3,000 multiplications of 1,000 elements record ~180 MB: the run arrives thinned, and
    the page says what the pictures leave out."""
    from explorer.texts import t
    code = ("import torch\ny = torch.ones(1000, requires_grad=True)\nz = y\n"
            "for i in range(3000):\n    z = z * 1.0001\nz.sum().backward()\nprint('done')\n")
    app = app_with(code=code)
    prefix = t("output.trimmed", "en", mb="MB").split("MB")[0]
    notes = [c.value for c in app.caption if c.value.startswith(prefix)]
    assert len(notes) == 1 and int(notes[0][len(prefix):].split()[0].replace(",", "")) > 8
    assert not app.exception


def test_a_runs_warnings_show_under_its_output():
    """The notes' Variable(x, volatile=True) ran silently; PyTorch warns and says what to
    write today, and so does the page, under the output."""
    from explorer.texts import t
    app = app_with(code="import torch\nfrom torch.autograd import Variable\n"
                        "x = Variable(torch.ones(2), volatile=True)\nprint(x)\n")
    assert any(t("output.warnings", "en") in caption.value for caption in app.caption)
    assert any("line 3: UserWarning: volatile was removed" in block and
               "torch.no_grad()" in block for block in code_boxes(app))


def test_the_pictures_focus_by_default_on_what_the_last_backward_started_from():
    """A training loop ends with a number printed after its last backward() (accuracy): the
    pictures still open on the loss, so the grad_fn chain and the memory tab have something
    to show, not "accuracy has no grad_fn"."""
    source = (ROOT / "tests" / "gallery" / "mlp_training.py").read_text()
    app = app_with(code=source, view="chain")
    assert not app.exception
    assert app.selectbox(key="var").value == "loss"
    assert app.query_params["var"] == "loss"
    assert any("NllLossBackward0" in block and "model.0.weight" in block
               for block in code_boxes(app))


def test_backward_steps_follow_the_chosen_call_collapsed_or_expanded():
    """The steps tab steps through any backward() of the run (the last by default), with the
    Module boxes closed or open as its toggle says: it used to show only the first call,
    always collapsed, so an AccumulateGrad step lit the whole model box."""
    source = (ROOT / "tests" / "gallery" / "mlp_training.py").read_text()
    app = app_with(code=source, view="steps")
    assert not app.exception
    assert app.selectbox(key="playground_call").value == 19        # the last of 20 calls
    boxed = dot_of(app)
    assert "<B>model</B>" in boxed and "AddmmBackward0" not in boxed
    app.toggle(key="playground_steps_collapse").set_value(False).run()
    opened = dot_of(app)
    assert "<B>model</B>" not in opened and opened.count("AddmmBackward0") == 3
    last = {line.split()[0] for line in opened.splitlines() if "step-" in line}
    app.selectbox(key="playground_call").set_value(0).run()
    first = {line.split()[0] for line in dot_of(app).splitlines() if "step-" in line}
    ops = {node for node in first | last if node.startswith("o")}
    assert first != last and ops, "each call built its own op nodes; the leaves are shared"
    app.button(key="playground_step_forward").click().run()
    assert [m.value for m in app.markdown if m.value.startswith("Step")][0].startswith("Step **2**")
