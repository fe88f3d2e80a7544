"""Turn the engine's live events into the plain data of a Run.

The Recorder subscribes to engine.observe while learner code runs. It numbers tensors and
autograd nodes in order of first sight (so a Run is deterministic), remembers the Module call
stack and the learner's line for each op, and copies gradient values as backward produces
them. Tensor facts (shape, strides, grad, ...) are read once at the end of the run."""
from __future__ import annotations

import dataclasses
import functools
import math
import sys

import numpy as np

from engine import observe
from engine.autograd.graph import AccumulateGrad
from engine.ops import REGISTRY
from engine.tensor import Tensor

from .model import (
    FULL_VALUES,
    KEPT_FAILURES,
    MAX_MODULE_DEPTH,
    MAX_MODULE_NAME,
    BackwardCall,
    BackwardEdge,
    BackwardStep,
    FailedOp,
    ForwardStep,
    Graph,
    ModuleCall,
    OpInfo,
    OpNode,
    TensorInfo,
    Values,
    edge_inputs,
    fast_constructor,
)

SOURCE_NAME = "<learner code>"   # the filename learner code is compiled under
PREFIX_VALUES = 100


def learner_line() -> int | None:
    """The line of learner code currently executing (innermost frame that is theirs)."""
    frame = _learner_frame(sys._getframe(2))
    return frame.f_lineno if frame is not None else None


