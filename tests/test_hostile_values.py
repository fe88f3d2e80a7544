"""Forged tensor values (the fourteenth outside attack, F1-F3): a Values holds what a recording
keeps, every number of a tensor of at most FULL_VALUES elements nested in its shape, or a flat
prefix of at most that many, and a wrapped Python number holds one. Anything else is refused
where the server decodes it, so no tab prints millions of numbers on each rerun or reshapes
numbers that do not fit; and the speller cuts what it spells whatever Run it is given."""
from __future__ import annotations

import dataclasses

import pytest
from test_app import app_with
from test_hostile_pictures import through_wire
from test_wire import pool, send  # noqa: F401 - the pool of run processes that send anything

import explorer
from explorer import wire
from explorer.model import (
    FULL_VALUES,
    BackwardCall,
    BackwardEdge,
    BackwardStep,
    Graph,
    OpNode,
    Run,
    TensorInfo,
    Values,
    VariableInfo,
)
from explorer.sandbox.execute import execute
from explorer.sandbox.limits import Limits
from explorer.views.graph import graph_picture
from explorer.views.names import NAME_CHARS, expressions

REFUSED = "values no tensor can have"


def tensor(tid: int = 0, shape=(2, 3), values: Values | None = None, grad: Values | None = None,
           wrapped: bool = False) -> TensorInfo:
    stride = (shape[1], 1) if len(shape) == 2 else (1,) * len(shape)
    return TensorInfo(id=tid, shape=shape, dtype="torch.float32", stride=stride,
                      storage_offset=0, storage_id=tid, storage_size=6, is_contiguous=True,
                      is_channels_last=False, requires_grad=True, is_leaf=True, grad_fn=None,
                      base_id=None, values=values, grad=grad, wrapped_number=wrapped)


def everywhere(values: Values) -> list[Run]:
    """A Run per field of the schema that holds a tensor's values, that field set to `values`
    (each of shape (2, 3))."""
    def step(**fields) -> Run:
        edge = BackwardEdge(None, 0, fields.get("grad"), unsummed=fields.get("unsummed"))
        return Run("x", 0, backward=(BackwardCall((0,), False, (BackwardStep(
            0, 0, "MulBackward0", fields.get("grad_in", ()), (edge,)),)),))
    return [
        Run("x", 0, graph=Graph({0: tensor(values=values)}, ())),
        Run("x", 0, graph=Graph({0: tensor(grad=values)}, ())),
        Run("x", 0, variables=(VariableInfo("x", "tensor", tensor(values=values)),)),
        step(grad_in=(values,)),
        step(grad=values),
        step(unsummed=values),
    ]


PLACES = ["tensor's values", "tensor's grad", "variable's values", "gradient arriving",
          "gradient sent", "gradient before its sum"]
FITTING = Values((2, 3), ((1.0, 2.0, 3.0), (4.0, 5.0, 6.0)), True)


@pytest.mark.parametrize("place", range(len(PLACES)), ids=PLACES)
@pytest.mark.parametrize("data", [
    (0,) * 3_000,
    (1.0, 2.0, 3.0),
    (1.0,) * 6,
    ((1.0, 2.0), (3.0,)),
    ((1.0, 2.0, 3.0), (4.0, 5.0, 6.0), (7.0, 8.0, 9.0)),
    ((1.0, 2.0, 3.0), ((4.0,), (5.0,), (6.0,))),
    1.0,
], ids=["3,000 flat", "3 flat", "6 flat", "ragged", "a row too many", "nested too deep",
        "a number"])
def test_complete_values_that_do_not_fill_their_shape_are_refused(place, data):
    """F1 and F3: a forged shape (1,) holding 3.9 M numbers made the Graph and Steps tabs print
    every one on each rerun (10-15 s of CPU, a DOT of 11.7 MB), and numbers that do not fit
    their shape raised a traceback where the Broadcasting tab and a node's details lay them
    out by it."""
    assert through_wire(everywhere(FITTING)[place]) == everywhere(FITTING)[place]
    with pytest.raises(wire.WireError, match=REFUSED):
        through_wire(everywhere(Values((2, 3), data, True))[place])


