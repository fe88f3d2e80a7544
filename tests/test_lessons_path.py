"""The course as a path: the next-lesson button walks every lesson in order, progress ticks are
kept in the session and the URL, a prediction hides the cell until the learner guesses, an
exercise is checked on the learner's code, and every error explanation links to an existing
lesson, the one about that mistake."""
import re

import pytest
from test_app import app_with
from test_lessons import sandbox_run

from explorer.explain import LESSON_OF, explain, lesson_link
from explorer.lessons import LESSONS, MISTAKES, ORDER, get_lesson
from explorer.lessons.path import format_done, next_lesson, parse_done
from explorer.texts import LANGUAGES, t, table


def test_next_lesson_follows_the_course_order_and_stops_at_the_end():
    walked = [ORDER[0]]
    while (following := next_lesson(ORDER, walked[-1])) is not None:
        walked.append(following)
    assert walked == list(ORDER)


def test_progress_in_the_url_keeps_course_order_and_drops_unknown_ids():
    done = {ORDER[3], ORDER[0]}
    text = format_done(ORDER, done)
    assert text == f"{ORDER[0]},{ORDER[3]}"
    assert parse_done(ORDER, text + ",no-such-lesson,") == done
    assert parse_done(ORDER, None) == frozenset()


# ---- Error explanations link to their lesson -----------------------------------------------------
LINK = re.compile(r"\]\(lessons\?lesson=([\w-]+)(&lang=[\w-]+)?\)")


def test_every_explanation_links_to_a_lesson_that_exists():
    assert set(LESSON_OF.values()) <= set(ORDER)
    for lang in LANGUAGES:
        assert {f"explain.{key}" for key in LESSON_OF} <= set(table(lang)), lang


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_explanation_link_opens_its_lesson_in_the_app(lang):
    """The link's own query (lessons?lesson=…&lang=…), opened as the app opens a URL."""
    for lesson_id in sorted(set(LESSON_OF.values())):
        query = re.search(r"\]\(lessons\?([^)]*)\)", lesson_link(lesson_id, lang)).group(1)
        app = lessons_app(**dict(part.split("=", 1) for part in query.split("&")))
        assert app.title[0].value == get_lesson(lesson_id).title(lang), lesson_id


@pytest.mark.parametrize("lesson_id", [m for m in MISTAKES if get_lesson(m).cells[0].raises])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_mistakes_error_explanation_links_to_that_mistakes_lesson(lesson_id, lang):
    error = sandbox_run(get_lesson(lesson_id).cells[0].code).error
    links = LINK.findall(explain(error.type, error.message, lang))
    assert [target for target, _ in links] == [lesson_id]
    assert all(bool(suffix) == (lang != "en") for _, suffix in links)


OLD_CODE = {    # the notes' old code (and a wrong backward), and the key that says what to write
    "legacy_function": """import torch
class ReLUF(torch.autograd.Function):
    def forward(self, x):
        return x.clamp(min=0)
y = ReLUF()(torch.ones(2, requires_grad=True))
""",
    "torchvision": "import torchvision\nmodel = torchvision.models.resnet18(pretrained=True)\n",
    "shape_call": "import torch\nx = torch.ones(2, 3)\nprint(x.shape())\n",
    "no_cuda": "import torch\nx = torch.ones(2).cuda()\n",
    "gradcheck_mismatch": """import torch
class Double(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return 2 * x
    @staticmethod
    def backward(ctx, g):
        return g
x = torch.ones(2, dtype=torch.float64, requires_grad=True)
torch.autograd.gradcheck(Double.apply, (x,))
""",
}


@pytest.mark.parametrize("key", OLD_CODE)
def test_the_notes_old_code_is_explained_with_what_to_write_today(key):
    error = sandbox_run(OLD_CODE[key]).error
    why = explain(error.type, error.message, "en")
    assert why.startswith(t(f"explain.{key}", "en"))
    assert LINK.search(why).group(1) == LESSON_OF[key]


def test_the_notes_default_tensor_type_runs_with_torchs_deprecation_warning():
    """set_default_tensor_type is there now (it was an AttributeError, explained by
    explain.default_tensor_type): it runs, as in torch, and the learner reads torch's warning,
    which names the replacement."""
    run = sandbox_run("import torch\ntorch.set_default_tensor_type('torch.DoubleTensor')\n"
                      "print(torch.ones(1).dtype)\n")
    assert run.error is None and run.stdout == "torch.float64\n"
    assert any("set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
               "torch.set_default_dtype()" in w for w in run.warnings)


# ---- The page -----------------------------------------------------------------------------------
def lessons_app(**params: str):
    app = app_with(**params)
    app.switch_page("app_pages/lessons.py").run(timeout=120)
    assert not app.exception
    return app


