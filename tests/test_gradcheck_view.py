"""The gradient check (explorer.gradcheck) and its picture: autograd's column equals real
PyTorch's gradient at the learner's first backward(), the finite-difference column agrees with
central differences computed with real PyTorch in float64, and a wrong backward is caught."""
import contextlib
import io
import pathlib

import pytest
import torch

from explorer import Limits
from explorer.gradcheck import gradient_check
from explorer.sandbox.pool import WorkerPool
from explorer.views.gradcheck import (
    FAIL,
    PASS,
    gradcheck_figure,
    gradcheck_message,
    gradcheck_table,
)

HERE = pathlib.Path(__file__).parent
LIMITS = Limits(cpu_seconds=10, wall_seconds=30)


@pytest.fixture(scope="module")
def pool():
    workers = WorkerPool(size=2)
    yield workers
    workers.close()


class _Stop(BaseException):
    pass


def torch_at_first_backward(source: str):
    """Run `source` on real PyTorch until its first backward(): (namespace, roots, gradients)."""
    seen = {}

    def stop(tensors, grad_tensors=None, *args, **kwargs):
        seen["roots"] = (tensors,) if isinstance(tensors, torch.Tensor) else tuple(tensors)
        seen["grads"] = grad_tensors if isinstance(grad_tensors, (tuple, list)) else \
            (grad_tensors,)
        raise _Stop

    namespace = {"__name__": "__main__"}
    real = torch.autograd.backward
    torch.autograd.backward = stop
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(_Stop):
            exec(compile(source, "<learner>", "exec"), namespace)  # noqa: S102 - our examples
    finally:
        torch.autograd.backward = real
    return namespace, seen["roots"], seen["grads"]


def leaf_by_name(namespace: dict, name: str) -> torch.Tensor:
    owner, _, rest = name.partition(".")
    return namespace[owner].get_parameter(rest) if rest else namespace[owner]


def assert_autograd_column_is_torchs_grad(check, namespace, roots, grads):
    leaves = [leaf_by_name(namespace, leaf.name) for leaf in check.leaves]
    ones = [torch.ones_like(r) if g is None else g for r, g in zip(roots, grads)]
    expected = torch.autograd.grad(roots, leaves, ones, allow_unused=True)
    position = {leaf.index: i for i, leaf in enumerate(check.leaves)}
    for e in check.elements:
        want = expected[position[e.leaf]]
        want = 0.0 if want is None else float(want[e.index])
        assert e.autograd == pytest.approx(want, rel=1e-5, abs=1e-6), e


def source_of(leaves: dict, body: str, dtype: str = "float32") -> str:
    lines = ["import torch", "torch.manual_seed(0)"]
    lines += [f"{name} = {make}.to(torch.{dtype}).requires_grad_()"
              for name, make in leaves.items()]
    return "\n".join(lines + [f"loss = {body}", "loss.backward()", "print(loss)"]) + "\n"


HAND_MADE = {
    "tanh_matmul": ({"x": "torch.randn(3, 4)", "w": "torch.randn(4, 2)"},
                    "((x @ w).tanh() ** 2).mean()", "float32"),
    "sin_exp_norm_float64": ({"a": "torch.randn(5)", "b": "torch.randn(5)"},
                             "(a.sin() * b.exp()).sum() / (1 + a.norm())", "float64"),
    "broadcast_log_softmax": ({"x": "torch.randn(3, 4)", "b": "torch.randn(4)"},
                              "torch.log_softmax(x + b, dim=1)[:, 0].sum()", "float32"),
    "sigmoid_over_budget": ({"x": "torch.randn(10, 10)"}, "(x.sigmoid() * x).sum()",
                            "float64"),
}


