"""Hostile Runs and hostile learner code must not make the server draw without bound (the
twelfth outside attack): failed ops, Module paths, storage sizes and shape tuples are bounded
where they are recorded, on the wire, and in the pictures that draw them. Speed is measured
in bench/hostile_runs.py; these tests hold the bounds."""
from __future__ import annotations

import dataclasses
import tracemalloc

import pytest

from explorer import wire
from explorer.model import (
    BackwardCall,
    BackwardEdge,
    BackwardStep,
    FailedOp,
    ForwardStep,
    Graph,
    OpNode,
    Run,
    TensorInfo,
    VariableInfo,
)
from explorer.views.memory import memory_figure

MISMATCH = "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0"


def through_wire(run: Run) -> Run:
    """What the server decodes when a run process sends `run` (any run process may forge)."""
    return wire.decode(wire.encode(run)[wire.HEADER.size:], Run)


def tensor(storage_size: int = 1, shape=(1,), stride=(1,), offset: int = 0) -> TensorInfo:
    return TensorInfo(id=0, shape=shape, dtype="torch.float32", stride=stride,
                      storage_offset=offset, storage_id=0, storage_size=storage_size,
                      is_contiguous=True, is_channels_last=False, requires_grad=False,
                      is_leaf=True, grad_fn=None, base_id=None)


def with_tensor(info: TensorInfo) -> Run:
    return Run("x", 0, variables=(VariableInfo("x", "tensor", info),),
               graph=Graph({0: info}, ()))


# ---- F8: every shape-like field is a shape ----------------------------------------------------
def _shaped(shape) -> list[Run]:
    """A Run per shape-like field of the schema, that field set to `shape`."""
    op = OpNode(id=0, op="add", grad_fn=None, node_id=None, inputs=(0,), outputs=(0,))
    edge = BackwardEdge(None, 0, None, summed_from=shape)
    step = BackwardStep(0, 0, "AddBackward0", (), (edge,))
    good = tensor()
    return [
        Run("x", 0, graph=Graph({}, (), failed=(FailedOp("add", (shape, (3,)), "RuntimeError",
                                                         MISMATCH),))),
        Run("x", 0, graph=Graph({0: good}, (dataclasses.replace(op, broadcast_shape=shape),))),
        Run("x", 0, forward=(ForwardStep(0, (shape,), ((1,),), None, None),)),
        Run("x", 0, forward=(ForwardStep(0, ((1,),), (shape,), None, None),)),
        Run("x", 0, forward=(ForwardStep(0, ((1,),), ((1,),), shape, None),)),
        Run("x", 0, backward=(BackwardCall((0,), False, (step,)),)),
        with_tensor(dataclasses.replace(good, shape=shape, stride=(0,) * len(shape))),
    ]


@pytest.mark.parametrize("shape", [(1,) * 65, (2, -1), (2 ** 63,)])
def test_every_shape_like_field_is_checked_as_a_shape(shape):
    """One forged FailedOp of 200,000 dims took 3.6 s and made 19 MB of chart JSON for every
    viewer: FailedOp.input_shapes, OpNode.broadcast_shape, ForwardStep's shapes and
    BackwardEdge.summed_from were never bounded (only TensorInfo's layout was)."""
    for run in _shaped(shape):
        with pytest.raises(wire.WireError, match="no tensor can have"):
            through_wire(run)
    for run in _shaped((1,) * 64):             # torch's limit, and what the engine records
        assert through_wire(run) == run


# ---- F4: a storage is as large as a run could hold, and the picture does not grow with it -----
def test_a_storage_larger_than_a_run_could_hold_is_refused():
    for forged in (tensor(storage_size=2 ** 31 + 1),
                   tensor(storage_size=10, shape=(2, 3), stride=(3, 1), offset=5),   # reads 10
                   tensor(storage_size=10, shape=(11,))):
        with pytest.raises(wire.WireError, match="outside its storage"):
            through_wire(with_tensor(forged))
    for honest in (tensor(storage_size=2 ** 31), tensor(storage_size=10, shape=(2, 3),
                                                      stride=(3, 1), offset=4),
                   tensor(storage_size=0, shape=(0, 3), stride=(3, 1), offset=0)):
        assert through_wire(with_tensor(honest)).variables[0].tensor == honest