def test_a_complete_tensor_has_at_most_full_values_elements():
    """The recorder keeps every value up to FULL_VALUES elements, a prefix beyond that."""
    run = execute(f"import torch\nx = torch.arange({FULL_VALUES}.)\n"
                  f"y = torch.arange({FULL_VALUES + 1}.)\n")
    sent = through_wire(run)
    x, y = (v.tensor.values for v in sent.variables)
    assert x.complete and len(x.data) == FULL_VALUES and not y.complete
    assert sent == run
    n = FULL_VALUES + 1
    with pytest.raises(wire.WireError, match=REFUSED):
        through_wire(dataclasses.replace(run, variables=(VariableInfo("x", "tensor", dataclasses.replace(
            run.variables[1].tensor, values=Values((n,), tuple(range(n)), True))),)))


@pytest.mark.parametrize("values", [
    Values((10 ** 6,), (0.0,) * (FULL_VALUES + 1), False),
    Values((5,), (0.0,) * 6, False),
    Values((2000,), ((0.0,),), False),
    Values((2000,), 0.0, False),
], ids=["longer than any prefix", "longer than the tensor", "nested", "a number"])
def test_a_prefix_is_flat_and_no_longer_than_a_recording_keeps(values):
    """A tensor's values cut to a prefix (by the recorder, or when a run is thinned to fit the
    wire) are its first numbers, flat, at most FULL_VALUES of them."""
    shape = values.shape
    honest = Values(shape, (0.0,) * min(8, shape[0] - 1), False, norm=0.0)
    info = dataclasses.replace(tensor(shape=shape), stride=(1,), storage_size=shape[0])
    run = Run("x", 0, graph=Graph({0: dataclasses.replace(info, values=honest)}, ()))
    assert through_wire(run) == run
    with pytest.raises(wire.WireError, match=REFUSED):
        through_wire(Run("x", 0, graph=Graph({0: dataclasses.replace(info, values=values)}, ())))


def test_a_tensors_values_are_of_its_own_shape():
    """The pictures lay a tensor's values out by the tensor's shape (the memory order strip
    looks each element up by its index in it)."""
    assert through_wire(everywhere(FITTING)[0]) == everywhere(FITTING)[0]
    transposed = Values((3, 2), ((1.0, 2.0), (3.0, 4.0), (5.0, 6.0)), True)
    with pytest.raises(wire.WireError, match=REFUSED):
        through_wire(Run("x", 0, graph=Graph({0: tensor(values=transposed)}, ())))


def wrapped_number(values: Values, shape=()) -> Run:
    """F2's forgery: K temporaries, each `W * W` of one wrapped number W."""
    x = tensor(0, (1,))
    tensors = {0: x, 1: dataclasses.replace(tensor(1, shape, values, wrapped=True),
                                            stride=(1,) * len(shape), requires_grad=False)}
    ops = []
    for k in range(50):
        tensors[2 + k] = dataclasses.replace(tensor(2 + k, (1,)), is_leaf=False,
                                             grad_fn="MulBackward0")
        ops.append(OpNode(k, "mul", "MulBackward0", k, (1, 1), (2 + k,)))
    return Run("x", 0, variables=(VariableInfo("x", "tensor", x),),
               graph=Graph(tensors, tuple(ops)))


@pytest.mark.parametrize("values, shape", [
    (Values((), (0,) * 20_000, False), ()),
    (Values((), (3.0,), False), ()),
    (Values((3,), (3.0, 3.0, 3.0), True), (3,)),
], ids=["20,000 numbers", "one number as a prefix", "three numbers"])
def test_a_wrapped_number_holds_one_value(values, shape):
    """A wrapped Python number (the 3 in `x * 3`) is 0-dim: 400,000 numbers forged in one,
    spelled in the label of each of 140 temporaries, made a DOT of 336 MB (1.3 GB at peak)."""
    run = execute("import torch\nx = torch.ones(2, requires_grad=True)\ny = x * 3\n")
    [three] = [t for t in through_wire(run).graph.tensors.values() if t.wrapped_number]
    assert three.shape == () and three.values.data == 3
    with pytest.raises(wire.WireError, match=REFUSED):
        through_wire(wrapped_number(values, shape))


