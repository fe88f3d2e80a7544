"""Every lesson cell, run in the sandbox, prints what real PyTorch prints; a mistake cell fails
with PyTorch's own error and every other cell runs clean; each cell's picture has something to
draw; the catalogue covers every topic of the course notes; and each lesson has its texts."""
import contextlib
import functools
import io

import pytest
import torch
from difftest import first_line

from explorer import Limits, run_code
from explorer.lessons import LESSONS, MISTAKES, PICTURES, TOPICS, Cell, get_lesson
from explorer.texts import LANGUAGES, table
from explorer.views.broadcast import broadcast_steps
from explorer.views.chain import grad_fn_chain
from explorer.views.steps import backward_steps

LIMITS = Limits(cpu_seconds=20, wall_seconds=60)
CELLS = [pytest.param(cell, id=f"{cell.lesson}-{cell.index}")
         for lesson in LESSONS for cell in lesson.cells]
# The sandbox seeds its generator with 0; real torch gets another seed, so a cell that draws
# random numbers without torch.manual_seed prints different numbers and fails.
TORCH_SEED = 12345


@functools.cache
def sandbox_run(code: str):
    return run_code(code, seed=0, limits=LIMITS)


def torch_outcome(code: str) -> tuple[str, tuple | None]:
    """(stdout, (error type, first line) or None) of the code under real torch."""
    torch.manual_seed(TORCH_SEED)
    torch.set_default_dtype(torch.float32)
    out, error = io.StringIO(), None
    with torch.enable_grad(), contextlib.redirect_stdout(out):
        try:
            exec(compile(code, "<lesson>", "exec"), {"__name__": "__main__"})  # noqa: S102
        except Exception as exc:  # noqa: BLE001 - the error is what we compare
            error = (type(exc).__name__, first_line(exc))
    return out.getvalue(), error


def variable(run, name: str):
    return next((v for v in run.variables if v.name == name and v.tensor is not None), None)


def test_the_catalogue_covers_every_course_topic_then_the_classic_mistakes():
    assert TOPICS == (
        "tensor-creation", "dtypes", "numpy-interop", "indexing-slicing", "views-contiguity",
        "cat-stack-chunk-split", "broadcasting", "inplace-ops", "autograd-basics",
        "no-grad-detach-data", "backward-vjp", "dynamic-graphs", "custom-function",
        "nn-module", "training-loop", "nchw-nhwc")
    assert MISTAKES == (
        "mistake-broadcast-mismatch", "mistake-view-after-transpose", "mistake-inplace-leaf",
        "mistake-saved-tensor", "mistake-backward-twice", "mistake-forgot-zero-grad")
    assert [lesson.id for lesson in LESSONS] == list(TOPICS + MISTAKES)
    assert get_lesson("broadcasting").cells[0].lesson == "broadcasting"
    with pytest.raises(KeyError):
        get_lesson("no-such-lesson")


def test_each_mistake_lesson_shows_the_mistake_then_the_fix():
    for lesson_id in MISTAKES[:-1]:   # a forgotten zero_grad raises nothing: it is silent
        cells = get_lesson(lesson_id).cells
        assert cells[0].raises and not cells[-1].raises, lesson_id
    assert all(not cell.raises for lesson in LESSONS if not lesson.mistake
               for cell in lesson.cells if lesson.id != "backward-vjp")


def test_lessons_are_short_and_well_formed():
    for lesson in LESSONS:
        assert 1 <= len(lesson.cells) <= 4, lesson.id
        for cell in lesson.cells:
            assert cell.picture in PICTURES
            assert cell.code.endswith("\n") and cell.code.startswith("import ")
            assert sum(1 for line in cell.code.splitlines() if line.strip()) <= 15, cell.key


def test_every_lesson_text_exists_in_every_language_and_nothing_else_does():
    wanted = {key for lesson in LESSONS
              for key in (f"lesson.{lesson.id}.title", f"lesson.{lesson.id}.intro",
                          *(cell.key for cell in lesson.cells))}
    for lang in LANGUAGES:
        lesson_keys = {key for key in table(lang) if key.startswith("lesson.")}
        assert sorted(wanted - lesson_keys) == [], lang
        assert sorted(lesson_keys - wanted) == [], lang
    cell = get_lesson("broadcasting").cells[1]
    assert cell.text("en") != cell.text("zh-CN")
    assert get_lesson("dtypes").title("zh-CN") and get_lesson("dtypes").intro("en")


@pytest.mark.parametrize("cell", CELLS)
def test_cell_prints_and_fails_exactly_as_torch_does(cell: Cell):
    expected_stdout, expected_error = torch_outcome(cell.code)
    run = sandbox_run(cell.code)
    assert run.stdout == expected_stdout
    error = (run.error.type, run.error.message) if run.error else None
    assert error == expected_error
    assert (expected_error[0] if expected_error else None) == cell.raises


def _has_content(cell: Cell, run) -> bool:
    """Whether the cell's picture has something to show for this run."""
    focus = variable(run, cell.focus) if cell.focus else None
    if cell.focus and focus is None:
        return False
    if cell.picture == "graph":
        return any(op.grad_fn for op in run.graph.ops)
    if cell.picture == "chain":
        return focus.tensor.grad_fn is not None and len(grad_fn_chain(run, focus.tensor.id)) > 1
    if cell.picture == "steps":
        return bool(run.backward) and bool(backward_steps(run))
    if cell.picture == "broadcast":
        return bool(broadcast_steps(run))
    if cell.picture == "memory":
        return focus is not None
    if cell.picture == "gradcheck":
        info = focus.tensor
        return info.is_leaf and info.requires_grad and info.grad is not None
    return bool(run.stdout or run.error)


@pytest.mark.parametrize("cell", CELLS)
def test_cell_picture_has_content(cell: Cell):
    assert _has_content(cell, sandbox_run(cell.code))
