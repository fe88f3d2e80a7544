"""What a lesson is made of: cells that show, a prediction the learner commits to before the
answer shows, and an exercise the learner's own code must solve.

Code lives in files (`code/<lesson id>/<n>.py` per cell, `exercise.py` the starting code,
`solution.py` one answer), prose in explorer/texts (`lesson.<id>.title`, `.goal`, `.intro`,
`.cell<n>`, `.predict<n>` for a prediction on cell n, `.exercise`, `.hint`, and `.notes` where
the course notes use an API that PyTorch has since changed), so both languages sit in one file
each."""
from __future__ import annotations

import pathlib
from dataclasses import dataclass

from ..model import Run
from ..texts import t
from .checks import Check, Failure, verdict

__all__ = ["CODE", "PICTURES", "Cell", "Exercise", "Lesson", "Predict", "cell", "lesson"]

# The views a cell can show (those of the Playground, plus a curve of a 1-D tensor's values,
# the dtype table and plain printed output).
PICTURES = ("graph", "chain", "steps", "broadcast", "memory", "gradcheck", "curve", "dtypes",
            "output")
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
class Predict:
    """"What will this line print?": the learner picks one of `options` before the cell's output
    shows. The answer is not stored: it is what the cell really prints (line `line`, 0-based,
    of the stdout of cell `cell`), and exactly one option must be it (tests check on torch)."""

    cell: int
    line: int
    options: tuple[str, ...]

    def key(self, lesson_id: str) -> str:
        return f"lesson.{lesson_id}.predict{self.cell}"

    def answer(self, run: Run) -> str | None:
        lines = run.stdout.splitlines()
        return lines[self.line] if self.line < len(lines) else None


@dataclass(frozen=True)
class Exercise:
    """Code to change until `checks` pass on its Run; `solution` is one answer. `picture` (one
    of PICTURES) centred on `focus` shows the learner what their code did."""

    start: str
    solution: str
    checks: tuple[Check, ...]
    picture: str | None = None
    focus: str | None = None

    def check(self, run: Run) -> list[Failure]:
        return verdict(self.checks, run)


@dataclass(frozen=True)
class Lesson:
    id: str                    # URL-safe slug
    cells: tuple[Cell, ...]
    predicts: tuple[Predict, ...]   # at most one per cell
    exercise: Exercise
    mistake: bool = False      # one of the classic mistakes
    notes: bool = False        # has a "the notes vs today's PyTorch" box

    def title(self, lang: str) -> str:
        return t(f"lesson.{self.id}.title", lang)

    def text(self, part: str, lang: str) -> str:
        """One of the lesson's texts: goal, intro, exercise, hint, notes."""
        return t(f"lesson.{self.id}.{part}", lang)

    def predict_for(self, cell: Cell) -> Predict | None:
        """The prediction asked about this cell, if any."""
        return next((ask for ask in self.predicts if ask.cell == cell.index), None)

    @property
    def text_keys(self) -> tuple[str, ...]:
        parts = ("title", "goal", "intro", "exercise", "hint") + (
            ("notes",) if self.notes else ())
        return (tuple(f"lesson.{self.id}.{part}" for part in parts)
                + tuple(c.key for c in self.cells) + tuple(p.key(self.id) for p in self.predicts))


def cell(picture: str, focus: str | None = None, raises: str | None = None) -> tuple:
    """One cell's spec for `lesson`: its picture, the variable it centres on, what it raises."""
    if picture not in PICTURES:
        raise ValueError(f"unknown picture {picture!r}")
    return picture, focus, raises


def _read(lesson_id: str, name: str) -> str:
    return (CODE / lesson_id / f"{name}.py").read_text(encoding="utf-8")


def lesson(lesson_id: str, *cells: tuple, predict: Predict | tuple[Predict, ...],
           checks: tuple[Check, ...], show: tuple = (None, None, None), mistake: bool = False,
           notes: bool = False) -> Lesson:
    """A Lesson from cell() specs, in order; cell n's code is code/<id>/<n>.py, the exercise's
    code/<id>/exercise.py and solution.py, and `show` the cell() spec of its picture."""
    predicts = (predict,) if isinstance(predict, Predict) else predict
    if len({ask.cell for ask in predicts}) != len(predicts):
        raise ValueError(f"{lesson_id}: two predictions on one cell")
    built = tuple(Cell(lesson_id, index, _read(lesson_id, str(index)), *spec)
                  for index, spec in enumerate(cells, start=1))
    exercise = Exercise(_read(lesson_id, "exercise"), _read(lesson_id, "solution"), checks,
                        *show[:2])
    return Lesson(lesson_id, built, predicts, exercise, mistake, notes)