def test_the_speller_cuts_a_wrapped_number_whatever_it_holds():
    """Should a check on the wire be missed, each label still holds at most a name's length of
    the number, whatever the Run says it is (the Broadcasting tab spells with it too)."""
    run = wrapped_number(Values((), tuple(range(20_000)), False))
    spelled = expressions(run, {}, run.graph.tensors)
    assert len(spelled) == 50 and max(map(len, spelled.values())) <= 2 * NAME_CHARS + 3
    assert len(graph_picture(run).dot) < 50 * 1_000


def test_a_long_name_is_cut_in_the_labels_of_temporaries_made_from_it():
    """A temporary's label spells the names it was made from: each is cut as the named
    tensor's own label cuts it."""
    name = "v" * 5000
    run = through_wire(execute(f"import torch\n{name} = torch.ones(2)\n"
                               f"y = ({name} * 2).exp()\n", 0))
    dot = graph_picture(run).dot
    assert "v" * (NAME_CHARS - 1) + "…" in dot and "v" * NAME_CHARS not in dot


# ---- the pages, with a real run process sending the forgery ---------------------------------
def forged_values(shape, data) -> Run:
    """F1 and F3's share link: `a` of `shape` holding `data`, added to a `b` it broadcasts."""
    a = dataclasses.replace(tensor(0, shape, Values(shape, data, True)),
                            stride=(shape[-1], 1)[-len(shape):])
    b = dataclasses.replace(tensor(1, (3,), Values((3,), (1.0, 2.0, 3.0), True)), stride=(1,),
                            storage_size=3)
    c = dataclasses.replace(tensor(2, (2, 3)), is_leaf=False, grad_fn="AddBackward0")
    return Run("a", 0, variables=(VariableInfo("a", "tensor", a), VariableInfo("b", "tensor", b),
                                  VariableInfo("c", "tensor", c)),
               graph=Graph({0: a, 1: b, 2: c}, (OpNode(0, "add", "AddBackward0", 0, (0, 1), (2,),
                                                       broadcast_shape=(2, 3)),)),
               backward=(BackwardCall((2,), False, (BackwardStep(
                   0, 0, "AddBackward0", (Values(shape, data, True),), ()),)),))


@pytest.mark.parametrize("view, run", [
    ("graph", forged_values((1,), (0,) * 20_000)),
    ("steps", forged_values((1,), (0,) * 20_000)),
    ("broadcast", forged_values((2, 3), (1.0, 2.0, 3.0))),
    ("graph", forged_values((2, 3), (1.0, 2.0, 3.0))),
], ids=["20,000 numbers in a shape of 1, Graph tab", "the same, Steps tab",
        "3 numbers in a shape of 6, Broadcasting tab", "the same, its node's details"])
def test_a_share_link_whose_run_forges_values_ends_in_a_plain_message(pool, monkeypatch, view,
                                                                        run):
    """The page says the run sent back something that is not a result; before, it drew 20,000
    numbers into a node label or a table cell each rerun, or showed a traceback."""
    call = pool.call
    forged = send(f"bytes.fromhex('{wire.encode(run).hex()}')")
    monkeypatch.setattr(pool, "call", lambda task, source, seed=0, limits=None, **options:
                        call("native", forged, seed, Limits(wall_seconds=20)))
    monkeypatch.setattr(explorer, "default_pool", lambda: pool)
    app = app_with(code=f"a = 1  # {view}, {len(run.backward[0].steps[0].grad_in[0].data)}",
                   view=view)
    app.session_state["playground_node"] = "t0"       # a click on `a` in the graph
    app.run()
    assert not app.exception
    shown = " ".join(str(e.value) for e in (*app.markdown, *app.error, *app.caption))
    assert "not a result" in shown


def test_an_honest_tensor_of_torchs_most_dims_arrives():
    """torch allows 64 dims, and its values nest as deep: the wire refused 33 and more as "not a
    result"."""
    run = explorer.run_code("import torch\nx = torch.ones([1] * 64, requires_grad=True)\n"
                            "(x * 2).sum().backward()\n")
    assert run.error is None
    assert run.variables[0].tensor.values.shape == (1,) * 64
