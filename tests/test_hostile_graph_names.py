"""Many names, many versions and many broadcasts must not make the server draw without bound
(the thirteenth outside attack): a share link runs its code on open for every visitor, so what
one draw costs is bounded by the picture, not by the run. The graph draws at most its node
budget, tensors and AccumulateGrad nodes included; a tensor's names are listed up to a few;
the Broadcasting tab lists a few ops and counts the rest. Speed is measured in
bench/hostile_runs.py; these tests hold the bounds."""
from __future__ import annotations

import pathlib
import re
import tracemalloc

import pytest

from explorer import wire
from explorer.model import BackwardCall, Graph, OpNode, Run, TensorInfo, VariableInfo
from explorer.sandbox.execute import execute
from explorer.views.graph import BUDGET, graph_picture
from explorer.views.names import NAME_CHARS, SHOWN_NAMES, focus_name, variable_names

NAMES = [f"n{k}" for k in range(50)]
# honest code: one tensor written in place in a loop, then bound to many names
VERSIONS = "import torch\nx = torch.zeros(1)\nfor _ in range({n}):\n    x.add_(1)\n{names} = x\n"


def through_wire(run: Run) -> Run:
    """What the server decodes when a run process sends `run` (any run process may forge)."""
    return wire.decode(wire.encode(run)[wire.HEADER.size:], Run)


def info(tid: int, leaf: bool = True) -> TensorInfo:
    return TensorInfo(tid, (1,), "torch.float32", (1,), 0, tid, 1, True, False, True, leaf,
                      None if leaf else "MulBackward0", None)


def labels(dot: str) -> list[str]:
    """The bold first row of each tensor node's label: its names."""
    return re.findall(r"^  t\d+ \[.*?label=<<B>(.*?)</B>", dot, flags=re.M)


@pytest.fixture(scope="module")
def versions() -> Run:
    return through_wire(execute(VERSIONS.format(n=600, names=" = ".join(NAMES)), 0))


# ---- F1 and F3: names of tensors written in place -------------------------------------------
def test_earlier_versions_of_a_named_tensor_count_against_the_node_budget(versions):
    """600 versions of a tensor under no_grad, each named: every op recorded no graph, so the
    budget's steps left nothing to cut and all 601 versions were drawn (19,001 took `dot` to
    its 10 s timeout); the ×600 box is drawn with the latest versions, and a note says so."""
    picture = graph_picture(versions)
    assert picture.nodes <= BUDGET
    assert "×600" in picture.dot
    assert any("more nodes are not drawn" in note for note in picture.notes)
    assert len(picture.dot) < 100_000


def test_a_tensor_with_many_names_lists_the_first_few_and_counts_the_rest(versions):
    """Each label joined all of a tensor's names: 4,000 names on 12,000 versions made 201 MB of
    DOT."""
    shown = labels(graph_picture(versions).dot)
    more = len(NAMES) + 1 - SHOWN_NAMES          # x, then the 50 names bound after the loop
    assert shown and set(shown) == {f"x, n0, n1 and {more} more"}
    assert set(labels(graph_picture(versions, lang="zh-CN").dot)) == \
        {f"x, n0, n1 等另外 {more} 个"}


def test_a_long_name_is_cut_in_the_graph():
    run = through_wire(execute("import torch\n" + "v" * 5000 + " = torch.ones(2) * 3\n", 0))
    [label] = labels(graph_picture(run).dot)
    assert label == "v" * (NAME_CHARS - 1) + "…"


def test_names_given_to_earlier_versions_are_not_copied_per_version():
    """A forged run of 50,000 variables on one tensor and 60,000 versions of it: every version
    got its own copy of the 50,000 names (focus_name() ran out of 4 GB)."""
    names, versions = 2_000, 5_000
    variables = tuple(VariableInfo(f"v{k}", "tensor", info(0)) for k in range(names))
    run = Run("x", 0, variables=variables,
              graph=Graph({0: info(0)}, (), versions=tuple((k, 0) for k in range(1, versions))),
              backward=(BackwardCall((0,), False, ()),))
    tracemalloc.start()
    try:
        found = variable_names(run)
        assert focus_name(run) == "v0"
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(found) == versions and len(found[versions - 1]) == names
    assert peak < 5_000_000          # the copies took 2,000 * 5,000 items: 80 MB