def learner_span() -> tuple[int | None, tuple[int, ...]]:
    """The line of learner code currently executing, and where in it the expression being
    evaluated stands (line, end line, column, end column), from the code's positions table:
    `x ** 2` inside `y = x ** 2 + 3 * x`. () when Python does not know."""
    frame = _learner_frame(sys._getframe(2))
    if frame is None:
        return None, ()
    position = _positions(frame.f_code)[frame.f_lasti // 2]
    return frame.f_lineno, position if None not in position else ()


def _learner_frame(frame):
    while frame is not None and frame.f_code.co_filename != SOURCE_NAME:
        frame = frame.f_back
    return frame


_POSITIONS: dict[int, tuple] = {}   # id(code) -> (code, its positions): hashing a code object
#                                     hashes all of it, on every op


def _positions(code) -> tuple:
    found = _POSITIONS.get(id(code))
    if found is None or found[0] is not code:
        found = _POSITIONS[id(code)] = (code, tuple(code.co_positions()))
    return found[1]


def summarize(t: Tensor | None, with_text: bool = False) -> Values | None:
    """Values of a tensor: complete up to FULL_VALUES elements, else a prefix and statistics;
    with_text adds PyTorch's printed form (costly, so only for the learner's variables).
    A meta tensor has no values: None, as for no tensor (its TensorInfo says it is meta)."""
    if t is None or t._meta is not None:
        return None
    arr = t._data
    complete = arr.size <= FULL_VALUES
    if not complete:
        data = tuple(arr.reshape(-1)[:PREFIX_VALUES].tolist())
    elif arr.ndim == 1:
        data = tuple(arr.tolist())
    else:
        data = _to_tuple(arr.tolist())
    text = repr(t.detach())[:4000] if with_text else ""
    return _new_values(shape=arr.shape, data=data, complete=complete, text=text,
                       **_stats(arr, data))


def _stats(arr: np.ndarray, data: tuple) -> dict:
    """min, max, mean and norm of the finite values; plain Python for small arrays, where
    NumPy's per-call overhead would dominate (backward summarizes every edge's gradient)."""
    if not arr.size or arr.dtype.kind not in "fiub":
        return {}
    if arr.size <= 64:
        flat = data if arr.ndim == 1 else arr.reshape(-1).tolist()
        total = sum(flat)
        if not math.isfinite(total):   # some value is inf or nan (or the sum overflowed)
            flat = [v for v in flat if math.isfinite(v)]
            if not flat:
                return {}
            total = math.fsum(flat)
        return {"min": float(min(flat)), "max": float(max(flat)), "mean": total / len(flat),
                "norm": math.hypot(*flat)}
    as_float = arr.astype(np.float64)
    finite = as_float[np.isfinite(as_float)]
    if not finite.size:
        return {}
    return {"min": float(finite.min()), "max": float(finite.max()),
            "mean": float(finite.mean()), "norm": float(np.sqrt((finite ** 2).sum()))}


@functools.lru_cache(maxsize=None)
def op_info(name: str) -> OpInfo | None:
    """The registry's entry for op `name` as plain data (None for an op it does not know)."""
    opdef = REGISTRY.get(name)
    if opdef is None:
        return None
    return OpInfo(tuple(opdef.inputs), tuple(opdef.formulas.items()),
                  tuple(getattr(opdef, "non_differentiable", ())))


def ops_info(ops) -> dict:
    """op name -> OpInfo for every op in `ops` the registry knows."""
    infos = {name: op_info(name) for name in {op.op for op in ops}}
    return {name: info for name, info in infos.items() if info is not None}


@functools.lru_cache(maxsize=4096)
def _layout(shape: tuple, stride: tuple) -> tuple:
    """(contiguous, channels_last, the stride of view(-1) or None) by the engine's rules, once
    per shape and strides: a big graph has thousands of tensors but few layouts."""
    from engine.memory_format import channels_last, is_contiguous
    from engine.ops.views import compute_stride
    flat = compute_stride(shape, stride, (math.prod(shape),))
    return (is_contiguous(shape, stride),
            len(shape) == 4 and is_contiguous(shape, stride, channels_last),
            flat[0] if flat is not None else None)


def _storage_offset(t: Tensor) -> int:
    """t.storage_offset(), skipping the pointer arithmetic (microseconds a tensor) when the
    tensor's array is the one its storage was cut from, which starts at element 0."""
    return 0 if t._storage.array.base is t._data else Tensor.storage_offset(t)


def _kept(node) -> tuple:
    """The names of what a node saved, leaving out tensors no gradient it will compute reads
    (PyTorch does not save those: MulBackward0 of w * x keeps only w when w needs no grad)."""
    saved = getattr(node, "_saved", {})
    return tuple(k for k, v in saved.items() if getattr(v, "needed", True))


def _variable_name(module) -> str:
    """The learner's variable bound to a top-level module (its class name if none is)."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename != SOURCE_NAME:
        frame = frame.f_back
    while frame is not None and frame.f_code.co_filename == SOURCE_NAME:
        for scope in (frame.f_locals, frame.f_globals):
            for name, value in scope.items():
                if value is module and not name.startswith("_"):
                    return name
        frame = frame.f_back
    return type(module).__name__


def _child_name(parent, module) -> str:
    """The dotted attribute path from a calling module to the one it calls."""
    for name, child in parent.named_modules():
        if child is module and name:
            return name
    return type(module).__name__


def _to_tuple(x):
    return tuple(_to_tuple(v) for v in x) if isinstance(x, list) else x


_new_values, _new_op, _new_forward_step, _new_edge, _new_step, _new_tensor = map(
    fast_constructor, (Values, OpNode, ForwardStep, BackwardEdge, BackwardStep, TensorInfo))


class Recorder:
    """An engine observer collecting ops, views and backward steps, up to a node budget."""

    def __init__(self, node_budget: int = 20000) -> None:
        self.node_budget = node_budget
        self.truncated = False
        self._tensor_ids: dict[int, int] = {}
        self._tensors: list[Tensor] = []          # keeps them alive, so ids stay unique
        self._node_ids: dict[int, int] = {}
        self._nodes: list = []
        self._storages: dict[int, int] = {}
        self._storage_refs: list = []
        self.ops: list[OpNode] = []
        self.forward: list[ForwardStep] = []
        self.backward: list[BackwardCall] = []
        self._steps: list[BackwardStep] | None = None
        self._call: observe.BackwardCallEvent | None = None
        self._call_line: int | None = None
        self._sum_to: dict[tuple, tuple] = {}
        self._grads: dict[int, tuple] = {}        # id -> (gradient, its version, Values)
        self._module_stack: list = []
        self._live_modules: list = []             # the Module objects behind _module_stack
        self._module_names: dict[tuple, tuple] = {}
        self._calls = 0
        self._op_of_node: dict[int, OpNode] = {}
        self.accumulate: dict[int, int] = {}
        self.failed: list[FailedOp] = []
        self._failed_counts: dict[tuple, int] = {}   # (op, line, shapes) -> times it failed
        self.more_failed = 0                          # failures unlike those kept

    # ---- ids ------------------------------------------------------------------------------
    def tensor_id(self, t: Tensor | None) -> int | None:
        if t is None:
            return None
        key = id(t)
        if key not in self._tensor_ids:
            self._tensor_ids[key] = len(self._tensors)
            self._tensors.append(t)
        return self._tensor_ids[key]

    def node_id(self, node) -> int | None:
        if node is None:
            return None
        key = id(node)
        if key not in self._node_ids:
            self._node_ids[key] = len(self._nodes)
            self._nodes.append(node)
        return self._node_ids[key]

    def storage_id(self, t: Tensor) -> int:
        storage = Tensor.untyped_storage(t)
        key = id(storage)
        if key not in self._storages:
            self._storages[key] = len(self._storages)
            self._storage_refs.append(storage)
        return self._storages[key]

    # ---- events ---------------------------------------------------------------------------
    def __call__(self, event) -> None:
        if isinstance(event, observe.ForwardEvent):
            self._on_forward(event)
        elif isinstance(event, observe.BackwardEvent):
            self._on_backward(event)
        elif isinstance(event, observe.SumToEvent):
            self._sum_to[(self.node_id(event.node), event.input_nr)] = (
                tuple(event.grad_before.shape), summarize(event.grad_before))
        elif isinstance(event, observe.BackwardCallEvent):
            self._on_backward_call(event)
        elif isinstance(event, observe.OpFailedEvent):
            self._on_failed(event)
        elif isinstance(event, observe.ModuleEvent):
            if event.phase == "enter":
                self._enter_module(event.module)
            elif self._live_modules:
                self._live_modules.pop()
                del self._module_stack[len(self._live_modules):]   # it holds the outermost

    def _on_failed(self, e: observe.OpFailedEvent) -> None:
        """Keep the first KEPT_FAILURES distinct failed ops. One failing again alike (same op,
        line and shapes: a loop of caught errors) is counted on the one kept; any other is
        only counted (30,000 caught failures drew 30,000 red nodes and figures)."""
        shapes = tuple(tuple(t.shape) if t is not None else None for t in e.inputs)
        key = (e.op, learner_line(), shapes)
        if key in self._failed_counts:
            self._failed_counts[key] += 1
        elif len(self.failed) >= KEPT_FAILURES:
            self.more_failed += 1
        else:
            self._failed_counts[key] = 1
            message = str(e.error).strip().splitlines()
            self.failed.append(FailedOp(
                e.op, shapes, type(e.error).__name__, message[0] if message else "", key[1],
                tuple(self.tensor_id(t) for t in e.inputs)))

    def _on_forward(self, e: observe.ForwardEvent) -> None:
        if self._steps is not None and e.grad_fn is None:
            return   # a backward formula's own arithmetic, not part of the learner's graph
        if len(self.ops) >= self.node_budget:
            self.truncated = True
            return
        inputs = tuple(self.tensor_id(t) for t in e.inputs)
        if e.inplace:   # the modified tensor is a new node of the graph: its next version
            old_base = self._new_version(e.outputs[0])
        outputs = tuple(self.tensor_id(t) for t in e.outputs)
        node = e.grad_fn
        self._add_op(e.op, node, inputs, outputs, e.inplace, e.view_of,
                     tuple(e.broadcast_shape) if e.broadcast_shape else None,
                     tuple(t._vc[0] for t in e.outputs))
        self.forward.append(_new_forward_step(
            op=self.ops[-1].id,
            input_shapes=tuple(t._data.shape if t is not None else None for t in e.inputs),
            output_shapes=tuple(t._data.shape for t in e.outputs),
            broadcast_shape=self.ops[-1].broadcast_shape,
            view_of=self.tensor_id(e.view_of) if e.view_of is not None else None))
        if e.inplace and old_base is not None:
            self._record_copy_slices(e.outputs[0], old_base, inputs[1:])

    def _add_op(self, name, node, inputs, outputs, inplace=False, view_of=None,
                broadcast_shape=None, versions=()) -> None:
        line, span = learner_span()
        op = _new_op(
            id=len(self.ops), op=name, grad_fn=type(node).__name__ if node is not None else None,
            node_id=self.node_id(node), inputs=inputs, outputs=outputs,
            saved=_kept(node) if node is not None else (),
            inplace=inplace, is_view=view_of is not None, broadcast_shape=broadcast_shape,
            module=tuple(self._module_stack), line=line, versions=versions, span=span)
        self.ops.append(op)
        if op.node_id is not None:
            self._op_of_node[op.node_id] = op
            for fn, _ in node.next_functions:   # a leaf's AccumulateGrad exists from its first
                if isinstance(fn, AccumulateGrad):   # use, as in torch's next_functions
                    self.accumulate.setdefault(self.node_id(fn), self.tensor_id(fn.variable))

    def _enter_module(self, module) -> None:
        """Push a ModuleCall named as the learner would write it: the variable holding the
        outermost module, then attribute names (model, 0) down to this one."""
        parent = self._live_modules[-1] if self._live_modules else None
        key = (id(parent), id(module))
        if key not in self._module_names:   # the objects are kept, so the ids stay theirs
            name = _child_name(parent, module) if parent is not None else _variable_name(module)
            if len(name) > MAX_MODULE_NAME:      # add_module takes any string
                name = name[:MAX_MODULE_NAME - 1] + "…"
            self._module_names[key] = (name, parent, module)
        if len(self._module_stack) < MAX_MODULE_DEPTH:     # ops deeper keep the outer calls
            span = learner_span()[1] if not self._module_stack else ()
            self._module_stack.append(ModuleCall(
                self._module_names[key][0], type(module).__name__[:MAX_MODULE_NAME],
                self._calls, span))
        self._live_modules.append(module)
        self._calls += 1

    def _new_version(self, t: Tensor) -> int | None:
        """Give an in-place target (and the base of a view) a fresh id; return the base's old
        id when a view was modified, since its base then changes too."""
        self._forget(t)
        base = t._base
        if base is None or id(base) not in self._tensor_ids:
            return None
        old = self._tensor_ids[id(base)]
        self._forget(base)
        return old

    def _forget(self, t: Tensor) -> None:
        self._tensor_ids.pop(id(t), None)

    def _record_copy_slices(self, view: Tensor, old_base: int, others: tuple) -> None:
        """Writing into a view rewrites its base: PyTorch's CopySlices node."""
        base = view._base
        fn = base.grad_fn
        if fn is None or type(fn).__name__ != "CopySlices":
            self.tensor_id(base)
            return
        self._add_op("copy_slices", fn, (old_base,) + others, (self.tensor_id(base),),
                     inplace=True)

    def _on_backward_call(self, e: observe.BackwardCallEvent) -> None:
        if e.phase == "begin":
            self._steps, self._call, self._sum_to, self._grads = [], e, {}, {}
            self._call_line = learner_line()
            return
        self.backward.append(BackwardCall(
            tuple(self.tensor_id(t) for t in e.roots), e.retain_graph, tuple(self._steps or ()),
            self._call_line))
        self._steps, self._grads = None, {}   # let the gradients go

    def _on_backward(self, e: observe.BackwardEvent) -> None:
        if self._steps is None or len(self._steps) >= self.node_budget:   # one budget for
            return                                     # a backward call's steps and the ops
        node = e.node
        nid = self.node_id(node)
        leaf = self.tensor_id(node.variable) if isinstance(node, AccumulateGrad) else None
        if leaf is not None:
            self.accumulate[nid] = leaf
        inputs = self._inputs_of(nid)
        edges = []
        for k, ((fn, _), g) in enumerate(zip(node.next_functions, e.grad_inputs)):
            summed_from, unsummed = self._sum_to.get((nid, k), (None, None))
            edges.append(_new_edge(
                to_node=self.node_id(fn) if fn is not None else None,
                to_tensor=inputs[k] if k < len(inputs) else None,
                grad=self._grad_values(g), summed_from=summed_from, unsummed=unsummed))
        retain = self._call.retain_graph if self._call is not None else False
        self._steps.append(_new_step(
            step=len(self._steps), node_id=nid, name=type(node).__name__,
            grad_in=tuple(self._grad_values(g) for g in e.grad_outputs), grad_out=tuple(edges),
            leaf=leaf, freed=not retain and bool(node.saved_names()) and leaf is None))

    def _grad_values(self, g: Tensor | None) -> Values | None:
        """A gradient's Values, computed once per tensor and version: what one node sends
        along an edge is usually the very tensor the next node receives (so an entry is
        dropped once used, keeping only the gradients in flight)."""
        if g is None:
            return None
        seen = self._grads.pop(id(g), None)
        if seen is not None and seen[0] is g and seen[1] == g._version:
            return seen[2]
        values = summarize(g)
        self._grads[id(g)] = (g, g._version, values)
        return values

    def _inputs_of(self, nid: int) -> tuple:
        """The tensors behind a node's next_functions edges, in edge order."""
        op = self._op_of_node.get(nid)
        return edge_inputs(op, op_info(op.op)) if op is not None else ()

    # ---- the final picture ----------------------------------------------------------------
    def tensor_info(self, t: Tensor, tid: int, with_text: bool = False) -> TensorInfo:
        # the engine's own accessors, never a learner subclass's overrides of them
        fn = Tensor.grad_fn.fget(t)
        base = t._base
        shape, stride = t._data.shape, Tensor.stride(t)
        contiguous, channels_last, flat_stride = _layout(shape, stride)
        return _new_tensor(
            id=tid, shape=shape, dtype=str(t.dtype), stride=stride,
            storage_offset=_storage_offset(t), storage_id=self.storage_id(t),
            storage_size=Tensor.untyped_storage(t).nbytes() // max(t._data.itemsize, 1),
            is_contiguous=contiguous, is_channels_last=channels_last, flat_stride=flat_stride,
            requires_grad=Tensor.requires_grad.fget(t), is_leaf=fn is None,
            grad_fn=type(fn).__name__ if fn is not None else None,
            base_id=self.tensor_id(base) if base is not None and id(base) in self._tensor_ids
            else None,
            values=summarize(t, with_text),
            grad=summarize(t._grad, with_text) if t._grad is not None else None,
            version=int(t._vc[0]), wrapped_number=t._wrapped,
            device="cpu" if t._meta is None else "meta")

    def graph(self) -> Graph:
        infos = {}
        i = 0
        while i < len(self._tensors):   # tensor_info may register bases seen late
            infos[i] = self.tensor_info(self._tensors[i], i)
            i += 1
        versions = tuple((op.inputs[0], op.outputs[0]) for op in self.ops
                         if op.inplace and op.inputs and op.inputs[0] is not None and op.outputs)
        counts = list(self._failed_counts.values())     # in the order they were kept
        failed = tuple(dataclasses.replace(f, count=n) if n > 1 else f
                       for f, n in zip(self.failed, counts))
        return Graph(infos, tuple(self.ops), tuple(sorted(self.accumulate.items())),
                     self.truncated, failed, self.more_failed, versions)