@pytest.mark.parametrize("name", HAND_MADE)
def test_hand_made_function_matches_torch_and_its_finite_differences(pool, name):
    leaves, body, dtype = HAND_MADE[name]
    source = source_of(leaves, body, dtype)
    check = gradient_check(pool, source, limits=LIMITS, time_budget=60)
    assert check.error is None, check.error
    assert check.passed, gradcheck_message(check)
    assert [leaf.name for leaf in check.leaves] == list(leaves)
    assert check.root == "loss" and check.root_line == len(leaves) + 4
    namespace, roots, grads = torch_at_first_backward(source)
    assert_autograd_column_is_torchs_grad(check, namespace, roots, grads)
    # gradcheck-style central differences with real PyTorch, in float64, eps 1e-6
    values = {n: namespace[n].detach().double() for n in leaves}

    def f(**kw) -> float:
        return float(eval(body, {"torch": torch}, kw))

    for e in check.elements:
        leaf = next(leaf for leaf in check.leaves if leaf.index == e.leaf)
        plus, minus = dict(values), dict(values)
        plus[leaf.name] = values[leaf.name].clone()
        minus[leaf.name] = values[leaf.name].clone()
        plus[leaf.name][e.index] += 1e-6
        minus[leaf.name][e.index] -= 1e-6
        reference = (f(**plus) - f(**minus)) / 2e-6
        assert abs(e.numeric - reference) <= leaf.atol + leaf.rtol * abs(reference), e


def test_the_element_budget_is_shared_and_the_rest_reported_skipped(pool):
    leaves, body, dtype = HAND_MADE["sigmoid_over_budget"]
    check = gradient_check(pool, source_of(leaves, body, dtype), limits=LIMITS,
                           max_elements=20, time_budget=60)
    assert len(check.elements) == 20 and check.leaves[0].checked == 20
    assert check.skipped == 80 and "80 elements were not checked" in gradcheck_message(check)
    assert check.elements[0].index == (0, 0) and check.elements[-1].index == (9, 9)


COURSE = ["21_autograd_basics", "22_computation_graph", "32_custom_function_linear",
          "28_backward_gradient_vjp"]


@pytest.mark.parametrize("stem", COURSE)
def test_course_example_passes_and_autograd_is_torchs_grad(pool, stem):
    source = (HERE / "course_examples" / f"{stem}.py").read_text()
    check = gradient_check(pool, source, limits=LIMITS, time_budget=60)
    assert check.error is None, check.error
    assert check.passed, (gradcheck_message(check), check.failures)
    assert check.elements and all(not leaf.name.startswith("leaf ") for leaf in check.leaves)
    assert_autograd_column_is_torchs_grad(check, *torch_at_first_backward(source))


def test_a_wrong_custom_backward_is_flagged(pool):
    source = (HERE / "course_examples" / "32_custom_function_linear.py").read_text()
    wrong = source.replace("grad_weight = grad_output.t().mm(input)",
                           "grad_weight = grad_output.t().mm(input) * 2")
    assert wrong != source
    check = gradient_check(pool, wrong, limits=LIMITS, time_budget=60)
    assert not check.passed and "disagree" in gradcheck_message(check)
    failing = {next(leaf.name for leaf in check.leaves if leaf.index == e.leaf)
               for e in check.failures}
    assert failing == {"layer.weight"}
    for e in check.failures:
        assert e.autograd == pytest.approx(2 * e.numeric, rel=1e-2)
    rows = gradcheck_table(check)
    # d(sum)/d weight[j, k] = sum_i x[i, k] = (0, 2, 4): doubling the zero column stays right
    assert {r["ok"] for r in rows if r["element"].startswith("layer.weight")
            and abs(r["finite difference"]) > 1e-3} == {"✗"}
    assert {r["ok"] for r in rows if r["element"].startswith("layer.bias")} == {"✓"}
    fig = gradcheck_figure(check)
    autograd, numeric, error, tolerance = fig.data
    assert list(autograd.x) == [r["element"] for r in rows]
    assert list(autograd.y) == [e.autograd for e in check.elements]
    assert list(numeric.y) == [e.numeric for e in check.elements]
    assert list(error.marker.color) == [FAIL if e.ok is False else PASS for e in check.elements]
    assert all(err > tol for err, tol, e in zip(error.y, tolerance.y, check.elements)
               if e.ok is False)


def test_without_backward_the_trailing_scalar_is_checked(pool):
    source = "import torch\nx = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)\n" \
             "(x.exp() * x).sum()\n"
    check = gradient_check(pool, source, limits=LIMITS, time_budget=60)
    assert check.passed and check.root == "the result" and check.root_line is None
    x = torch.tensor([0.5, -1.0, 2.0])
    assert [e.autograd for e in check.elements] == pytest.approx(((1 + x) * x.exp()).tolist())


