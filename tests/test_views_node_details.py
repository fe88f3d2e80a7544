"""The panel a click on a graph node opens: a tensor's value and .grad, an op's saved tensors,
the gradient that reached it and its formula, a Module box's path. Values are printed as
PyTorch prints them, and real PyTorch is the oracle for every number."""
from __future__ import annotations

import math

import pytest
import torch

from explorer.model import Values
from explorer.sandbox.execute import execute
from explorer.views.graph import graph_picture
from explorer.views.node_details import module_box_path, node_details
from explorer.views.numbers import tensor_text

SOURCE = """import torch
a = torch.tensor([2.0, 3.0], requires_grad=True)
b = torch.tensor([4.0, -5.0], requires_grad=True)
c = a * b
d = (c.sin() * 0.5).sum()
d.backward()
"""

MLP = """import torch
import torch.nn as nn
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
x = torch.randn(5, 3)
loss = model(x).pow(2).mean()
loss.backward()
"""


def torch_run(source: str) -> dict:
    scope: dict = {}
    exec(compile(source, "<reference>", "exec"), scope)  # noqa: S102 - the reference run
    return scope


def tensor_id(run, name: str) -> int:
    return next(v.tensor.id for v in run.variables if v.name == name)


def op_named(run, grad_fn: str):
    return next(op for op in run.graph.ops if op.grad_fn == grad_fn)


@pytest.fixture(scope="module")
def small():
    return execute(SOURCE), torch_run(SOURCE)


def test_a_leaf_shows_its_value_and_grad_as_torch_prints_them(small):
    run, ref = small
    for name in ("a", "b"):
        details = node_details(run, f"t{tensor_id(run, name)}")
        assert details.kind == "tensor" and details.title == name
        assert details.value == str(ref[name].detach())
        assert details.grad == str(ref[name].grad)
        assert ("is_leaf", "True") in details.facts
        assert ("shape", str(ref[name].shape)) in details.facts


def test_a_computed_tensor_shows_its_value_and_grad_fn_but_no_grad(small):
    run, ref = small
    details = node_details(run, f"t{tensor_id(run, 'c')}")
    assert details.value == str(ref["c"].detach())
    assert details.grad is None                  # a non-leaf's .grad is None in PyTorch too
    assert ("grad_fn", type(ref["c"].grad_fn).__name__) in details.facts


def test_an_op_shows_what_it_saved_the_gradient_that_reached_it_and_its_formula(small):
    run, _ = small
    ref = {}
    scope = torch_run(SOURCE.replace("d.backward()", ""))
    a, b = scope["a"], scope["b"]
    c = a * b
    c.register_hook(lambda grad: ref.setdefault("grad", grad))
    kept = {"self": str(c.grad_fn._saved_self.detach()),
            "other": str(c.grad_fn._saved_other.detach())}
    (c.sin() * 0.5).sum().backward()          # frees them
    mul = op_named(run, "MulBackward0")
    details = node_details(run, f"o{mul.id}")
    assert details.kind == "op" and details.title == "MulBackward0"
    assert details.value == str(c.detach())
    assert details.grad == str(ref["grad"])       # grad_output of MulBackward0
    saved = {s.name: s for s in details.saved}
    assert set(saved) == {"self", "other"}
    assert saved["self"].tensor == "a" and saved["self"].value == kept["self"]
    assert saved["other"].tensor == "b" and saved["other"].value == kept["other"]
    assert dict(details.formulas)["self"] and "other" in dict(details.formulas)["self"]
    note = node_details(run, f"s{mul.id}")           # the saved-tensor note is the op
    assert note.saved == details.saved and note.title == details.title


def test_accumulate_grad_names_its_leaf_and_its_grad(small):
    run, ref = small
    node, leaf = run.graph.accumulate[0]
    details = node_details(run, f"a{node}")
    name = next(v.name for v in run.variables if v.tensor and v.tensor.id == leaf)
    assert details.kind == "accumulate" and ("leaf", name) in details.facts
    assert details.grad == str(ref[name].grad)


def test_every_drawn_node_has_details_and_unknown_ids_have_none(small):
    run, _ = small
    dot = graph_picture(run, show_saved=True).dot
    ids = {line.strip().split(" ")[0] for line in dot.splitlines()
           if line.startswith("  ") and " [" in line and "->" not in line
           and line.strip()[0] in "tosma"}
    assert ids and all(node_details(run, node) is not None for node in ids)
    assert node_details(run, "t99999") is None
    assert node_details(run, "x1") is None and node_details(run, "o") is None