@pytest.mark.parametrize("shape, stride", [((1,), (1,)), ((3, 5), (2 ** 20, 3)),
                                           ((2 ** 20, 4), (1, 1))])    # overlapping: unfold
def test_the_memory_picture_does_not_grow_with_the_storage(shape, stride):
    """A forged storage_size of 2**30 made memory_figure allocate and walk 2**30 cells twice
    (np.zeros in _read): the squares' shares are counted without a storage-long array."""
    info = tensor(storage_size=2 ** 27, shape=shape, stride=stride, offset=7)
    run = through_wire(with_tensor(info))
    tracemalloc.start()
    try:
        figure = memory_figure(run, 0, focus=0)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 120e6, f"{peak / 1e6:.0f} MB for a storage of 2**27 cells"
    [row] = figure.data[0].z
    assert len(row) == 48 and any(v == v for v in row)     # some square is read (not NaN)


# ---- F1: failed ops are kept a few at a time, and drawn a few at a time ------------------------
LOOP = """import torch
a = torch.ones(2)
b = torch.ones(3)
c = a * 2
for i in range({n}):
    try:
        a + b
    except RuntimeError:
        pass
"""


def test_a_loop_of_caught_failures_is_recorded_as_one_failure_counted():
    """30,000 caught failures of `a + b` were 30,000 FailedOps: 30,003 red nodes (6.9 MB of
    DOT that `dot` gave up on after 10 s) and 30,000 Plotly figures on the Broadcasting tab."""
    from explorer.sandbox.execute import execute
    from explorer.views.broadcast import broadcast_failures, failure_figure, failures_not_drawn
    from explorer.views.graph import graph_picture
    run = through_wire(execute(LOOP.format(n=3000), 0))
    [failed] = run.failed_ops
    assert (failed.op, failed.line, failed.input_shapes, failed.count) == \
        ("add", 7, ((2,), (3,)), 3000)
    assert run.graph.more_failed == 0
    picture = graph_picture(run, show_values=True)
    [red] = [line for line in picture.dot.splitlines() if 'class="failed"' in line]
    assert "add ✗ ×3,000" in red and "line 7" in red and picture.nodes < 10
    [failure] = broadcast_failures(run)
    assert "failed like this 3,000 times" in \
        failure_figure(failure).layout.title.text.replace("<br>", " ")   # wrapped to fit a phone
    assert "同样出错 3,000 次" in failure_figure(failure, lang="zh-CN").layout.title.text
    assert failures_not_drawn(run, [failure]) == ""


def test_only_the_first_distinct_failures_are_kept_and_the_rest_counted():
    from explorer.model import KEPT_FAILURES
    from explorer.sandbox.execute import execute
    from explorer.views.broadcast import (
        MAX_FAILURE_FIGURES,
        broadcast_failures,
        failures_not_drawn,
    )
    from explorer.views.graph import graph_picture
    source = ("import torch\na = torch.ones(2)\nfor n in range(3, 40):\n    try:\n"
              "        a + torch.ones(n)\n    except RuntimeError:\n        pass\n")
    run = through_wire(execute(source, 0))
    assert [f.input_shapes[1] for f in run.failed_ops] == [(n,) for n in range(3, 11)]
    assert len(run.failed_ops) == KEPT_FAILURES and run.graph.more_failed == 37 - KEPT_FAILURES
    picture = graph_picture(run)
    assert sum('class="failed"' in line for line in picture.dot.splitlines()) == KEPT_FAILURES
    assert any("29 more ops failed" in note for note in picture.notes)
    failures = broadcast_failures(run)
    left = len(failures) - MAX_FAILURE_FIGURES + run.graph.more_failed
    assert failures_not_drawn(run, failures) == f"{left} more failed ops are not drawn."
    assert failures_not_drawn(run, failures, "zh-CN") == f"另有 {left} 个出错的运算没有画出。"


