"""What one node of the graph picture holds, for the panel a click on it opens: a tensor's value
and .grad, an op's formula, the tensors it saved and the gradient that reached it, a Module
box's path, type and parameters.

Nodes are named by their DOT ids in explorer.views.graph: `t12` a tensor, `o5` an op (and `s5`
the note of what it saved), `m5` a Module box or a rolled ×N box (named by its first op), `a3`
an AccumulateGrad node. Values are printed as PyTorch prints them (`tensor([1.0000, 0.5000])`),
from the numbers the Run carries."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ..model import OpNode, Run, TensorInfo, Values
from .graph import _blocks, _fold, _frames
from .names import parameter_paths, tensor_names
from .numbers import shape_text, tensor_text
from .steps import saved_tensors

__all__ = ["NodeDetails", "SavedTensor", "module_box_path", "node_details"]


@dataclass(frozen=True)
class SavedTensor:
    name: str            # the name the op saved it under: "self", "other", "result"
    tensor: str          # what the learner calls it, else its shape
    value: str           # PyTorch's printed form


@dataclass(frozen=True)
class NodeDetails:
    """One node, as plain text for the page. `facts` are (key, text) pairs whose keys the page
    names in the learner's language: shape, dtype, stride, requires_grad, is_leaf, grad_fn,
    op_name, line, module_name, version, leaf, type, ops, parameter."""

    node: str                       # the DOT id
    kind: str                       # "tensor", "op", "module", "fold", "accumulate"
    title: str                      # a variable or path, a grad_fn name, a Module path
    facts: tuple = ()
    value: str | None = None        # a tensor's value; an op's (first) output
    grad: str | None = None         # a leaf's .grad; for an op, the gradient that reached it
    formulas: tuple = ()            # (input, gradient formula) from the op registry
    saved: tuple = ()               # SavedTensor per tensor the op saved for backward
    module_path: str | None = None  # for a Module box: the path a click opens
    inside: tuple = ()              # the open Module calls around it, outermost first
    freed: int | None = None        # the backward() call (from 1) that freed what it saved


_ID = re.compile(r"[0-9]{1,18}")     # a node's number: ASCII digits, an id the engine can have


def node_details(run: Run, node: str, *, expanded=frozenset(), collapsed: bool = False,
                 call: int | None = None) -> NodeDetails | None:
    """The details of DOT node `node` of a picture of `run`, or None when there is no such node.

    expanded, collapsed: as the picture was drawn (graph_picture's `expanded`, and whether it
        drew Module boxes, GraphPicture.collapsed), to tell a Module box from a ×N box.
    call: the backward() call whose gradients an op shows (default: the last one that ran it)."""
    kind, number = node[:1], node[1:]
    if not _ID.fullmatch(number):      # from the browser: any text ("t²" passed isdigit())
        return None
    number = int(number)
    if kind == "t":
        info = run.graph.tensors.get(number)
        return _tensor(run, node, info) if info is not None else None
    if kind == "a":
        leaf = dict(run.graph.accumulate).get(number)
        info = run.graph.tensors.get(leaf) if leaf is not None else None
        if info is None:
            return None
        tensor = _tensor(run, node, info)
        return NodeDetails(node, "accumulate", "AccumulateGrad",
                           (("leaf", tensor.title), *tensor.facts[:2]), grad=tensor.grad)
    op = next((o for o in run.graph.ops if o.id == number), None)
    if op is None or kind not in "osm":
        return None
    if kind == "m":
        path = module_box_path(op, expanded) if collapsed else None
        if path is not None:
            return _module(run, node, op, path, expanded)
        return _fold_box(run, node, op, expanded if collapsed else None, call)
    return _op(run, node, op, call, "op")


def module_box_path(op: OpNode, expanded=frozenset()) -> str | None:
    """The path of the Module box an op is drawn in when the boxes in `expanded` are open: its
    outermost Module call that is not open ("model.0"), or None."""
    for _, path in _frames(op):
        if path not in expanded:
            return path
    return None


# ---- nodes ---------------------------------------------------------------------------------
def _name(run: Run, names: dict, tensor: int) -> str:
    info = run.graph.tensors.get(tensor)
    if names.get(tensor):
        return ", ".join(names[tensor])
    return f"({shape_text(info.shape)})" if info is not None else "?"


def _tensor(run: Run, node: str, info: TensorInfo) -> NodeDetails:
    names = tensor_names(run)
    facts = [("shape", f"torch.Size([{', '.join(map(str, info.shape))}])"),
             ("dtype", info.dtype),
             ("stride", str(tuple(info.stride))),
             ("requires_grad", str(info.requires_grad)),
             ("is_leaf", str(info.is_leaf))]
    if info.grad_fn:
        facts.append(("grad_fn", info.grad_fn))
    maker = next((op for op in run.graph.ops if info.id in op.outputs), None)
    if maker is not None and maker.line:
        facts.append(("line", str(maker.line)))
    if info.version:
        facts.append(("version", str(info.version)))
    return NodeDetails(node, "tensor", _name(run, names, info.id), tuple(facts),
                       value=tensor_text(info.values, info.dtype),
                       grad=tensor_text(info.grad, info.dtype) if info.grad is not None else None,
                       inside=())


def _op(run: Run, node: str, op: OpNode, call: int | None, kind: str) -> NodeDetails:
    names = tensor_names(run)
    tensors = run.graph.tensors
    info = run.ops_info.get(op.op)
    facts = [("op_name", op.op)]
    if op.line:
        facts.append(("line", str(op.line)))
    paths = [path for _, path in _frames(op)]
    if paths:
        facts.append(("module_name", paths[-1]))
    saved = []
    for name, tensor in saved_tensors(run, op).items():
        t = tensors.get(tensor)
        saved.append(SavedTensor(name, _name(run, names, tensor),
                                 tensor_text(t.values, t.dtype) if t is not None else ""))
    out = tensors.get(op.outputs[0]) if op.outputs else None
    arrived = _gradient_in(run, op, call)
    return NodeDetails(
        node, kind, op.grad_fn or op.op, tuple(facts),
        value=tensor_text(out.values, out.dtype) if out is not None else None,
        grad=tensor_text(arrived, out.dtype if out is not None else "torch.float32")
        if arrived is not None else None,
        formulas=info.formulas if info is not None and op.grad_fn else (),
        saved=tuple(saved), inside=tuple(paths), freed=_freed_by(run, op) if saved else None)


def _freed_by(run: Run, op: OpNode) -> int | None:
    """The backward() call (counted from 1) that freed what op's node saved, if one did: a
    second backward through the node then raises."""
    for number, backward in enumerate(run.backward, start=1):
        if any(step.node_id == op.node_id and step.freed for step in backward.steps):
            return number
    return None


def _fold_box(run: Run, node: str, first: OpNode, expanded, call: int | None) -> NodeDetails:
    """A rolled ×N box: how often its block repeats, the ops of one turn, the lines they ran
    on, and what leaves the last turn (its value, and the gradient that reached it)."""
    fold = next((b for b in _fold(_blocks(run.graph.ops, expanded))
                 if b.units and b.ops[0].id == first.id), None)
    if fold is None:
        return _op(run, node, first, call, "fold")
    lines = sorted({op.line for op in fold.ops if op.line})
    facts = [("ops", _op_counts(op for block in fold.units[0] for op in block.ops))]
    if lines:
        facts.append(("line", f"{lines[0]}–{lines[-1]}" if len(lines) > 1 else str(lines[0])))
    paths = [path for _, path in _frames(first)]
    if paths:
        facts.append(("module_name", paths[-1]))
    last = fold.ops[-1]
    out = run.graph.tensors.get(last.outputs[0]) if last.outputs else None
    arrived = _gradient_in(run, last, call)
    return NodeDetails(
        node, "fold", f"×{len(fold.units)}", tuple(facts),
        value=tensor_text(out.values, out.dtype) if out is not None else None,
        grad=tensor_text(arrived, out.dtype if out is not None else "torch.float32")
        if arrived is not None else None,
        inside=tuple(paths))


def _gradient_in(run: Run, op: OpNode, call: int | None) -> Values | None:
    """The gradient that reached op's autograd node in backward call `call` (default: the
    last call that ran it): its grad_output, what the formula multiplies."""
    if op.node_id is None:
        return None
    calls = range(len(run.backward)) if call is None else [call]
    found = None
    for c in calls:
        if not -len(run.backward) <= c < len(run.backward):
            continue
        for step in run.backward[c].steps:
            if step.node_id == op.node_id and step.grad_in:
                found = step.grad_in[0]
    return found


def _module(run: Run, node: str, op: OpNode, path: str, expanded) -> NodeDetails:
    """A closed Module box: its path, its type, the ops that ran in it and its parameters."""
    frame = next(f for f, p in _frames(op) if p == path)
    ops = [o for o in run.graph.ops
           if any(f == frame and p == path for f, p in _frames(o))]
    params = [(p, t) for t, p in parameter_paths(run).items() if p.startswith(path + ".")]
    facts = [("type", frame.type),
             ("ops", _op_counts(ops))]
    facts += [("parameter", f"{p} {_shape_text(run.graph.tensors.get(t))}") for p, t in params]
    outer = [p for _, p in _frames(op) if p in expanded]
    return NodeDetails(node, "module", path, tuple(facts), module_path=path,
                       inside=tuple(outer))


def _op_counts(ops) -> str:
    """"AddmmBackward0, ReluBackward0 ×2": each op's grad_fn name, how often, in first order."""
    counts = Counter(op.grad_fn or op.op for op in ops)
    return ", ".join(f"{name} ×{n}" if n > 1 else name for name, n in counts.items())


def _shape_text(info: TensorInfo | None) -> str:
    return f"({shape_text(info.shape)})" if info is not None else ""
