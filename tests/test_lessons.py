"""Every lesson cell, run in the sandbox, prints what real PyTorch prints; a mistake cell fails
with PyTorch's own error and every other cell runs clean; each cell's picture has something to
draw; the catalogue covers every topic of the course notes; and each lesson has its texts."""
import contextlib
import functools
import io
import pathlib
import re
import tempfile

import pytest
import torch
from difftest import first_line

from explorer import Limits, run_code
from explorer.lessons import LESSONS, MISTAKES, ORDER, PICTURES, TOPICS, Cell, get_lesson
from explorer.texts import LANGUAGES, t, table
from explorer.lessons.checks import values_of
from explorer.views.broadcast import broadcast_failures, broadcast_steps
from explorer.views.chain import grad_fn_chain
from explorer.views.dtypes import op_dtypes, tensor_table
from explorer.views.graph import graph_picture, module_paths
from explorer.views.memory import sharers
from explorer.views.steps import backward_steps

COURSE_EXAMPLES = pathlib.Path(__file__).parent / "course_examples"
LIMITS = Limits(cpu_seconds=20, wall_seconds=60)
CELLS = [pytest.param(cell, id=f"{cell.lesson}-{cell.index}")
         for lesson in LESSONS for cell in lesson.cells]
# The sandbox seeds its generator with 0; real torch gets another seed, so a cell that draws
# random numbers without torch.manual_seed prints different numbers and fails.
TORCH_SEED = 12345


@functools.cache
def sandbox_run(code: str):
    return run_code(code, seed=0, limits=LIMITS)


@contextlib.contextmanager
def scratch_directory():
    """A fresh working directory for real torch, so a cell's torch.save("linear.pt") writes
    nowhere that lasts (in the sandbox, files last only for the run)."""
    with tempfile.TemporaryDirectory() as path, contextlib.chdir(path):
        yield


def torch_outcome(code: str) -> tuple[str, tuple | None]:
    """(stdout, (error type, first line) or None) of the code under real torch."""
    torch.manual_seed(TORCH_SEED)
    torch.set_default_dtype(torch.float32)
    out, error = io.StringIO(), None
    with torch.enable_grad(), contextlib.redirect_stdout(out), scratch_directory():
        try:
            exec(compile(code, "<lesson>", "exec"), {"__name__": "__main__"})  # noqa: S102
        except Exception as exc:  # noqa: BLE001 - the error is what we compare
            error = (type(exc).__name__, first_line(exc))
    return out.getvalue(), error


def variable(run, name: str):
    return next((v for v in run.variables if v.name == name and v.tensor is not None), None)


# The course example (tests/course_examples/NN_*.py, numbered in the notes' order) each lesson
# teaches from: the lessons must follow the notes' order, and cover what the notes teach.
COURSE = {
    "numpy-basics": "01", "tensor-creation": "02", "devices": "04", "dtypes": "05", "numpy-interop": "06",
    "indexing-slicing": "07", "advanced-indexing": "08", "views-contiguity": "09",
    "reshaping": "10", "nchw-nhwc": "14", "cat-stack-chunk-split": "15",
    "math-reductions": "16", "broadcasting": "18", "inplace-ops": "20", "autograd-basics": "21",
    "no-grad-detach-data": "25", "backward-vjp": "28", "dynamic-graphs": "30",
    "custom-function": "31", "nn-module": "35", "module-state": "36", "layers": "38",
    "losses": "41", "optimizers": "42", "data-loading": "45", "training-loop": "46",
    "save-load": "47", "fine-tuning": "48", "mistake-dtype-mismatch": "44",
    "mistake-broadcast-mismatch": "19", "mistake-view-after-transpose": "12",
    "mistake-inplace-leaf": "26", "mistake-saved-tensor": "27", "mistake-backward-twice": "24",
    "mistake-forgot-zero-grad": "43", "mistake-inplace-broadcast": "19",
    "mistake-api-slips": "04",
}


def test_the_catalogue_follows_the_notes_order_then_the_classic_mistakes():
    examples = {path.name[:2] for path in COURSE_EXAMPLES.glob("[0-9][0-9]_*.py")}
    assert set(COURSE) == set(TOPICS + MISTAKES) and set(COURSE.values()) <= examples
    numbers = [COURSE[lesson_id] for lesson_id in TOPICS]
    assert numbers == sorted(numbers)
    assert [lesson.id for lesson in LESSONS] == list(TOPICS + MISTAKES) == list(ORDER)
    assert get_lesson("broadcasting").cells[0].lesson == "broadcasting"
    with pytest.raises(KeyError):
        get_lesson("no-such-lesson")


