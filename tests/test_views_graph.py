"""The graph picture: its nodes are the grad_fns real torch builds, what they saved and which
tensors are views match torch, Module calls collapse into boxes named like torch's modules,
unrolled loops fold into ×N, big graphs collapse and say so, and the backward highlight marks
exactly the nodes that ran. Every course example renders with the real `dot`."""
import functools
import json
import pathlib
import re
import subprocess
from collections import Counter

import graphviz
import pytest
import torch

from explorer.sandbox.execute import execute
from explorer.views.graph import BUDGET, graph_dot, graph_picture, module_paths, scoped
from explorer.views.memory import sharers
from explorer.views.names import tensor_names
from explorer.views.steps import saved_tensors

EXAMPLES = sorted((pathlib.Path(__file__).parent / "course_examples").glob("[0-9]*.py"))

SOURCE = """import torch
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
w = torch.ones(2, 1)
y = (w * x).exp().sum()
y.backward()
"""

EXPRESSIONS = {
    "broadcast": SOURCE,
    "shared": """import torch
a = torch.tensor([[1.0, -2.0], [0.5, 3.0]], requires_grad=True)
b = torch.tensor([0.25, -1.0], requires_grad=True)
h = torch.tanh(a @ b)
y = (h * h + a.sum(0)).relu().mean()
y.backward()
""",
    "views": """import torch
a = torch.arange(6.0, requires_grad=True)
v = a.view(2, 3).t()
y = (v.sigmoid() * v[0]).sum()
y.backward()
""",
}


@functools.cache
def run_of(source: str):
    return execute(source)


def torch_namespace(source: str) -> dict:
    namespace: dict = {}
    exec(source, namespace)  # noqa: S102 - the same code, on real torch
    return namespace


def torch_nodes(root) -> list:
    """Every autograd node reachable from `root`, each once."""
    seen, stack, order = set(), [root.grad_fn], []
    while stack:
        fn = stack.pop()
        if fn is None or fn in seen:
            continue
        seen.add(fn)
        order.append(fn)
        stack.extend(f for f, _ in fn.next_functions)
    return order


def dot_nodes(dot: str) -> dict:
    """node name -> its attributes, as Graphviz itself parsed the DOT (its objects after the
    subgraphs, such as a {rank=same; ...} that keeps a view's base beside it)."""
    layout = json.loads(graphviz.Source(dot).pipe(format="json0"))
    return {o["name"]: o for o in layout.get("objects", [])[layout.get("_subgraph_cnt", 0):]}


def text(label: str) -> str:
    return re.sub(r"<[^>]+>", "", label.replace("<BR/>", " ")).strip()


def box_labels(dot: str) -> list:
    return [" ".join(text(o["label"]).split()) for name, o in dot_nodes(dot).items()
            if name.startswith("m")]