def test_a_forged_run_of_many_failures_is_refused_and_never_drawn_whole():
    from explorer.views.graph import graph_picture
    failed = FailedOp("add", ((2,), (3,)), "RuntimeError", MISMATCH, 1, (0, 0))
    for graph in (Graph({0: tensor()}, (), failed=(failed,) * 9),
                  Graph({0: tensor()}, (), failed=(dataclasses.replace(failed, count=0),)),
                  Graph({0: tensor()}, (), failed=(failed,), more_failed=-1)):
        with pytest.raises(wire.WireError, match="failed ops"):
            through_wire(Run("x", 0, graph=graph))
    # a Run that never crossed the wire (built here) still draws only the first few
    many = Run("x", 0, graph=Graph({0: tensor()}, (), failed=(failed,) * 30000))
    assert graph_picture(many).nodes <= 9


def test_a_graph_dot_cannot_draw_fails_at_once_after_the_first_time(monkeypatch):
    """`dot` timing out was not remembered: every rerun of every viewer paid 10 s again."""
    import subprocess

    import explorer.views.export as export
    calls = []

    def slow(*args, **kwargs):
        calls.append(args)
        raise subprocess.TimeoutExpired("dot", export.RENDER_SECONDS)
    monkeypatch.setattr(export.subprocess, "run", slow)
    dot = "digraph G { slow_graph_for_the_failure_cache; }"
    for _ in range(3):
        with pytest.raises(RuntimeError, match="took more than"):
            export.dot_to_svg(dot)
    assert len(calls) == 1


def test_a_huge_dot_is_never_sent_to_the_browser(monkeypatch):
    """When `dot` failed, the page sent the whole DOT (6.9 MB) to st.graphviz_chart."""
    import app_pages.graph_viewer as viewer
    shown = []

    class Page:
        def graphviz_chart(self, dot, **kwargs):
            shown.append(("chart", len(dot)))

        def warning(self, text):
            shown.append(("warning", text))

    def fails(dot):
        raise RuntimeError("Graphviz took more than 10 s to draw this graph")
    monkeypatch.setattr(viewer, "svg_of", fails)
    monkeypatch.setattr(viewer, "st", Page())
    small, huge = "digraph G { a -> b; }", "digraph G {" + " a -> b;" * 100_000 + "}"
    assert viewer.graph_viewer(small, key="k", labels={"too_big": "too big"}) is None
    assert viewer.graph_viewer(huge, key="k", labels={"too_big": "too big"}) is None
    assert shown == [("chart", len(small)), ("warning", "too big")]


# ---- F3: Module names and stacks are bounded, and paths are built once per stack --------------
NESTED = """import torch
import torch.nn as nn
class Box(nn.Module):
    def __init__(self, inner):
        super().__init__()
        if inner is not None:
            self.add_module("n" * {length}, inner)
    def forward(self, x):
        for child in self.children():
            return child(x)
        return x * 2
m = None
for i in range({depth}):
    m = Box(m)
y = m(torch.ones(1, requires_grad=True))
"""


def test_nested_modules_with_long_names_are_recorded_bounded():
    """150 nested calls whose add_module names were 50,000 characters long made module_paths
    build 559 M characters (3 GB of server memory) and offer them all in a multiselect."""
    from explorer.model import MAX_MODULE_DEPTH, MAX_MODULE_NAME
    from explorer.sandbox.execute import execute
    from explorer.views.graph import graph_picture, module_paths
    run = through_wire(execute(NESTED.format(length=5000, depth=40), 0))
    [op] = [op for op in run.graph.ops if op.op == "mul"]
    assert len(op.module) == MAX_MODULE_DEPTH and op.module[0].name == "m"
    assert op.module[1].name == "n" * (MAX_MODULE_NAME - 1) + "…"
    paths = module_paths(run)
    assert len(paths) == MAX_MODULE_DEPTH and sum(map(len, paths)) < 400_000
    assert graph_picture(run, collapse=True).nodes < 10