def test_each_mistake_lesson_shows_the_mistake_then_the_fix():
    for lesson_id in MISTAKES:
        if lesson_id == "mistake-forgot-zero-grad":   # raises nothing: it is silent
            continue
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
    wanted = {key for lesson in LESSONS for key in lesson.text_keys}
    for lang in LANGUAGES:
        lesson_keys = {key for key in table(lang) if key.startswith("lesson.")}
        assert sorted(wanted - lesson_keys) == [], lang
        assert sorted(lesson_keys - wanted) == [], lang
    cell = get_lesson("broadcasting").cells[1]
    assert cell.text("en") != cell.text("zh-CN")
    assert get_lesson("dtypes").title("zh-CN") and get_lesson("dtypes").text("intro", "en")


@pytest.mark.parametrize("cell", CELLS)
def test_cell_prints_and_fails_exactly_as_torch_does(cell: Cell):
    expected_stdout, expected_error = torch_outcome(cell.code)
    run = sandbox_run(cell.code)
    assert run.stdout == expected_stdout
    error = (run.error.type, run.error.message) if run.error else None
    assert error == expected_error
    assert (expected_error[0] if expected_error else None) == cell.raises


def has_content(cell: Cell, run) -> bool:
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
        return bool(broadcast_steps(run) or broadcast_failures(run))
    if cell.picture == "curve":
        values = values_of(focus.tensor.values)
        return len(focus.tensor.shape) == 1 and values is not None and len(values) > 1
    if cell.picture == "memory":
        return focus is not None
    if cell.picture == "gradcheck":
        info = focus.tensor
        return info.is_leaf and info.requires_grad and info.grad is not None
    if cell.picture == "dtypes":
        return bool(op_dtypes(run) or tensor_table(run))
    return bool(run.stdout or run.error)


@pytest.mark.parametrize("lesson", LESSONS, ids=ORDER)
def test_at_most_one_cell_in_ten_shows_only_its_printed_output(lesson):
    """Issue 15: every cell teaches with a picture; at most one in ten may just print, counted
    over the course and in each lesson (so a lesson of fewer than ten cells has none)."""
    outputs = [cell.key for cell in lesson.cells if cell.picture == "output"]
    assert len(outputs) * 10 <= len(lesson.cells), outputs


@pytest.mark.parametrize("cell", CELLS)
def test_cell_picture_has_content(cell: Cell):
    assert has_content(cell, sandbox_run(cell.code))


# What the lesson texts state, checked against real torch and against the pictures the app draws
# (issue 15: sentences that were wrong). Each test reads the cell's own objects where it can.

def torch_namespace(code: str) -> dict:
    """The globals a cell leaves behind when it runs on real torch (its printing swallowed)."""
    torch.manual_seed(TORCH_SEED)
    namespace = {"__name__": "__main__"}
    with torch.enable_grad(), contextlib.redirect_stdout(io.StringIO()), scratch_directory():
        exec(compile(code, "<lesson>", "exec"), namespace)  # noqa: S102
    return namespace


def texts_of(key: str) -> dict[str, str]:
    return {lang: table(lang)[key] for lang in LANGUAGES}


def test_new_factories_take_the_shape_you_pass_and_only_dtype_and_device_from_the_tensor():
    cell = get_lesson("tensor-creation").cells[1]
    ns = torch_namespace(cell.code)
    x, like, new = ns["x"], ns["like"], ns["new"]
    assert x.dtype != torch.get_default_dtype()          # so the printout shows what carried
    assert (like.shape, like.dtype, like.device) == (x.shape, x.dtype, x.device)
    assert new.shape != x.shape and (new.dtype, new.device) == (x.dtype, x.device)
    text, zh = texts_of(cell.key)["en"], texts_of(cell.key)["zh-CN"]
    assert "shape, dtype and device of `x`" in text and "only the dtype and device" in text
    assert "沿用 `x` 的形状、dtype 和设备" in zh and "只沿用 `x` 的 dtype 和设备" in zh


