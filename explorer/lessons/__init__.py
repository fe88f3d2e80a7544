"""The lesson catalogue: the course notes' topics in the notes' order, then the classic mistakes.

Each lesson has a goal, cells that show (code, a picture, a few sentences), a prediction the
learner commits to before the answer shows, and an exercise checked against the Run of the
learner's own code (explorer.lessons.checks). See explorer.lessons.model for what each part is.

    from explorer.lessons import LESSONS, get_lesson
    lesson = get_lesson("broadcasting")
    run_code(lesson.cells[0].code); lesson.exercise.check(run_code(my_code))
"""
from __future__ import annotations

from .checks import (
    below,
    contiguous,
    dtype,
    flag,
    grad_matches,
    has_parameters,
    runs_clean,
    same_values,
    shape,
    shares,
)
from .model import PICTURES, Cell, Exercise, Lesson, Predict, cell, lesson

__all__ = ["LESSONS", "MISTAKES", "ORDER", "PICTURES", "TOPICS", "Cell", "Exercise", "Lesson",
           "Predict", "get_lesson"]

OK = runs_clean()
F32, F64 = "torch.float32", "torch.float64"

LESSONS: tuple[Lesson, ...] = (
    lesson("tensor-creation", cell("memory", "a"), cell("memory", "new"), cell("memory", "u"),
           predict=Predict(1, 2, ("tensor([1., 2.5])", "tensor([1.0000, 2.5000]) "
                                  "torch.float32 torch.Size([2])",
                                  "tensor([1.0000, 2.5000]) torch.float64 torch.Size([2])",
                                  "tensor([1, 2]) torch.int64 torch.Size([2])")),
           checks=(OK, shape("z", (2, 3)), dtype("z", F64))),
    lesson("dtypes", cell("memory", "h"), cell("memory", "x"), cell("output"),
           predict=Predict(3, 2, ("torch.float32 tensor([0, 1, 1])",
                                  "torch.int64 tensor([0, 1, 1])",
                                  "torch.float32 tensor([0., 1., 1.])",
                                  "torch.float64 tensor([0, 1, 1])")),
           checks=(OK, dtype("total", F32))),
    lesson("numpy-interop", cell("memory", "t"), cell("memory", "shared"), cell("memory", "f"),
           predict=Predict(2, 1, ("tensor([1., 1., 1.])", "tensor([1., 5., 1.])",
                                  "tensor([5., 5., 5.])")),
           checks=(OK, shares("t", "a"))),
    lesson("indexing-slicing", cell("memory", "col"), cell("memory", "every_other"),
           cell("memory", "rows"),
           predict=Predict(2, 3, ("(4, 2) False", "(4, 1) True", "(2, 1) False", "(8, 2) False")),
           checks=(OK, shape("last", (3,)), shares("last", "x"))),
    lesson("views-contiguity", cell("memory", "v"), cell("memory", "t"), cell("memory", "r"),
           predict=Predict(2, 3, ("(1, 3) False", "(3, 1) True", "(1, 3) True", "(3, 1) False")),
           checks=(OK, contiguous("c"), shape("flat", (6,)), shares("flat", "c"))),
    lesson("nchw-nhwc", cell("memory", "nhwc"), cell("memory", "cl"), cell("memory", "batch"),
           predict=Predict(1, 1, ("torch.Size([1, 3, 4, 2]) (24, 4, 1, 12) False",
                                  "torch.Size([1, 3, 4, 2]) (24, 8, 2, 1) True",
                                  "torch.Size([1, 2, 3, 4]) (24, 12, 4, 1) True")),
           checks=(OK, shape("batch", (1, 3, 4, 5)), same_values("batch", "reference"))),
    lesson("cat-stack-chunk-split", cell("memory", "s"), cell("memory", "second"),
           predict=Predict(1, 2, ("torch.Size([2, 2, 3])", "torch.Size([4, 3])",
                                  "torch.Size([2, 6])", "torch.Size([2, 3, 2])")),
           checks=(OK, shape("s", (3, 2)))),
    lesson("broadcasting", cell("broadcast", "table"), cell("broadcast", "b"),
           cell("memory", "e"),
           predict=Predict(2, 1, ("tensor([1., 1., 1.])", "tensor([4., 4., 4.])",
                                  "tensor([3., 3., 3., 3.])", "tensor([12., 12., 12.])")),
           checks=(OK, shape("diff", (4,)))),
    lesson("inplace-ops", cell("memory", "x"), cell("memory", "col"),
           predict=Predict(1, 2, ("tensor([3., 3., 3.]) tensor([5., 5., 5.]) 1",
                                  "tensor([5., 5., 5.]) tensor([5., 5., 5.]) 2",
                                  "tensor([3., 3., 3.]) tensor([5., 5., 5.]) 2")),
           checks=(OK, shares("x", "row"))),
    lesson("autograd-basics", cell("graph", "y"), cell("chain", "z"), cell("steps", "x"),
           predict=Predict(3, 0, ("tensor([2., 4.])", "tensor([3., 5.])", "tensor([2., 3.])",
                                  "tensor([1., 1.])")),
           checks=(OK, grad_matches("x", "expected"))),
    lesson("no-grad-detach-data", cell("graph", "y"), cell("memory", "d"), cell("memory", "y2"),
           predict=Predict(2, 1, ("tensor([1., 2.], requires_grad=True)",
                                  "tensor([10.,  2.], requires_grad=True)",
                                  "tensor([10.,  2.])")),
           checks=(OK, shares("c", "x", expected=False), flag("c", "requires_grad", False))),
    lesson("backward-vjp", cell("graph", "y", raises="RuntimeError"), cell("steps", "x"),
           cell("output"),
           predict=Predict(2, 0, ("tensor([2.0000, 0.4000, 0.0600])", "tensor([2., 4., 6.])",
                                  "tensor([1.0000, 0.1000, 0.0100])")),
           checks=(OK, grad_matches("x", "expected"))),
    lesson("dynamic-graphs", cell("graph", "y"), cell("steps", "w"),
           predict=Predict(1, 1, ("tensor(8.)", "tensor(3.)", "tensor(24.)", "tensor(2.)")),
           checks=(OK, grad_matches("x", "expected"))),
    lesson("custom-function", cell("steps", "x"), cell("gradcheck", "x"),
           predict=Predict(1, 0, ("ClipBackward tensor([0., 1., 4.])",
                                  "ClipBackward tensor([0., 1., 1.])",
                                  "ClampBackward1 tensor([0., 1., 4.])")),
           checks=(OK, grad_matches("x", "expected"))),
    lesson("nn-module", cell("graph", "out"), cell("graph", "out"), cell("chain", "h"),
           predict=Predict(2, 7, ("17", "13", "9", "12")),
           checks=(OK, has_parameters("layer", ("w",)))),
    lesson("training-loop", cell("curve", "losses"), cell("graph", "out"),
           predict=Predict(2, 2, ("False True True", "False True False", "True False True")),
           checks=(OK, below("losses", 0.01))),
    lesson("mistake-broadcast-mismatch", cell("broadcast", raises="RuntimeError"),
           cell("broadcast", "c"),
           predict=Predict(2, 0, ("tensor([[2., 2., 2.],", "tensor([[2., 3., 2.],",
                                  "tensor([[2., 2.],")),
           checks=(OK, shape("c", (2, 3))), mistake=True),
    lesson("mistake-view-after-transpose", cell("memory", "t", raises="RuntimeError"),
           cell("memory", "flat"),
           predict=Predict(2, 0, ("tensor([0, 3, 1, 4, 2, 5]) True",
                                  "tensor([0, 1, 2, 3, 4, 5]) True",
                                  "tensor([0, 3, 1, 4, 2, 5]) False")),
           checks=(OK, shape("flat", (24,))), mistake=True),
    lesson("mistake-inplace-leaf", cell("memory", "w", raises="RuntimeError"),
           cell("steps", "w"),
           predict=Predict(2, 0, ("tensor([0.8000, 1.6000, 2.4000], requires_grad=True) True",
                                  "tensor([0.8000, 1.6000, 2.4000]) False",
                                  "tensor([0.8000, 1.6000, 2.4000], grad_fn=<SubBackward0>) "
                                  "False")),
           checks=(OK, flag("w", "is_leaf", True), flag("w", "requires_grad", True),
                   same_values("w", "expected")), mistake=True),
    lesson("mistake-saved-tensor", cell("graph", "s", raises="RuntimeError"),
           cell("steps", "x"),
           predict=Predict(2, 0, ("tensor([0.5000, 0.3932, 0.2100])",
                                  "tensor([0.2500, 0.1966, 0.1050])",
                                  "tensor([2., 2., 2.])")),
           checks=(OK, grad_matches("x", "expected")), mistake=True),
    lesson("mistake-backward-twice", cell("steps", "w", raises="RuntimeError"),
           cell("steps", "w"),
           predict=Predict(2, 0, ("tensor([4., 8.])", "tensor([2., 4.])", "tensor([1., 2.])")),
           checks=(OK, grad_matches("w", "expected")), mistake=True),
    lesson("mistake-forgot-zero-grad", cell("steps", "w"), cell("steps", "w"),
           predict=Predict(1, 1, ("1 -25.6", "1 -9.6", "1 -16.0", "1 -32.0")),
           checks=(OK, same_values("w", "target")), mistake=True),
)
ORDER = tuple(found.id for found in LESSONS)
TOPICS = tuple(found.id for found in LESSONS if not found.mistake)
MISTAKES = tuple(found.id for found in LESSONS if found.mistake)
_BY_ID = {found.id: found for found in LESSONS}


def get_lesson(lesson_id: str) -> Lesson:
    """The lesson with this id; KeyError for an unknown one (e.g. a stale share link)."""
    return _BY_ID[lesson_id]