# ---- F3: AccumulateGrad nodes --------------------------------------------------------------
def forged_accumulate(n: int) -> Run:
    tensors = {0: info(0), 1: info(1, leaf=False)}
    ops = (OpNode(0, "mul", "MulBackward0", 0, (0,), (1,)),)
    return Run("x", 0, variables=(VariableInfo("w", "tensor", tensors[0]),
                                  VariableInfo("y", "tensor", tensors[1])),
               graph=Graph(tensors, ops, accumulate=tuple((k + 1, 0) for k in range(n))))


def test_a_forged_run_of_more_accumulate_grad_nodes_than_ops_and_tensors_is_refused():
    """600,000 AccumulateGrad entries for one leaf drew a node each (74 MB of DOT)."""
    with pytest.raises(wire.WireError, match="AccumulateGrad"):
        through_wire(forged_accumulate(10))
    assert through_wire(forged_accumulate(2)).graph.accumulate == ((1, 0), (2, 0))


def test_accumulate_grad_nodes_count_against_the_node_budget():
    picture = graph_picture(forged_accumulate(5_000))    # a Run that never crossed the wire
    assert picture.nodes <= BUDGET and picture.dot.count("AccumulateGrad") <= BUDGET
    assert any("more nodes are not drawn" in note for note in picture.notes)


# ---- F4: the Broadcasting tab --------------------------------------------------------------
BROADCASTS = """import torch
{name} = torch.ones(1, requires_grad=True)
total = 0
for i in range(1, 41):
    total = total + ({name} + torch.zeros(i % 10 + 1, i // 10 + 1)).sum()
total.backward()
"""


def test_the_broadcasting_tab_lists_a_few_ops_and_counts_the_rest():
    """One caption per distinct broadcast op (and per gradient summed back), each repeating
    the learner's name: a name of 20,000 characters and 5,000 shapes wrote 100 MB of captions
    per draw."""
    from streamlit.testing.v1 import AppTest

    from app_pages.pictures import MAX_BROADCASTS
    app = AppTest.from_file(str(pathlib.Path(__file__).parents[1] / "streamlit_app.py"),
                            default_timeout=90)
    app.query_params["code"] = BROADCASTS.format(name="w" * 5000)
    app.query_params["view"] = "broadcast"
    app.run()
    assert not app.exception
    captions = [c.value for c in app.caption]
    steps = [c for c in captions if c.startswith("line 5:")]
    sums = [c for c in captions if "is summed from" in c]
    assert len(steps) == len(sums) == MAX_BROADCASTS
    left = 40 - MAX_BROADCASTS
    assert f"{left} more broadcasting ops (other lines or shapes) are not listed." in captions
    assert f"{left} more gradients summed back are not listed." in captions
    assert max(map(len, steps + sums)) < 20 * NAME_CHARS
    assert "w" * NAME_CHARS not in "".join(captions)


@pytest.mark.parametrize("lang, more", [("en", "and 2 more"), ("zh-CN", "等另外 2 个")])
def test_a_leaf_with_many_names_is_counted_in_the_pages_language_in_steps_and_chain(lang, more):
    from explorer.views.chain import chain_text, grad_fn_chain
    from explorer.views.steps import backward_steps
    run = execute("import torch\nw = a = b = c = d = torch.ones(2, requires_grad=True)\n"
                  "y = (w * 2).sum()\ny.backward()\n")
    y = next(v.tensor.id for v in run.variables if v.name == "y")
    assert more in chain_text(grad_fn_chain(run, y, lang), lang)
    assert [s.leaf for s in backward_steps(run, 0, lang) if s.leaf] == [f"w, a, b {more}"]