class _Casts(torch.overrides.TorchFunctionMode):
    """Records every cast of a floating tensor to an integer dtype that cannot hold its values:
    undefined behaviour in C++, so its result is no fact to teach."""
    METHODS = {"to": None, "type": None, "byte": torch.uint8, "char": torch.int8,
               "short": torch.int16, "int": torch.int32, "long": torch.int64}

    def __init__(self):
        super().__init__()
        self.undefined = []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        name = getattr(func, "__name__", "")
        if name in self.METHODS and args and isinstance(args[0], torch.Tensor):
            source = args[0]
            target = self.METHODS[name] or kwargs.get("dtype") or next(
                (a for a in args[1:] if isinstance(a, torch.dtype)), None)
            if (target is not None and source.is_floating_point() and source.numel()
                    and not target.is_floating_point and target != torch.bool):
                info = torch.iinfo(target)
                values = source.detach().trunc()
                if values.min() < info.min or values.max() > info.max:
                    self.undefined.append((name, str(target), values.tolist()))
        return func(*args, **kwargs)


@pytest.mark.parametrize("cell", CELLS)
def test_no_cell_prints_an_out_of_range_float_to_integer_cast(cell: Cell):
    casts = _Casts()
    with casts:
        torch_outcome(cell.code)
    assert casts.undefined == []


def test_integer_casts_wrap_as_the_dtypes_cell_says_and_float_casts_are_clamped_first():
    assert torch.tensor([-1, 256]).to(torch.uint8).tolist() == [255, 0]
    assert torch.tensor([-1.7, 300.0]).clamp(0, 255).to(torch.uint8).tolist() == [0, 255]
    en, zh = texts_of("lesson.dtypes.cell2")["en"], texts_of("lesson.dtypes.cell2")["zh-CN"]
    assert "undefined behaviour" in en and "-1 becomes 255 and 256 becomes 0" in en
    assert "未定义行为" in zh and "-1 变成 255，256 变成 0" in zh


def _uses(root, leaf) -> int:
    """How many edges of the graph under `root` lead into `leaf`'s AccumulateGrad."""
    count, seen, stack = 0, set(), [root]
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        for child, _ in node.next_functions:
            if child is not None and getattr(child, "variable", None) is leaf:
                count += 1
            stack.append(child)
    return count


WORDS = {2: ("twice", "两次"), 3: ("three times", "三次")}


def test_autograd_basics_counts_the_uses_of_x_the_graph_really_has():
    cell = get_lesson("autograd-basics").cells[2]
    ns = torch_namespace(cell.code)
    uses = _uses(ns["loss"].grad_fn, ns["x"])
    steps = backward_steps(sandbox_run(cell.code))
    assert uses == len(steps[-1].contributions) == 3     # the steps picture shows all three
    for lang, text in texts_of(cell.key).items():
        assert WORDS[uses][LANGUAGES.index(lang)] in text, lang


def test_backward_accumulates_into_grad_as_the_autograd_intro_says():
    x = torch.tensor(2.0, requires_grad=True)
    (x * 3).backward()
    (x * 3).backward()
    assert x.grad.item() == 6.0
    texts = texts_of("lesson.autograd-basics.intro")
    assert "adds the derivatives into" in texts["en"] and "累加" in texts["zh-CN"]