@pytest.mark.parametrize("source, expected", [
    ("import torch\nx = torch.ones(2, requires_grad=True)\ny = x + torch.ones(3)\n"
     + "y.sum().backward()\n", "RuntimeError"),
    ("import torch\nx = torch.ones(2)\nprint(x.sum())\n", None),
])
def test_a_learner_error_or_nothing_to_check_gives_a_plain_message(pool, source, expected):
    check = gradient_check(pool, source, limits=LIMITS, time_budget=60)
    assert not check.passed and not check.elements and gradcheck_message(check)
    assert (check.error.type if check.error else None) == expected
    if expected:
        assert check.error.line == 3 and "stopped with RuntimeError" in gradcheck_message(check)


def test_an_unnamed_root_is_described_by_its_code(pool):
    source = "import torch\nx = torch.tensor([1.0, 2.0], requires_grad=True)\n" \
             "(x * x).sum().backward()\n"
    check = gradient_check(pool, source, limits=LIMITS, time_budget=60)
    assert check.passed and check.root == "(x * x).sum()" and check.root_line == 3


def test_a_check_leaves_workers_free_for_other_learners(pool):
    """A check's probes run at most one per core and never on the whole pool: another
    learner's run must find a free worker while a check is under way (F6)."""
    import os
    import threading

    from explorer.gradcheck import probe_threads

    class Counting:
        """The pool, counting how many calls are in flight at once."""

        def __init__(self, inner) -> None:
            self.inner, self.size, self.now, self.most = inner, 10, 0, 0
            self.lock = threading.Lock()

        def call(self, *args, **kwargs):
            with self.lock:
                self.now += 1
                self.most = max(self.most, self.now)
            try:
                return self.inner.call(*args, **kwargs)
            finally:
                with self.lock:
                    self.now -= 1

    counting = Counting(pool)
    source = ("import torch\nx = torch.randn(6, requires_grad=True)\n"
              "(x.sin() * x).sum().backward()\n")
    check = gradient_check(counting, source, limits=LIMITS, time_budget=60)
    assert check.passed and len(check.elements) == 6
    assert counting.most == probe_threads(10) == min(9, len(os.sched_getaffinity(0)))
    assert probe_threads(1) == 1 and probe_threads(3) <= 2


def test_a_check_that_ran_out_of_time_is_not_kept_for_other_learners(pool):
    """Waiting for a busy pool counts against a check's time: a check cut short by it says
    something about that moment, not about the code, so the shared cache returns it to the
    learner who waited but keeps it for nobody (twelfth outside attack F6: busy tabs left
    "All 1 checked elements agree, 7 were not checked" cached for every later learner)."""
    from explorer.gradcheck import check_bytes, lasting
    from explorer.run_cache import RunCache
    source = "import torch\nx = torch.randn(8, requires_grad=True)\n(x * x).sum().backward()\n"
    cut = gradient_check(pool, source, limits=LIMITS, time_budget=0)
    whole = gradient_check(pool, source, limits=LIMITS, time_budget=60)
    assert {e.note for e in cut.elements} == {"time"} and whole.passed
    cache = RunCache(2**20, weigh=check_bytes, keep=lasting)
    assert cache.get(source, lambda: cut) is cut
    assert cache.get(source, lambda: whole) is whole, "the cut check was not kept"
    assert cache.get(source, lambda: cut) is whole, "the whole one was"


def test_a_forged_reference_with_more_elements_than_asked_is_refused():
    """A run process under the learner's control may answer the reference probe with any
    Probe: more selected elements than the check asked for (10,000 leaves x 10,000 elements
    once cost the server seconds of lookups) or elements of leaves it never listed."""
    from explorer.gradcheck import LeafCheck, Probe

    class Forging:
        size = 2

        def __init__(self, probe) -> None:
            self.probe = probe

        def call(self, *args, **kwargs):
            return self.probe

    leaf = LeafCheck(0, "x", (3,), "torch.float32", 3, 0, 1e-3, 1e-5, 1e-3)
    for selected in ([(0, k, (k,), 1.0) for k in range(65)], [(7, 0, (0,), 1.0)]):
        forged = Probe(value=1.0, root="x", leaves=(leaf,), selected=tuple(selected))
        check = gradient_check(Forging(forged), "x", limits=LIMITS, time_budget=60)
        assert check.error is not None and not check.elements
        assert "not a result" in check.error.message
