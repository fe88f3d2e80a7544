"""The active parts of each lesson: a prediction whose one right option is what real torch prints,
and an exercise whose checker accepts its solution and rejects its starting code; each check
passes and fails on small runs of its own."""
import pytest
from test_lessons import LIMITS, has_content, sandbox_run, torch_outcome

from explorer import run_code
from explorer.lessons import LESSONS, Cell, checks

LESSON_PARAMS = [pytest.param(lesson, id=lesson.id) for lesson in LESSONS]
PREDICTS = [pytest.param(lesson, ask, id=f"{lesson.id}-{ask.cell}")
            for lesson in LESSONS for ask in lesson.predicts]


@pytest.mark.parametrize("lesson, ask", PREDICTS)
def test_exactly_one_predicted_option_is_what_torch_prints(lesson, ask):
    printed = torch_outcome(lesson.cells[ask.cell - 1].code)[0].splitlines()
    assert ask.line < len(printed)
    assert len(set(ask.options)) == len(ask.options) >= 3
    assert [option for option in ask.options if option == printed[ask.line]] == [printed[ask.line]]
    assert ask.answer(sandbox_run(lesson.cells[ask.cell - 1].code)) == printed[ask.line]


@pytest.mark.parametrize("lesson", LESSON_PARAMS)
def test_the_exercise_checker_accepts_the_solution_and_rejects_the_starting_code(lesson):
    exercise = lesson.exercise
    assert exercise.check(sandbox_run(exercise.solution)) == []
    assert exercise.check(sandbox_run(exercise.start)) != []


@pytest.mark.parametrize("lesson", LESSON_PARAMS)
def test_the_exercise_picture_has_something_to_show(lesson):
    """For the starting code or the solution: a broadcast picture shows the wrong broadcast the
    starting code makes, and the solution has none."""
    exercise = lesson.exercise
    if exercise.picture is not None:
        shown = Cell(lesson.id, 0, exercise.solution, exercise.picture, exercise.focus)
        assert any(has_content(shown, sandbox_run(code))
                   for code in (exercise.start, exercise.solution))


@pytest.mark.parametrize("lesson", LESSON_PARAMS)
def test_the_solution_is_plain_pytorch_that_runs_on_torch(lesson):
    assert torch_outcome(lesson.exercise.solution)[1] is None


ONE_HOT = "import numpy as np\nimport torch\nlabels = np.array([0, 2, 1, 2])\n" \
          "reference = torch.eye(3)[torch.from_numpy(labels)]\n"
ONE_HOT_ANSWERS = {   # the NumPy lesson's exercise: float32, and over the array's own memory
    "float32 array, from_numpy": ("onehot = np.eye(3, dtype=np.float32)[labels]\n"
                                  "t = torch.from_numpy(onehot)\n", []),
    "float() copies": ("onehot = np.eye(3)[labels]\nt = torch.from_numpy(onehot).float()\n",
                       ["shares"]),
    "float64 shared": ("onehot = np.eye(3)[labels]\nt = torch.from_numpy(onehot)\n", ["dtype"]),
    "tensor() copies": ("onehot = np.eye(3, dtype=np.float32)[labels]\n"
                        "t = torch.tensor(onehot)\n", ["shares"]),
    "wrong rows": ("onehot = np.eye(3, dtype=np.float32)[[0, 1, 2, 2]]\n"
                   "t = torch.from_numpy(onehot)\n", ["values"]),
}


@pytest.mark.parametrize("answer", ONE_HOT_ANSWERS)
def test_the_numpy_exercise_wants_a_float32_one_hot_over_the_arrays_memory(answer):
    code, kinds = ONE_HOT_ANSWERS[answer]
    lesson = next(found for found in LESSONS if found.id == "numpy-basics")
    failures = lesson.exercise.check(sandbox_run(ONE_HOT + code))
    assert [failure.kind for failure in failures] == kinds

CHECKS = [   # (check, code that passes it, code that fails it)
    (checks.runs_clean(), "x = 1\n", "x = 1 / 0\n"),
    (checks.shape("y", (2, 3)), "import torch\ny = torch.ones(2, 3)\n",
     "import torch\ny = torch.ones(3, 2)\n"),
    (checks.shape("y", (2,)), "import torch\ny = torch.ones(2)\n", "import torch\nx = 1\n"),
    (checks.dtype("y", "torch.float64"), "import torch\ny = torch.ones(1).double()\n",
     "import torch\ny = torch.ones(1)\n"),
    (checks.shares("v", "x"), "import torch\nx = torch.ones(4)\nv = x[1:]\n",
     "import torch\nx = torch.ones(4)\nv = x[1:].clone()\n"),
    (checks.shares("t", "a"), "import numpy as np\nimport torch\na = np.ones(2)\n"
     "t = torch.from_numpy(a)\n", "import numpy as np\nimport torch\na = np.ones(2)\n"
     "t = torch.tensor(a)\n"),
    (checks.shares("c", "x", expected=False), "import torch\nx = torch.ones(2)\nc = x.clone()\n",
     "import torch\nx = torch.ones(2)\nc = x.detach()\n"),
    (checks.contiguous("c"), "import torch\nc = torch.ones(2, 3).t().contiguous()\n",
     "import torch\nc = torch.ones(2, 3).t()\n"),
    (checks.flag("w", "is_leaf", True), "import torch\nw = torch.ones(2, requires_grad=True)\n",
     "import torch\nw = torch.ones(2, requires_grad=True) * 2\n"),
    (checks.same_values("a", "b"), "import torch\na = torch.arange(3.)\nb = a.flip(0).flip(0)\n",
     "import torch\na = torch.arange(3.)\nb = a.flip(0)\n"),
    (checks.grad_matches("x", "e"), "import torch\nx = torch.ones(2, requires_grad=True)\n"
     "(3 * x).sum().backward()\ne = torch.full((2,), 3.0)\n",
     "import torch\nx = torch.ones(2, requires_grad=True)\n(2 * x).sum().backward()\n"
     "e = torch.full((2,), 3.0)\n"),
    (checks.below("h", 0.5), "import torch\nh = torch.tensor([1.0, 0.1])\n",
     "import torch\nh = torch.tensor([0.1, 1.0])\n"),
    (checks.has_parameters("m", ("w",)), "import torch\nm = torch.nn.Module()\n"
     "m.w = torch.nn.Parameter(torch.ones(1))\n",
     "import torch\nm = torch.nn.Module()\nm.w = torch.ones(1)\n"),
]


@pytest.mark.parametrize("check, right, wrong", CHECKS)
def test_each_check_passes_on_a_right_run_and_fails_on_a_wrong_one(check, right, wrong):
    assert check(run_code(right, limits=LIMITS)) is None
    failure = check(run_code(wrong, limits=LIMITS))
    assert failure is not None and failure.key.startswith("exercise.fail.")


def test_a_run_that_raised_fails_only_for_its_error():
    run = run_code("import torch\ny = torch.ones(2)\nraise ValueError('no')\n", limits=LIMITS)
    failures = checks.verdict((checks.runs_clean(), checks.shape("y", (3,))), run)
    assert [f.kind for f in failures] == ["error"]


def test_every_failure_has_its_text():
    from explorer.texts import LANGUAGES, table
    kinds = {"error", "missing", "shape", "dtype", "shares", "copies", "contiguous",
             "not_contiguous", "flag", "values", "grad", "below", "parameters"}
    for lang in LANGUAGES:
        assert {f"exercise.fail.{kind}" for kind in kinds} <= set(table(lang)), lang