def test_chunk_makes_ceil_sized_pieces_and_the_cell_shows_fewer_than_n():
    for size in range(1, 13):
        for n in range(1, 13):
            sizes = [c.numel() for c in torch.arange(size).chunk(n)]
            step = -(-size // n)
            assert sizes == [min(step, size - start) for start in range(0, size, step)]
    cell = get_lesson("cat-stack-chunk-split").cells[1]
    x = torch_namespace(cell.code)["x"]
    asked = [int(n) for n in re.findall(r"chunk\((\d+)\)", cell.code)]
    assert any(len(x.chunk(n)) < n for n in asked)
    assert all("ceil(size / n)" in text for text in texts_of(cell.key).values())
    assert "fewer than n" in texts_of(cell.key)["en"] and "少于 n" in texts_of(cell.key)["zh-CN"]


def test_an_inplace_op_in_the_graph_makes_its_tensor_the_ops_output():
    """Why PyTorch refuses add_ on a leaf that requires grad: on a non-leaf, the same op rebinds
    the tensor's grad_fn to the in-place op, and a tensor with a grad_fn gets no .grad."""
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    c = w * 1
    c.add_(1)
    assert c.grad_fn.name() == "AddBackward0" and not c.is_leaf
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        w.add_(1)
    texts = texts_of("lesson.mistake-inplace-leaf.intro")
    assert "`grad_fn`" in texts["en"] and "`.grad`" in texts["en"]
    assert "hide" not in texts["en"] and "无从得知" not in texts["zh-CN"]


def test_nn_module_text_walks_the_graph_the_app_draws_by_default():
    """The graph tab collapses Module calls: the MLP is one Sequential box until opened."""
    cell = get_lesson("nn-module").cells[1]
    run = sandbox_run(cell.code)
    closed = graph_picture(run, collapse=True).dot
    opened = graph_picture(run, collapse=True, expanded=frozenset(module_paths(run))).dot
    names = set(re.findall(r"`(\w+Backward0)`", texts_of(cell.key)["en"]))
    out = torch_namespace(cell.code)["out"]
    assert out.grad_fn.name() in names
    assert names and all(name not in closed and name in opened for name in names)
    assert ": Sequential" in closed
    for lang, text in texts_of(cell.key).items():
        assert "`Sequential`" in text and t("graph.expand", lang) in text, lang


def test_dynamic_graphs_text_names_the_backward_calls_the_steps_picture_offers():
    cell = get_lesson("dynamic-graphs").cells[1]
    run = sandbox_run(cell.code)
    firsts = [backward_steps(run, call)[0].name for call in range(len(run.backward))]
    assert firsts == ["ReluBackward0", "ExpBackward0"]
    for lang, text in texts_of(cell.key).items():
        assert t("graph.scope", lang) in text, lang


def test_the_rnn_cell_is_tanh_of_two_affine_maps_with_two_biases():
    cell = get_lesson("nn-module").cells[2]
    ns = torch_namespace(cell.code)
    rnn, h = ns["cell"], torch.zeros(1, 3)
    for x in ns["xs"]:
        h = torch.tanh(x @ rnn.weight_ih.T + rnn.bias_ih + h @ rnn.weight_hh.T + rnn.bias_hh)
    assert torch.allclose(h, ns["h"])
    for lang, text in texts_of(cell.key).items():
        assert all(f"`{name}`" in text for name, _ in rnn.named_parameters()), lang


def test_dropout_scales_what_it_keeps_and_eval_leaves_autograd_on():
    for p in (0.2, 0.5):
        kept = torch.nn.Dropout(p)(torch.ones(1000))
        assert torch.allclose(kept[kept != 0], torch.tensor(1 / (1 - p)))
    cell = get_lesson("training-loop").cells[1]
    ns = torch_namespace(cell.code)
    assert not ns["model"].training and ns["out"].requires_grad
    en, zh = texts_of(cell.key)["en"], texts_of(cell.key)["zh-CN"]
    assert "1/(1−p)" in en and "does not switch off autograd" in en
    assert "1/(1−p)" in zh and "并不会关闭 autograd" in zh


def test_the_legacy_constructors_do_what_the_creation_cell_says():
    """torch.Tensor follows the default float type, torch.FloatTensor is always float32."""
    try:
        torch.set_default_dtype(torch.float64)
        assert torch.Tensor([1, 2]).dtype == torch.float64
        assert torch.FloatTensor(2, 2).dtype == torch.float32
    finally:
        torch.set_default_dtype(torch.float32)
    assert torch.Tensor([1, 2]).dtype == torch.float32 and torch.tensor([1, 2]).dtype == torch.int64
    texts = texts_of("lesson.tensor-creation.cell4")
    assert "default float type" in texts["en"] and "默认浮点类型" in texts["zh-CN"]
    assert "always makes float32" not in texts["en"]


def test_expand_is_a_view_that_refuses_in_place_ops_as_the_reshaping_notes_say():
    ns = torch_namespace(get_lesson("reshaping").cells[1].code)
    e, r = ns["e"], ns["r"]
    assert e.stride()[0] == 0 and e.data_ptr() == ns["row"].data_ptr()
    assert r.data_ptr() != ns["row"].data_ptr()
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
        e.add_(1)
    texts = texts_of("lesson.reshaping.notes")
    assert "in-place operation on an expanded tensor is refused" in texts["en"]
    assert "原地操作" in texts["zh-CN"]


# The notes' old-style Function (seed 004, "2.1 Function"): every name it uses, and what is
# written today. The notes save with self.save_for_backward and read back with self.to_save[0].
OLD_FUNCTION = {"forward(self, x)": "@staticmethod", "self.save_for_backward":
                "ctx.save_for_backward", "self.to_save": "ctx.saved_tensors",
                "ReLUF()(x)": "ReLUF.apply(x)"}


@pytest.mark.parametrize("key", ["lesson.custom-function.notes", "explain.legacy_function"])
def test_the_old_style_function_is_mapped_name_by_name_to_todays_form(key):
    for lang, text in texts_of(key).items():
        old_names = [old for old in OLD_FUNCTION if old.split("(")[0] in text]
        assert "self.to_save" in old_names and len(old_names) >= 2, (lang, old_names)
        for old in old_names:
            assert OLD_FUNCTION[old] in text, (lang, old)


def test_the_notes_rnn_cell_is_relu_of_two_affine_maps_as_the_notes_write_it():
    """Seed 004, "3.1 定义 Cell": output = ReLUF()(LinearF()(input, W_ih, b_ih) + LinearF()(h,
    W_hh, b_hh)), i.e. nn.RNNCell with nonlinearity="relu", not its default tanh."""
    cell = get_lesson("nn-module").cells[3]
    ns = torch_namespace(cell.code)
    mine = ns["cell"]
    rnn = torch.nn.RNNCell(2, 3, nonlinearity="relu")
    with torch.no_grad():
        for name, layer in (("ih", mine.i2h), ("hh", mine.h2h)):
            getattr(rnn, f"weight_{name}").copy_(layer.weight)
            getattr(rnn, f"bias_{name}").copy_(layer.bias)
    h = torch.zeros(1, 3)
    for x in torch.eye(2).view(2, 1, 2):
        h = rnn(x, h)
    assert torch.allclose(h, ns["h"]) and ns["h"].grad_fn.name() == "ReluBackward0"
    for lang, text in texts_of(cell.key).items():
        assert "relu(W_ih·x + b_ih + W_hh·h + b_hh)" in text and "tanh(" not in text, lang
        assert 'nonlinearity="relu"' in text, lang


def test_the_jacobian_cell_steps_through_a_backward_that_sums_to_v_times_j():
    cell = get_lesson("backward-vjp").cells[2]
    ns = torch_namespace(cell.code)
    run = sandbox_run(cell.code)
    last = backward_steps(run, len(run.backward) - 1)[-1]     # the call the page draws first
    assert last.name == "AccumulateGrad" and len(last.contributions) == 4
    total = sum(torch.tensor(c.grad.data) for c in last.contributions)
    assert torch.equal(total, ns["v"] @ ns["J"]) and torch.equal(total, ns["x"].grad)
    for lang, text in texts_of(cell.key).items():
        assert "`f(x).backward(v)`" in text and ("four" if lang == "en" else "四份") in text


@pytest.mark.parametrize("index, zeroed", [(0, False), (1, True)])
def test_the_zero_grad_curves_show_the_running_sum_and_then_each_steps_own_gradient(index, zeroed):
    """Issue 15: the forgotten-zero_grad lesson draws the accumulated grad. Loss (2w − 4)² has
    gradient 8w − 16; SGD with lr 0.05 steps by the .grad it finds."""
    cell = get_lesson("mistake-forgot-zero-grad").cells[index]
    drawn = values_of(variable(sandbox_run(cell.code), cell.focus).tensor.values)
    w, held, expected, seen = 0.0, 0.0, [], []
    for _ in range(6):
        held = (0.0 if zeroed else held) + 8 * w - 16
        expected.append(held)
        seen.append(w)                                    # w when this .grad was computed
        w -= 0.05 * held
    if not zeroed:      # the text: "about −25 when w has already passed 2", "sign … near 4"
        passed = next(k for k, v in enumerate(seen) if v > 2)
        assert round(expected[passed]) == -25
        flips = next(k for k, g in enumerate(expected) if g > 0)
        assert all(g < 0 for g in expected[:flips]) and 3.9 < seen[flips] < 4.1
    assert drawn == pytest.approx(expected, rel=1e-5)
    assert torch_namespace(cell.code)["grads"].tolist() == pytest.approx(expected, rel=1e-5)
    assert (min(drawn) < -25) != zeroed                   # the sum overshoots the first grad
    for lang, text in texts_of(cell.key).items():
        assert "`w.grad`" in text, lang


def test_the_param_groups_cell_draws_the_learning_rate_it_changes_by_hand():
    """Issue 15: changing the learning rate gets a picture: the curve of the first group's lr,
    halved every four steps, as torch.optim.lr_scheduler.StepLR(step_size=4, gamma=0.5) sets it."""
    cell = get_lesson("optimizers").cells[1]
    drawn = values_of(variable(sandbox_run(cell.code), cell.focus).tensor.values)
    ns = torch_namespace(cell.code)
    model = torch.nn.Linear(1, 1)
    opt = torch.optim.Adam(model.parameters(), lr=0.1)
    scheduler = torch.optim.lr_scheduler.StepLR(opt, step_size=4, gamma=0.5)
    expected = []
    for _ in range(12):
        opt.step()
        expected.append(opt.param_groups[0]["lr"])
        scheduler.step()
    assert drawn == pytest.approx(expected) == ns["lrs"].tolist()
    assert "`StepLR`" in texts_of(cell.key)["en"] and "`StepLR`" in texts_of(cell.key)["zh-CN"]


def test_take_follows_the_row_major_order_the_memory_picture_shows_is_not_the_storage_order():
    cell = get_lesson("advanced-indexing").cells[1]
    ns = torch_namespace(cell.code)
    t_, x = ns["t"], ns["x"]
    assert t_.data_ptr() == x.data_ptr() and not t_.is_contiguous()
    assert torch.take(t_, ns["index"]).tolist() != x.reshape(-1)[ns["index"]].tolist()
    run = sandbox_run(cell.code)
    focus = variable(run, cell.focus).tensor
    assert variable(run, "x").tensor.storage_id == focus.storage_id


def test_the_full_loop_trains_validates_every_epoch_and_tests_once_at_the_end():
    """Issue 15 and the notes' "(五)整个流程": data → model → loss → optimizer → validation →
    test. Three disjoint splits; the test set is read on the last line only, under no_grad."""
    cell = get_lesson("training-loop").cells[2]
    ns = torch_namespace(cell.code)
    splits = [set(ns[name].flatten().tolist()) for name in ("train_x", "val_x", "test_x")]
    assert all(splits) and sum(map(len, splits)) == len(set().union(*splits)) == 20
    run = sandbox_run(cell.code)
    test_id = variable(run, "test_x").tensor.id
    reads = {op.line for op in run.graph.ops if test_id in op.inputs}
    last = len(cell.code.splitlines())
    assert reads == {last} and all(op.grad_fn is None for op in run.graph.ops if op.line == last)
    for lang, text in texts_of(cell.key).items():
        assert ("test set" if lang == "en" else "测试集") in text, lang


# Issue 15's "notes vs today" boxes: where the notes use an outdated API or say something no longer
# true, the lesson's box names the notes' form and what to write (or what is true) today.
NOTES_BOXES = [
    ("autograd-basics", "`Variable(x, requires_grad=True)`", "`x.requires_grad_()`"),
    ("autograd-basics", "`Variable(x, volatile=True)`", "`with torch.no_grad():`"),
    ("custom-function", "`forward(self, x)`", "`ReLUF.apply(x)`"),
    ("tensor-creation", "`torch.FloatTensor(2, 2)`", "`torch.empty(2, 2)`"),
    ("dtypes", "`torch.set_default_tensor_type(torch.DoubleTensor)`",
     "`torch.set_default_dtype(torch.float64)`"),
    ("fine-tuning", "`models.resnet18(pretrained=True)`", '`weights="IMAGENET1K_V1"`'),
    ("reshaping", "`expand`", "`repeat`"),                 # expand copies: no, repeat does
    ("views-contiguity", "`reshape`", "`view`"),           # reshape always shares: no
]


@pytest.mark.parametrize("lesson_id, old, today", NOTES_BOXES)
def test_each_outdated_thing_in_the_notes_has_a_box_saying_what_holds_today(lesson_id, old, today):
    lesson = get_lesson(lesson_id)
    assert lesson.notes
    for lang, text in texts_of(f"lesson.{lesson_id}.notes").items():
        assert old in text and today in text, lang
        assert text.index(old) < text.rindex(today), lang     # the notes' form, then today's


# Issue 15's "Missing from the lessons": each concept, the lesson that teaches it, and code that a
# cell of that lesson runs (and draws: no cell only prints).
CONCEPTS = {
    "normal": ("tensor-creation", "torch.normal("), "randperm": ("tensor-creation", "randperm("),
    "empty": ("tensor-creation", "torch.empty("),
    "legacy FloatTensor": ("tensor-creation", "torch.FloatTensor(2, 2)"),
    "legacy Tensor": ("tensor-creation", "torch.Tensor([1, 2])"),
    "type_as": ("dtypes", ".type_as("), "set_default_dtype": ("dtypes", "set_default_dtype("),
    "squeeze": ("reshaping", ".squeeze("), "unsqueeze": ("reshaping", ".unsqueeze("),
    "expand_as": ("reshaping", ".expand_as("), "repeat": ("reshaping", ".repeat("),
    "resize_": ("reshaping", ".resize_("), "flatten": ("reshaping", ".flatten("),
    "paired fancy indexing": ("advanced-indexing", "x[[0, 2], [1, 3]]"),
    "take": ("advanced-indexing", "torch.take("),
    "4-D image batch slice": ("indexing-slicing", "batch[:, :, 1:3, 1:3]"),
    "in-place broadcasting": ("broadcasting", "x.add_(row)"),
    "in-place broadcast mistake": ("mistake-inplace-broadcast", "col.add_(batch)"),
    "element-wise math": ("math-reductions", ".clamp(-1, 1)"),
    "reductions": ("math-reductions", ".sum(dim=0)"), "sort": ("math-reductions", ".sort("),
    "max with indices": ("math-reductions", "values, indices = x.max(dim=1)"),
    "where": ("math-reductions", "torch.where("),
    "requires_grad_": ("autograd-basics", ".requires_grad_()"),
    "detach_": ("no-grad-detach-data", ".detach_()"),
    "Linear Function": ("custom-function", "class LinearF(torch.autograd.Function)"),
    "needs_input_grad": ("custom-function", "ctx.needs_input_grad"),
    "buffers": ("module-state", "register_buffer("),
    "register_parameter": ("module-state", "register_parameter("),
    "state_dict": ("module-state", "state_dict()"), "add_module": ("module-state", "add_module("),
    "Sequential slicing": ("module-state", "net[:2]"), "nn.X vs F.x": ("layers", "F.relu(x)"),
    "hand-built RNN cell": ("nn-module", "self.h2h(h)"), "Conv2d": ("layers", "nn.Conv2d("),
    "pooling": ("layers", "max_pool2d("), "BatchNorm": ("layers", "nn.BatchNorm1d("),
    "CrossEntropy with class indices": ("losses", "F.cross_entropy(logits, target)"),
    "L1": ("losses", "nn.L1Loss()"), "MSE": ("losses", "nn.MSELoss()"),
    "BCE": ("losses", "nn.BCELoss()"), "momentum": ("optimizers", "momentum=0.9"),
    "Adam": ("optimizers", "torch.optim.Adam("), "param_groups": ("optimizers", "param_groups"),
    "changing the lr": ("optimizers", 'group["lr"] *='),
    "train/validation/test": ("training-loop", "test_x"),
    "Dataset": ("data-loading", "class Squares(Dataset)"),
    "DataLoader": ("data-loading", "DataLoader("), "save": ("save-load", "torch.save("),
    "load": ("save-load", "torch.load("), "freezing": ("fine-tuning", "requires_grad_(False)"),
    "torch.device": ("devices", "torch.device("),
    "cuda.is_available": ("devices", "torch.cuda.is_available()"),
    ".to(device)": ("devices", ".to(device)"), ".cpu().numpy()": ("devices", ".cpu().numpy()"),
    "float64 batch into a float32 model": ("mistake-dtype-mismatch",
                                           "from_numpy(np.ones((2, 3)))"),
    "float target for cross_entropy": ("mistake-dtype-mismatch",
                                       "F.cross_entropy(logits, target)"),
    "x.shape()": ("mistake-api-slips", "x.shape()"),
    ".cuda() without CUDA": ("mistake-api-slips", "x.cuda()"),
    # the notes' NumPy warm-up ("1、NumPy基础"), each part beside the tensor it becomes
    "np.arange": ("numpy-basics", "np.arange(3, 10, 3)"), "np.eye": ("numpy-basics", "np.eye(3)"),
    "one-hot": ("numpy-basics", "np.eye(3)[[0, 1, 0, 2]]"),
    "ndarray attributes": ("numpy-basics", "a.ndim, a.shape, a.size, a.dtype, a.itemsize"),
    "strides in bytes": ("numpy-basics", "a.strides"),
    "reshape": ("numpy-basics", "a.reshape(2, 2)"), "np.resize": ("numpy-basics", "np.resize("),
    "ndarray indexing": ("numpy-basics", "a[np.array([2, -2])]"),
    "NumPy element-wise math": ("numpy-basics", "np.clip("),
    "from_numpy shares": ("numpy-basics", "torch.from_numpy("),
    "torch.tensor copies": ("numpy-basics", "torch.tensor(a)"),
    ".numpy() shares": ("numpy-basics", "x.numpy()"),
}


@pytest.mark.parametrize("concept", CONCEPTS)
def test_every_concept_the_issue_lists_has_a_cell_that_runs_it_and_draws(concept):
    lesson_id, snippet = CONCEPTS[concept]
    cells = [cell for cell in get_lesson(lesson_id).cells if snippet in cell.code]
    assert cells and all(cell.picture != "output" for cell in cells), concept


# Cells whose text says what the memory picture shows: who reads the focus's storage, who not.
STORAGE_CLAIMS = [("devices", 1, {"n"}, set()), ("save-load", 0, {"model.weight"}, set()),
                  ("save-load", 1, set(), {"model.weight", "copy.weight"}),
                  ("advanced-indexing", 0, set(), {"x"}), ("advanced-indexing", 1, {"x"}, set()),
                  ("numpy-basics", 1, {"a", "col", "tcol"}, set()),
                  ("numpy-basics", 2, {"a", "m"}, {"r"}),
                  ("numpy-basics", 3, {"a", "tail"}, {"picked", "c"})]


@pytest.mark.parametrize("lesson_id, index, shared, apart", STORAGE_CLAIMS)
def test_the_memory_pictures_show_the_sharing_their_text_describes(lesson_id, index, shared, apart):
    cell = get_lesson(lesson_id).cells[index]
    run = sandbox_run(cell.code)
    focus = variable(run, cell.focus).tensor
    names = {row.name for row in sharers(run, focus.storage_id, focus.id)}
    assert shared <= names and not apart & names, names
    for lang, text in texts_of(cell.key).items():
        assert t("views.memory", lang) in text or ("picture" if lang == "en" else "图") in text


def test_numpy_counts_strides_in_bytes_and_torch_in_elements_as_the_numpy_cell_says():
    """The same memory, two units: NumPy's strides are torch's times the itemsize, and the
    memory picture, drawn in elements, places the NumPy arrays by torch's strides."""
    cell = get_lesson("numpy-basics").cells[1]
    ns = torch_namespace(cell.code)
    for array, tensor in ((ns["a"], ns["t"]), (ns["col"], ns["tcol"])):
        assert array.strides == tuple(s * array.itemsize for s in tensor.stride())
        assert array.strides != tensor.stride()
    run = sandbox_run(cell.code)
    arrays = {v.name: v.array for v in run.variables if v.array is not None}
    assert arrays["a"].stride == ns["t"].stride() and arrays["col"].stride == ns["tcol"].stride()
    en, zh = texts_of(cell.key)["en"], texts_of(cell.key)["zh-CN"]
    assert "**bytes**" in en and "**elements**" in en
    assert "**字节**" in zh and "**元素个数**" in zh


def test_the_random_cell_draws_the_bell_of_randn_as_torch_counts_it():
    """Issue 15: the random factories' cell gets a picture of its point, the distribution: the
    curve is torch.histc of seeded randn draws, the same counts torch makes, a bell with about
    two thirds of the draws within one standard deviation, as its text says."""
    cell = get_lesson("tensor-creation").cells[2]
    drawn = values_of(variable(sandbox_run(cell.code), cell.focus).tensor.values)
    counts = torch_namespace(cell.code)["counts"]
    assert cell.picture == "curve" and drawn == counts.tolist()
    middle = len(drawn) // 2
    assert max(drawn) in drawn[middle - 1:middle + 1] and drawn[0] < drawn[middle] > drawn[-1]
    assert 0.64 < sum(drawn[middle - 2:middle + 2]) / 10000 < 0.72      # bins -1 … 1
    for lang, text in texts_of(cell.key).items():
        assert "`torch.histc`" in text and "10,000" in text and "−1" in text, lang


def test_the_api_slip_texts_name_the_shape_their_dtype_table_shows():
    """Issue 15: the api-slips cells draw the dtype table (the shape and dtype a tensor carries;
    tests/test_views_dtypes.py holds its rows to torch's, after the failed line too) rather
    than an unexplained memory strip, and each text says what the table shows."""
    for cell in get_lesson("mistake-api-slips").cells:
        rows = {row[t("view.dtypes.name", "en")]: row
                for row in tensor_table(sandbox_run(cell.code), "en")}
        assert cell.picture == "dtypes"
        for lang, text in texts_of(cell.key).items():
            assert rows["x"][t("view.dtypes.shape", "en")] in text, lang


def test_the_module_state_graph_names_the_buffer_by_path_as_its_text_says():
    cell = get_lesson("module-state").cells[0]
    dot = graph_picture(sandbox_run(cell.code), collapse=True).dot
    names = [name for name, _ in torch_namespace(cell.code)["m"].named_buffers()]
    assert names == ["mean"] and "<B>m.mean</B>" in dot
    for lang, text in texts_of(cell.key).items():
        assert "`m.mean`" in text, lang