def render_svg(dot: str) -> str:
    proc = subprocess.run(["dot", "-Tsvg"], input=dot, capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_course_example_renders_every_option(script):
    run = run_of(script.read_text())
    options = [{"show_values": True, "show_saved": True},
               {"direction": "backward", "collapse": True, "show_values": True,
                "step": 0 if run.backward else None}]
    for option in options:
        picture = graph_picture(run, **option)
        svg = render_svg(picture.dot)
        drawn = len(re.findall(r'<g id="node\d+" class="node[ "]', svg))
        assert drawn == picture.nodes == len(dot_nodes(picture.dot))
        assert picture.nodes <= BUDGET


@pytest.mark.parametrize("name", EXPRESSIONS)
def test_op_nodes_are_exactly_torchs_grad_fns(name):
    source = EXPRESSIONS[name]
    dot = graph_dot(run_of(source), show_saved=True)
    nodes = dot_nodes(dot)
    drawn = Counter(o["label"] for n, o in nodes.items() if n[0] in "oa")
    expected = Counter(type(fn).__name__ for fn in torch_nodes(torch_namespace(source)["y"]))
    assert drawn == expected


@pytest.mark.parametrize("name", EXPRESSIONS)
def test_saved_tensors_are_the_ones_torch_saves(name):
    source = EXPRESSIONS[name]
    run = run_of(source)
    ours = Counter((op.grad_fn, tuple(sorted(saved_tensors(run, op))))
                   for op in run.graph.ops if op.grad_fn)
    theirs = Counter()
    before_backward = source.replace("y.backward()", "")   # saved tensors are still there
    for fn in torch_nodes(torch_namespace(before_backward)["y"]):
        if type(fn).__name__ == "AccumulateGrad":
            continue
        saved = [a[len("_saved_"):] for a in dir(fn) if a.startswith("_saved_")
                 and isinstance(getattr(fn, a), torch.Tensor)]
        theirs[(type(fn).__name__, tuple(sorted(saved)))] += 1
    assert ours == theirs
    notes = [text(o["label"]) for n, o in dot_nodes(graph_dot(run, show_saved=True)).items()
             if n.startswith("s")]
    assert len(notes) == sum(1 for op in run.graph.ops if op.saved)


def test_views_are_linked_to_their_base_as_torch_has_it():
    source = EXPRESSIONS["views"]
    run = run_of(source)
    dot = graph_dot(run)
    links = set(re.findall(r"t(\d+) -> t(\d+) \[style=dotted", dot))
    theirs = torch_namespace(source)
    assert theirs["v"]._base is theirs["a"]          # torch: v is a view of a
    named = {var.name: var.tensor.id for var in run.variables if var.tensor is not None}
    assert (str(named["v"]), str(named["a"])) in links
    assert all(run.graph.tensors[int(v)].base_id == int(b) for v, b in links)
    assert "view of" not in graph_dot(run, show_views=False)


def test_a_python_number_is_drawn_as_a_constant_not_a_tensor():
    source = "import torch\nx = torch.ones(2, requires_grad=True)\ny = x * 3\n"
    theirs = torch_namespace(source)["y"].grad_fn.next_functions
    assert theirs[1][0] is None                       # torch: the 3 is no tensor in the graph
    dot = graph_dot(run_of(source))
    assert re.search(r'\[shape=plaintext, fontcolor="#666666", label="3"\]', dot)
    assert "int64" not in dot


def test_the_focused_variable_is_outlined_and_nothing_else():
    run = run_of(SOURCE)
    [x] = [v.tensor.id for v in run.variables if v.name == "x"]
    outlined = [line for line in graph_dot(run, focus=x).splitlines() if 'class="focus"' in line]
    assert len(outlined) == 1 and outlined[0].startswith(f"  t{x} ")
    assert 'class="focus"' not in graph_dot(run)


def test_leaves_have_their_accumulate_grad_before_any_backward_as_in_torch():
    source = ("import torch\nq = torch.ones(2, requires_grad=True)\n"
              "w = torch.ones(2, requires_grad=True)\nr = (q.exp() * w).mean()\n")
    theirs = [type(fn).__name__ for fn in torch_nodes(torch_namespace(source)["r"])]
    dot = graph_dot(run_of(source))
    assert dot.count('label="AccumulateGrad"') == theirs.count("AccumulateGrad") == 2


def test_backward_direction_reverses_every_edge():
    run = run_of(SOURCE)
    forward = [line for line in graph_dot(run).splitlines() if "->" in line]
    backward = [line for line in graph_dot(run, direction="backward").splitlines() if "->" in line]
    flip = {f"{b.split(' -> ')[1].split(' ')[0]} -> {b.split(' -> ')[0].strip()}"
            for b in backward if "view of" not in b}
    assert {f.split(" [")[0].strip() for f in forward if "view of" not in f} == flip


def test_names_and_grads_are_shown():
    dot = graph_dot(run_of(SOURCE))
    assert "<B>x</B>" in dot and "<B>y</B>" in dot and "grad" in dot


BUFFERS = """import torch
from torch import nn
class Norm(nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(2))
        self.register_buffer("mean", torch.zeros(2))
    def forward(self, x):
        return (x - self.mean) * self.scale
m = Norm()
out = m(torch.ones(1, 2))
bn = nn.BatchNorm1d(2)
y = bn(torch.tensor([[1.0, 2.0], [3.0, 5.0]]))
"""


def test_a_modules_buffers_are_named_by_path_like_its_parameters():
    """A buffer a forward reads (`self.mean`, BatchNorm's running statistics) is drawn as
    `m.mean`, as `named_buffers()` calls it, never as an unnamed `2 · float32` input; the
    memory strip of a buffer's storage names it too."""
    run = run_of(BUFFERS)
    dot = graph_picture(run, collapse=True).dot
    assert "<B>m.mean</B>" in dot and "<B>m.scale</B>" not in dot    # the parameter sits in
    labels = tensor_names(run)                                       # its Module's box
    model = torch.nn.BatchNorm1d(2)
    paths = {path for found in labels.values() for path in found}
    assert {f"bn.{name}" for name, _ in model.named_buffers()} <= paths
    mean = next(info for name, info in next(v for v in run.variables if v.name == "bn").buffers
                if name == "running_mean")
    assert [row.name for row in sharers(run, mean.storage_id, mean.id)][0] == "bn.running_mean"


MLP = """import torch
import torch.nn as nn
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 6), nn.Tanh(), nn.Linear(6, 3))
x = torch.linspace(-1, 1, 8).view(2, 4)
y = model(x).sum()
y.backward()
"""


def test_collapsing_a_sequential_gives_one_box_per_layer_named_like_torch():
    run = run_of(MLP)
    model = torch_namespace(MLP)["model"]
    closed = graph_picture(run, collapse=True)
    assert box_labels(closed.dot) == ["model: Sequential 6 parameters"]
    opened = graph_picture(run, collapse=True, expanded={"model"}, fold=False)
    expected = []
    for n, m in model.named_children():   # each layer's parameters sit in its box
        params = " · ".join(f"{name} {'×'.join(map(str, p.shape))}"
                            for name, p in m.named_parameters())
        expected.append(f"model.{n}: {type(m).__name__} {params}".strip())
    assert box_labels(opened.dot) == expected
    assert opened.collapsed and not opened.notes
    edges = re.findall(r"(\w+) -> (\w+)", opened.dot)
    chain = [dst for src, dst in edges if src.startswith("m")]   # each box feeds one tensor
    assert len(chain) == len(model)
    assert module_paths(run) == ["model"] + [f"model.{n}" for n, _ in model.named_children()]


RNN = """import torch
import torch.nn as nn
torch.manual_seed(0)
cell = nn.RNNCell(3, 5)
xs = torch.randn(7, 2, 3)
h = torch.zeros(2, 5)
for x in xs:
    h = cell(x, h)
loss = h.pow(2).sum()
loss.backward()
"""


def test_an_unrolled_rnn_cell_folds_into_one_box():
    run = run_of(RNN)
    steps = len(torch_namespace(RNN)["xs"])
    folded = box_labels(graph_dot(run, collapse=True))
    assert f"×{steps} cell: RNNCell 4 parameters" in folded, folded
    unfolded = box_labels(graph_dot(run, collapse=True, fold=False))
    assert unfolded == ["cell: RNNCell"] * steps   # the shared weights feed every box


def test_a_rolled_box_opens_in_place_and_the_others_stay_rolled():
    """A click on a ×N box opens that loop in place: the box's first op id in `unrolled`
    draws its turns one by one, and a second loop of the same program stays rolled."""
    source = ("import torch\nw = torch.tensor(0.9, requires_grad=True)\nx = torch.tensor(1.0)\n"
              "for i in range(5):\n    x = x * w + 0.1\ny = x\nfor i in range(4):\n"
              "    y = torch.tanh(y)\ny.backward()\n")
    run = run_of(source)
    rolled = graph_dot(run)
    boxes = re.findall(r"^  m(\d+) \[.*?×(\d+)", rolled, flags=re.M)
    assert sorted(n for _, n in boxes) == ["4", "5"], boxes
    first, _ = next(b for b in boxes if b[1] == "5")
    opened = graph_dot(run, unrolled={int(first)})
    assert "×5" not in opened and "×4" in opened
    assert len(re.findall(r"label=<MulBackward0>", opened)) == 5
    assert graph_dot(run, unrolled={int(first)}, fold=False) == graph_dot(run, fold=False)


def test_a_base_only_its_view_links_to_sits_beside_the_view():
    """`x = torch.linspace(0, 1, 5).unsqueeze(1)`: the linspace result is linked to the graph
    only by its view's dotted line. Drawn backward, it sank to the first rank (the bottom),
    a dotted line across the whole picture; it sits on its view's rank in either direction."""
    source = ("import torch\nx = torch.linspace(0, 1, 5).unsqueeze(1)\n"
              "w = torch.ones(1, requires_grad=True)\nloss = (x * w).sum()\nloss.backward()\n")
    run = run_of(source)
    x = next(v.tensor for v in run.variables if v.name == "x")
    for direction in ("forward", "backward"):         # the backward() call's graph
        dot = graph_dot(scoped(run, 0), direction=direction)
        assert f"{{rank=same; t{x.id}; t{x.base_id};}}" in dot, direction
    assert "rank=same" not in graph_dot(run)           # the whole run: unsqueeze links them


def test_a_sequential_of_identical_blocks_folds_and_names_its_ends():
    source = """import torch
import torch.nn as nn
model = nn.Sequential(*[nn.Sequential(nn.Linear(4, 4), nn.Tanh()) for _ in range(5)])
y = model(torch.ones(2, 4)).sum()
"""
    labels = box_labels(graph_dot(run_of(source), collapse=True, expanded={"model"}))
    assert len(labels) == 1 and labels[0].startswith("×5 model.0 … model.4: Sequential")


def test_a_big_loop_collapses_by_itself_and_says_so():
    source = """import torch
w = torch.tensor([0.5, -0.25], requires_grad=True)
y = torch.ones(2, requires_grad=True)
for i in range(400):
    y = torch.tanh(y * w)
y.sum().backward()
"""
    run = run_of(source)
    assert graph_picture(run, budget=None, fold=False).nodes > BUDGET
    rolled = graph_picture(run)          # the loop's iterations are rolled by default
    assert not rolled.collapsed and rolled.notes == () and rolled.nodes < 10
    assert any(label.startswith("×400 MulBackward0 TanhBackward0")
               for label in box_labels(rolled.dot))
    picture = graph_picture(run, fold=False)
    assert picture.collapsed and picture.nodes <= BUDGET
    assert "too many to read" in picture.notes[0]
    small = graph_picture(run_of(SOURCE))
    assert not small.collapsed and small.notes == ()


def test_when_folding_is_not_enough_only_the_end_is_drawn():
    source = """import torch
x = torch.ones(3, requires_grad=True)
for i in range(300):
    (x * i).sum().backward()
"""
    picture = graph_picture(run_of(source))
    assert picture.nodes <= BUDGET and "nearest the output" in picture.notes[-1]


@pytest.mark.parametrize("name", EXPRESSIONS)
def test_the_highlight_marks_exactly_the_nodes_run_before_the_step(name):
    run = run_of(EXPRESSIONS[name])
    steps = run.backward[0].steps
    drawn_as = {}
    for op in run.graph.ops:
        drawn_as.setdefault(op.node_id, set()).add(f"o{op.id}")
    for nid, _ in run.graph.accumulate:
        drawn_as.setdefault(nid, set()).add(f"a{nid}")
    for k in range(len(steps) + 1):
        nodes = dot_nodes(graph_dot(run, step=k))
        classes = {n: o.get("class") for n, o in nodes.items()}
        done = {n for n, c in classes.items() if c == "step-done"}
        current = {n for n, c in classes.items() if c == "step-current"}
        pending = {n for n, c in classes.items() if c == "step-pending"}
        assert done == set().union(*(drawn_as[s.node_id] for s in steps[:k]))
        assert current == (drawn_as[steps[k].node_id] if k < len(steps) else set())
        assert pending == set().union(*(drawn_as[s.node_id] for s in steps[k + 1:]))
