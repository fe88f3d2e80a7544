"""After a loop, the pictures draw the graph that matters: the one a backward() call went
through, with exactly the nodes torch's autograd recorded for it (no optimizer updates, no
BatchNorm bookkeeping, no comparisons), parameters named by their module path, and, step by
step, a leaf's gradient only once its AccumulateGrad has run."""
from __future__ import annotations

import re
from collections import Counter

import torch

from difftest import autograd_nodes
from explorer.sandbox.execute import execute
from explorer.views.chain import chain_text, grad_fn_chain
from explorer.views.graph import OP_MUTED, graph_dot, scoped
from explorer.views.steps import backward_steps, steps_table

TRAINING = """import torch
torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.BatchNorm1d(8), torch.nn.ReLU(),
                            torch.nn.Linear(8, 3))
opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
x = torch.randn(16, 4)
target = torch.randint(0, 3, (16,))
for epoch in range(4):
    opt.zero_grad()
    out = model(x)
    loss = torch.nn.functional.cross_entropy(out, target)
    accuracy = (out.argmax(1) == target).float().mean()
    small = out.lt(0.5)
    loss.backward()
    opt.step()
"""


def torch_graph(source: str, root: str) -> Counter:
    """grad_fn names (AccumulateGrad included) of the graph under `root`, run on real torch."""
    namespace: dict = {}
    exec(source, namespace)  # noqa: S102 - the same code, on real torch
    return autograd_nodes(namespace[root].grad_fn)


def drawn_nodes(dot: str) -> Counter:
    """Op and AccumulateGrad node names in a DOT (collapse off: one node per op)."""
    names = re.findall(r'^\s+[oa]\d+ \[.*?fillcolor="(#[0-9a-f]+)".*?label=["<]([A-Za-z0-9_]+)[">]',
                       dot, flags=re.M)
    return Counter(name for fill, name in names if fill != OP_MUTED)   # ops without grad


def test_the_last_backwards_graph_has_exactly_torchs_nodes():
    run = execute(TRAINING)
    assert run.error is None and len(run.backward) == 4
    expected = torch_graph(TRAINING, "loss")
    assert drawn_nodes(graph_dot(scoped(run, -1), budget=None)) == expected
    everything = drawn_nodes(graph_dot(run, budget=None))
    assert sum(everything.values()) > sum(expected.values()), "the whole run holds more"


def test_bookkeeping_and_comparisons_stay_out_of_the_scoped_graph():
    scope = scoped(execute(TRAINING), -1)
    ops = {op.op for op in scope.graph.ops}
    assert not ops & {"lt", "eq", "argmax", "add_", "mul_"}, ops


def test_parameters_are_named_by_module_path_in_every_view():
    run = execute(TRAINING)
    table = steps_table(backward_steps(run, 3))
    leaves = {row[next(k for k in row if "node" in k.lower())] for row in table}
    assert any("model.0.weight" in leaf for leaf in leaves), leaves
    assert not any(re.search(r"\bt\d+\b", str(row)) for row in table)
    dot = graph_dot(scoped(run, -1), budget=None)
    assert "model.3.bias" in dot and not re.search(r">t\d+<", dot)
    chain = chain_text(grad_fn_chain(run, next(v for v in run.variables
                                               if v.name == "loss").tensor.id))
    assert "model.0.weight" in chain and not re.search(r"→ t\d+", chain)


def test_a_leaf_shows_its_gradient_only_after_its_accumulate_grad_ran():
    source = ("import torch\nw = torch.tensor([2.0, 3.0], requires_grad=True)\n"
              "loss = (w * w).sum()\nloss.backward()\n")
    run = execute(source)
    steps = run.backward[0].steps
    accumulate = next(k for k, s in enumerate(steps) if s.name == "AccumulateGrad")

    def leaf_label(step: int) -> str:
        dot = graph_dot(run, step=step, call=0)
        [line] = [ln for ln in dot.splitlines() if "<B>w</B>" in ln]
        return line
    assert "grad" not in leaf_label(accumulate)          # running, not yet run
    after = leaf_label(accumulate + 1)
    assert "grad" in after and "4." in after and "6." in after
    w = torch.tensor([2.0, 3.0], requires_grad=True)
    (w * w).sum().backward()
    assert w.grad.tolist() == [4.0, 6.0]


def test_every_backward_call_can_be_stepped_through():
    run = execute(TRAINING)
    first, last = backward_steps(run, 0), backward_steps(run, 3)
    assert len(first) == len(last) > 0
    assert first[0].grad_in != () and [v.name for v in first] == [v.name for v in last]
    ops_of = [{s.node_id for s in run.backward[k].steps if s.leaf is None} for k in (0, 3)]
    assert {op.node_id for op in scoped(run, 3).graph.ops} == ops_of[1]
    assert not ops_of[0] & ops_of[1], "each iteration builds its own graph (leaves persist)"


def test_the_focused_variables_graph_is_torchs_graph_under_it():
    """A variable no backward() went through (here `accuracy`, computed after it; and `out`,
    part of one) draws the graph under its own grad_fn: torch's nodes for it."""
    from explorer.views.graph import graph_of
    source = TRAINING + "probe = (model(x) * 2).sum()\n"
    run = execute(source)
    ids = {v.name: v.tensor.id for v in run.variables if v.tensor is not None}
    for name in ("probe", "out"):
        scope = graph_of(run, ids[name])
        names = Counter(op.grad_fn for op in scope.graph.ops)
        names["AccumulateGrad"] += len(scope.graph.accumulate)
        assert names == torch_graph(source, name), name