def test_the_next_button_walks_the_path_from_the_first_lesson_to_the_last():
    """On the way: a guess in every prediction (so every cell and picture is drawn) and every
    exercise solved, which ticks off the whole course."""
    app = lessons_app()
    for lesson in LESSONS:
        assert app.title[0].value == lesson.title("en")
        for ask in lesson.predicts:
            radio = app.radio(key=f"guess_{lesson.cells[ask.cell - 1].key}")
            radio.set_value(ask.options[-1]).run(timeout=120)
        app.text_area(key=f"exercise_{lesson.id}").set_value(lesson.exercise.solution)
        app.button(key=f"check_{lesson.id}").click().run(timeout=120)
        assert not app.exception, lesson.id                # every cell and picture now drawn
        assert t("lessons.practice.solved", "en") in [s.value for s in app.success], lesson.id
        assert app.query_params.get("lesson") in (None, lesson.id, [lesson.id])
        following = next_lesson(ORDER, lesson.id)
        buttons = [b for b in app.button if b.key == "next_lesson"]
        if following is None:
            assert buttons == []
            assert t("lessons.practice.last", "en") in [c.value for c in app.caption]
            break
        assert buttons[0].label == t("lessons.practice.next", "en",
                                     title=get_lesson(following).title("en"))
        buttons[0].click().run(timeout=120)
        assert not app.exception, following
    assert app.title[0].value == LESSONS[-1].title("en")
    assert t("lessons.practice.progress", "en", done=len(ORDER), total=len(ORDER)) in [
        c.value for c in app.sidebar.caption]


def test_a_solved_exercise_ticks_the_lesson_in_the_session_and_the_url():
    lesson = get_lesson("broadcasting")
    app = lessons_app(lesson=lesson.id, done=ORDER[0])
    area = app.text_area(key=f"exercise_{lesson.id}")
    assert area.value == lesson.exercise.start
    app.button(key=f"check_{lesson.id}").click().run(timeout=120)
    assert app.error and not app.success                     # the starting code is wrong
    area.set_value(lesson.exercise.solution).run(timeout=120)
    app.button(key=f"check_{lesson.id}").click().run(timeout=120)
    assert t("lessons.practice.solved", "en") in [s.value for s in app.success]
    assert parse_done(ORDER, app.query_params["done"][0]
                      if isinstance(app.query_params["done"], list)
                      else app.query_params["done"]) == {ORDER[0], lesson.id}
    label = app.sidebar.selectbox(key="lesson").options[ORDER.index(lesson.id)]
    assert "✓" in label


def test_a_prediction_hides_its_cell_until_the_learner_guesses():
    lesson = get_lesson("mistake-broadcast-mismatch")
    app = lessons_app(lesson=lesson.id)
    hidden = t("lessons.practice.hidden", "en")
    assert hidden in [c.value for c in app.caption]
    [ask] = lesson.predicts
    cell = lesson.cells[ask.cell - 1]
    answer = ask.answer(sandbox_run(cell.code))
    wrong = next(option for option in ask.options if option != answer)
    app.radio(key=f"guess_{cell.key}").set_value(wrong).run(timeout=120)
    assert hidden not in [c.value for c in app.caption]
    assert app.warning and answer in app.warning[0].value and not app.success
    app.radio(key=f"guess_{cell.key}").set_value(answer).run(timeout=120)
    assert app.success and answer in app.success[0].value and not app.warning


# The notes' own test code (seed 004, "2.1 Function"), as a learner pastes it: Python 2's print
# statement, and reading .grad of the non-leaf output. Each error says what to write today.
NOTES_CODE = {
    "python2_print": ("import torch\na = torch.randn(2, 3)\nprint a, a.t()\n", ()),
    "grad_none": ("import torch\nfrom torch.autograd import Variable\n"
                  "va = Variable(torch.randn(2, 3), requires_grad=True)\nvb = va.clamp(min=0)\n"
                  "vb.backward(torch.ones(va.size()))\nprint(vb.grad.data, va.grad.data)\n",
                  ("data",)),
}


@pytest.mark.parametrize("key", NOTES_CODE)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_notes_own_python2_and_grad_code_is_explained_with_what_to_write_today(key, lang):
    code, fields = NOTES_CODE[key]
    error = sandbox_run(code).error
    why = explain(error.type, error.message, lang)
    assert why.startswith(t(f"explain.{key}", lang).format(*fields))
    assert [target for target, _ in LINK.findall(why)] == (
        [LESSON_OF[key]] if key in LESSON_OF else [])
    assert ("print(a, b)" if key == "python2_print" else ".retain_grad()") in why


# The lecture slides (seed 000) move tensors to the course's DLP accelerator three ways.
DLP_CODE = ["import torch\nimport torch_dlp\n", "import torch\na = torch.ones(2)\nb = a.dlp()\n",
            "import torch\na = torch.ones(2)\nb = a.to(torch.device('dlp'))\n"]


@pytest.mark.parametrize("code", DLP_CODE, ids=["import", "method", "device"])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_slides_dlp_device_is_explained_with_device_agnostic_code(code, lang):
    error = sandbox_run(code).error
    why = explain(error.type, error.message, lang)
    assert why.startswith(t("explain.dlp", lang)) and ".to(device)" in why
    assert [target for target, _ in LINK.findall(why)] == ["devices"]