def test_a_forged_module_stack_is_refused():
    from explorer.model import ModuleCall
    op = OpNode(id=0, op="mul", grad_fn=None, node_id=None, inputs=(0,), outputs=(0,))
    for stack in (tuple(ModuleCall("m", "Box", k) for k in range(17)),
                  (ModuleCall("m" * 201, "Box", 0),), (ModuleCall("m", "B" * 201, 0),)):
        with pytest.raises(wire.WireError, match="Module calls"):
            through_wire(Run("x", 0, graph=Graph({0: tensor()}, (dataclasses.replace(
                op, module=stack),))))
    honest = tuple(ModuleCall("m" * 200, "Box", k) for k in range(16))
    run = Run("x", 0, graph=Graph({0: tensor()}, (dataclasses.replace(op, module=honest),)))
    assert through_wire(run) == run


def test_module_paths_are_built_once_per_distinct_stack(monkeypatch):
    """Paths of an op's stack are shared by every op with the same names: 1,000 ops in one
    stack of 16 calls build 16 paths, not 16,000."""
    import explorer.views.graph as graph
    from explorer.model import ModuleCall
    stack = tuple(ModuleCall(f"m{k}", "Box", k) for k in range(16))
    ops = tuple(OpNode(id=i, op="mul", grad_fn=None, node_id=None, inputs=(0,), outputs=(0,),
                       module=stack) for i in range(1000))
    run = Run("x", 0, graph=Graph({0: tensor()}, ops))
    graph._paths.cache_clear()
    paths = graph.module_paths(run)
    assert len(paths) == 16 and paths[-1] == ".".join(f"m{k}" for k in range(16))
    assert graph._paths.cache_info().misses == 1


def test_the_graph_tab_offers_only_the_first_module_paths():
    """The 'open Module boxes' multiselect offered every path (559 M characters of them)."""
    import pathlib

    from streamlit.testing.v1 import AppTest

    from explorer.views.graph import MAX_PATH_OPTIONS
    source = ("import torch\nimport torch.nn as nn\nclass Net(nn.Module):\n"
              "    def __init__(self):\n        super().__init__()\n"
              "        self.layers = nn.ModuleList(nn.Linear(1, 1) for _ in range(250))\n"
              "    def forward(self, x):\n        for layer in self.layers:\n"
              "            x = layer(x)\n        return x\nnet = Net()\n"
              "y = net(torch.ones(1, 1))\n")
    app = AppTest.from_file(str(pathlib.Path(__file__).parents[1] / "streamlit_app.py"),
                            default_timeout=90)
    app.query_params["code"] = source
    app.run()
    assert not app.exception
    [boxes] = [m for m in app.multiselect if m.key.endswith("_expanded")]
    assert len(boxes.options) == MAX_PATH_OPTIONS
    assert boxes.options[:2] == ["net", "net.layers.0"]


def test_a_meta_tensor_larger_than_any_real_storage_comes_back_and_is_drawn():
    """A meta tensor holds nothing, so its storage may be larger than a real run could hold:
    the wire's storage bound is the device's, and the memory picture draws its first cells."""
    from explorer import run_code
    from explorer.views.memory import memory_figure, tensor_named
    run = run_code("import torch\nw = torch.empty(60000, 60000, device='meta')\n")
    assert run.error is None, run.error
    w = tensor_named(run, "w")
    assert w.device == "meta" and w.storage_size == 60000 * 60000
    title = memory_figure(run, w.storage_id).layout.title.text
    assert "3,600,000,000" in title and "4,194,304" in title, title


def test_a_graph_scoped_by_a_picture_never_comes_over_the_wire():
    """Graph.context (the whole op list a scoped picture names from) is made on the server;
    a run process sending one is forging."""
    from explorer import run_code
    from explorer.views.graph import scoped
    run = run_code("import torch\nx = torch.ones(2, requires_grad=True)\n(x * 2).sum().backward()\n")
    picture = scoped(run, -1)
    assert picture.graph.context == run.graph.ops
    with pytest.raises(wire.WireError, match="scoped"):
        through_wire(picture)