def test_temporaries_are_named_by_the_expression_that_made_them():
    """A tensor no name is bound to is labelled with the code that made it, from its inputs'
    names (never an internal t8): what torch records for `relu(a @ w) * b + 0.5`."""
    import re as regex

    from explorer.views.graph import graph_dot
    source = ("import torch\na = torch.ones(2, requires_grad=True)\nb = torch.ones(2)\n"
              "w = torch.ones(2, 2)\nout = (torch.relu(a @ w) * b + 0.5).sum()\n")
    spelled = regex.findall(r"<I>(.*?)</I>", graph_dot(execute(source)))
    assert spelled[-4:] == ["a @ w", "torch.relu(a @ w)", "torch.relu(a @ w) * b",
                            "torch.relu(a @ w) * b + 0.5"]
    namespace: dict = {}
    exec(source, namespace)  # noqa: S102 - the same code on torch: the chain those names spell
    fn = namespace["out"].grad_fn.next_functions[0][0]
    assert [type(fn).__name__, type(fn.next_functions[0][0]).__name__,
            type(fn.next_functions[0][0].next_functions[0][0]).__name__] == \
        ["AddBackward0", "MulBackward0", "ReluBackward0"]


def test_a_step_inside_one_expression_is_spelled_from_its_inputs():
    """The learner's own text names the value of a whole expression (`model(x)`, `1 / x`);
    a step inside it (Linear's matmul inside `model(x)`, the reciprocal inside `1 / x`) is
    spelled from its inputs, since no text of theirs is its value."""
    from explorer.views.names import expressions, tensor_names
    source = ("import torch\nx = torch.ones(1, 2, requires_grad=True)\n"
              "model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU())\n"
              "out = (model(x) + 1 / x.sum()).sum()\n")
    run = execute(source)
    spelled = expressions(run, tensor_names(run), list(run.graph.tensors))
    by_op = {op.op: spelled.get(op.outputs[0]) for op in run.graph.ops}
    assert by_op["relu"] == "model(x)" and by_op["reciprocal"] == "reciprocal(x.sum())"
    assert by_op["addmm"].startswith("addmm(model.0.bias")
    assert by_op["add"] == "model(x) + 1 / x.sum()"


def test_a_leaf_updated_in_place_keeps_its_name_in_every_view():
    """Gradient descent by hand (`w -= lr * w.grad` under no_grad): each update gives w a new
    version, and the graph the last backward() went through read the version before it. It is
    still the learner's `w` in the graph, the steps and the chain, not "(1)" or a bare shape."""
    source = ("import torch\nx = torch.linspace(0, 1, 5)\ny = 2 * x\n"
              "w = torch.zeros(1, requires_grad=True)\n"
              "for step in range(3):\n    loss = ((x * w - y) ** 2).mean()\n    loss.backward()\n"
              "    with torch.no_grad():\n        w -= 0.5 * w.grad\n        w.grad.zero_()\n")
    run = execute(source)
    assert run.error is None and len(run.backward) == 3
    rows = [row["node"] for row in steps_table(backward_steps(run, 2))]
    assert "AccumulateGrad → w.grad" in rows, rows
    loss = next(v for v in run.variables if v.name == "loss").tensor.id
    assert "AccumulateGrad → w" in chain_text(grad_fn_chain(run, loss))
    dot = graph_dot(scoped(run, -1), budget=None)
    [leaf] = re.findall(r"^ +(t\d+) -> a\d+", dot, flags=re.M)
    assert f"  {leaf} [" in dot and "<B>w</B>" in dot.split(f"  {leaf} [")[1].split("\n")[0]


def test_what_a_model_returns_is_named_by_the_learners_call_even_through_its_own_forward():
    """A Module with a forward() of the learner's: its last op runs inside that forward
    (`self.head(...)`), yet the value the call returned is `model(images)`, as in the code
    that called it; a step inside the forward keeps the forward's own text."""
    from explorer.views.names import expressions, tensor_names
    source = ("import torch\nfrom torch import nn\n\n\nclass Net(nn.Module):\n"
              "    def __init__(self):\n        super().__init__()\n"
              "        self.body = nn.Linear(3, 4)\n        self.head = nn.Linear(4, 2)\n\n"
              "    def forward(self, x):\n        return self.head(torch.relu(self.body(x)))\n\n\n"
              "model = Net()\nimages = torch.ones(5, 3)\nloss = (model(images) * 2).sum()\n")
    run = execute(source)
    spelled = expressions(run, tensor_names(run), list(run.graph.tensors))
    by_op = {op.op: spelled.get(op.outputs[0]) for op in run.graph.ops}
    assert by_op["relu"] == "torch.relu(self.body(x))"
    assert by_op["mul"] == "model(images) * 2"
    [returned] = [op.outputs[0] for op in run.graph.ops if op.op == "addmm"][-1:]
    assert spelled[returned] == "model(images)"
