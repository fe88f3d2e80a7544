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
