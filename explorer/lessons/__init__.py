"""The lesson catalogue: one lesson per topic of the course notes, then the classic mistakes.

A lesson is a few cells; a cell is a short runnable snippet (`code/<lesson id>/<n>.py`, exactly
what opens in the playground), the picture that shows it best and, for a mistake, the error it is
meant to raise. The prose lives in explorer/texts (`lesson.<id>.title`, `.intro`, `.cell<n>`) so
that both languages sit in one file each.

    from explorer.lessons import LESSONS, get_lesson
    cell = get_lesson("broadcasting").cells[0]
    run_code(cell.code); cell.picture; cell.text("zh-CN")
"""
from __future__ import annotations

import pathlib
from dataclasses import dataclass

from ..texts import t

__all__ = ["LESSONS", "MISTAKES", "PICTURES", "TOPICS", "Cell", "Lesson", "get_lesson"]

PICTURES = ("graph", "chain", "steps", "broadcast", "memory", "gradcheck", "output")
CODE = pathlib.Path(__file__).parent / "code"


@dataclass(frozen=True)
class Cell:
    lesson: str                # the Lesson.id it belongs to
    index: int                 # 1-based position in the lesson
    code: str                  # self-contained snippet, runnable in the playground and on torch
    picture: str               # one of PICTURES: the view that shows this cell best
    focus: str | None = None   # the variable the picture should be centred on
    raises: str | None = None  # exception type the cell shows on purpose, e.g. "RuntimeError"

    @property
    def key(self) -> str:
        return f"lesson.{self.lesson}.cell{self.index}"

    def text(self, lang: str) -> str:
        return t(self.key, lang)


@dataclass(frozen=True)
class Lesson:
    id: str                    # URL-safe slug
    cells: tuple[Cell, ...]
    mistake: bool = False      # one of the classic mistakes

    def title(self, lang: str) -> str:
        return t(f"lesson.{self.id}.title", lang)

    def intro(self, lang: str) -> str:
        return t(f"lesson.{self.id}.intro", lang)


def _cell(picture: str, focus: str | None = None, raises: str | None = None) -> tuple:
    if picture not in PICTURES:
        raise ValueError(f"unknown picture {picture!r}")
    return picture, focus, raises


def _lesson(lesson_id: str, *cells: tuple, mistake: bool = False) -> Lesson:
    """A Lesson from _cell() specs, in order; cell n's code is code/<id>/<n>.py."""
    built = []
    for index, (picture, focus, raises) in enumerate(cells, start=1):
        code = (CODE / lesson_id / f"{index}.py").read_text(encoding="utf-8")
        built.append(Cell(lesson_id, index, code, picture, focus, raises))
    return Lesson(lesson_id, tuple(built), mistake)


LESSONS: tuple[Lesson, ...] = (
    _lesson("tensor-creation", _cell("output"), _cell("output"), _cell("output")),
    _lesson("dtypes", _cell("output"), _cell("output"), _cell("output")),
    _lesson("numpy-interop", _cell("memory", "t"), _cell("output"), _cell("output")),
    _lesson("indexing-slicing", _cell("memory", "col"), _cell("memory", "every_other"),
            _cell("output")),
    _lesson("views-contiguity", _cell("memory", "v"), _cell("memory", "t"), _cell("memory", "r")),
    _lesson("cat-stack-chunk-split", _cell("output"), _cell("memory", "second")),
    _lesson("broadcasting", _cell("broadcast", "table"), _cell("broadcast", "b"),
            _cell("memory", "e")),
    _lesson("inplace-ops", _cell("memory", "x"), _cell("memory", "col")),
    _lesson("autograd-basics", _cell("graph", "y"), _cell("chain", "z"), _cell("steps", "x")),
    _lesson("no-grad-detach-data", _cell("graph", "y"), _cell("memory", "d"), _cell("output")),
    _lesson("backward-vjp", _cell("output", "y", raises="RuntimeError"), _cell("steps", "x"),
            _cell("output")),
    _lesson("dynamic-graphs", _cell("graph", "y"), _cell("steps", "w")),
    _lesson("custom-function", _cell("steps", "x"), _cell("gradcheck", "x")),
    _lesson("nn-module", _cell("output"), _cell("graph", "out"), _cell("chain", "h")),
    _lesson("training-loop", _cell("output"), _cell("output")),
    _lesson("nchw-nhwc", _cell("memory", "nhwc"), _cell("memory", "cl"), _cell("output")),
    _lesson("mistake-broadcast-mismatch", _cell("output", raises="RuntimeError"),
            _cell("broadcast", "c"), mistake=True),
    _lesson("mistake-view-after-transpose", _cell("memory", "t", raises="RuntimeError"),
            _cell("memory", "flat"), mistake=True),
    _lesson("mistake-inplace-leaf", _cell("output", "w", raises="RuntimeError"), _cell("steps", "w"),
            mistake=True),
    _lesson("mistake-saved-tensor", _cell("graph", "s", raises="RuntimeError"), _cell("steps", "x"),
            mistake=True),
    _lesson("mistake-backward-twice", _cell("steps", "w", raises="RuntimeError"), _cell("steps", "w"),
            mistake=True),
    _lesson("mistake-forgot-zero-grad", _cell("output"), _cell("output"), mistake=True),
)
TOPICS = tuple(lesson.id for lesson in LESSONS if not lesson.mistake)
MISTAKES = tuple(lesson.id for lesson in LESSONS if lesson.mistake)
_BY_ID = {lesson.id: lesson for lesson in LESSONS}


def get_lesson(lesson_id: str) -> Lesson:
    """The lesson with this id; KeyError for an unknown one (e.g. a stale share link)."""
    return _BY_ID[lesson_id]