def test_an_intermediate_tensor_in_a_module_prints_like_torch():
    run, ref = execute(MLP), torch_run(MLP)
    model, x = ref["model"], ref["x"]
    hidden = model[0](x)                       # 5x4, never bound to a name: rebuilt from numbers
    addmm = op_named(run, "AddmmBackward0")
    details = node_details(run, f"o{addmm.id}")
    assert details.value == str(hidden.detach())
    assert details.inside == ("model", "model.0")


def test_a_module_box_is_named_by_the_outermost_closed_call():
    run = execute(MLP)
    first = run.graph.ops[0]
    assert module_box_path(first) == "model"
    assert module_box_path(first, {"model"}) == "model.0"
    assert module_box_path(first, {"model", "model.0"}) is None
    box = node_details(run, f"m{first.id}", collapsed=True)
    assert box.kind == "module" and box.module_path == "model"
    assert ("type", "Sequential") in box.facts
    assert ("parameter", "model.0.weight (4, 3)") in box.facts
    inner = node_details(run, f"m{first.id}", collapsed=True, expanded={"model"})
    assert inner.module_path == "model.0" and ("type", "Linear") in inner.facts
    assert inner.inside == ("model",)
    # Without Module boxes an m-node is a rolled ×N box: no module to open
    assert node_details(run, f"m{first.id}", collapsed=False).kind == "fold"


def values_of(tensor: torch.Tensor) -> Values:
    data = tensor.tolist()

    def nest(d):
        return tuple(nest(x) for x in d) if isinstance(d, list) else d
    return Values(tuple(tensor.shape), nest(data), True)


@pytest.mark.parametrize("tensor", [
    torch.tensor([1.0, 2.0, 3.0]),
    torch.tensor([1.0, 2000.0]),
    torch.tensor([0.1, -2.5, 3.25]),
    torch.tensor([1e-5, 1.0]),
    torch.tensor([1e9, 1.0]),
    torch.tensor([0.0, 0.0]),
    torch.tensor(0.5),
    torch.tensor(3),
    torch.tensor([1, -20, 300]),
    torch.tensor([True, False]),
    torch.tensor([1.5, 2.5], dtype=torch.float64),
    torch.tensor([1, 2], dtype=torch.int32),
    torch.tensor([math.inf, 1.0, math.nan]),
    torch.arange(40, dtype=torch.float32) / 7,
    torch.randn(3, 4, generator=torch.Generator().manual_seed(1)),
    torch.randn(2, 3, 4, generator=torch.Generator().manual_seed(2)),
    torch.zeros(0),
    torch.zeros(0, 3),
], ids=str)
def test_numbers_are_printed_as_pytorch_prints_them(tensor):
    assert tensor_text(values_of(tensor), str(tensor.dtype)) == str(tensor)


def test_a_large_tensor_is_summarized_with_its_shape_and_statistics():
    values = Values((100, 20), tuple(range(100)), False, min=0.0, max=99.0, mean=49.5, norm=1.0)
    text = tensor_text(values, "torch.float32")
    assert text.startswith("tensor([0, 1, 2") and "size=(100, 20)" in text and "max=99" in text


LOOP = """import torch
w = torch.tensor([0.9, 1.1], requires_grad=True)
x = torch.ones(2)
for step in range(20):
    x = x * w + 0.1
loss = x.sum()
loss.backward()
"""


def test_a_rolled_box_tells_its_repeats_its_turn_and_what_leaves_the_loop():
    """Before: a ×N box without Module boxes showed only its first op's details."""
    run = execute(LOOP)
    picture = graph_picture(run)
    box = next(line.split()[0] for line in picture.dot.splitlines() if line.startswith("  m"))
    details = node_details(run, box, collapsed=picture.collapsed)
    reference = torch_run(LOOP)
    assert details.kind == "fold" and details.title == "×20"
    assert ("ops", "MulBackward0, AddBackward0") in details.facts and ("line", "5") in details.facts
    assert details.value == str(reference["x"].detach())
    assert details.grad == str(torch.ones(2))       # d loss / d x of the last turn


def test_an_op_whose_saved_tensors_backward_freed_says_so():
    run = execute(SOURCE)
    mul = next(op for op in run.graph.ops if op.grad_fn == "MulBackward0")
    assert node_details(run, f"o{mul.id}").freed == 1
    kept = execute(SOURCE.replace("d.backward()", "d.backward(retain_graph=True)"))
    mul = next(op for op in kept.graph.ops if op.grad_fn == "MulBackward0")
    assert node_details(kept, f"o{mul.id}").freed is None


@pytest.mark.parametrize("node", ["t²", "o" + "9" * 5000, "t١", "t 1", "t-1", "t+1"])
def test_a_crafted_click_is_no_node(small, node):
    """A click's node id comes from the browser: text that Python's int() refuses, or reads
    as another number, is no node (fifteenth outside attack: "t²" passed isdigit())."""
    assert node_details(small[0], node) is None
