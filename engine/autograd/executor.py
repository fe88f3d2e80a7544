"""The backward pass, run the way PyTorch's engine runs it.

1. Count, for every node reachable from the roots, how many edges point at it.
2. Hand the root gradients to the root nodes. A node is *ready* once every edge pointing at it
   has delivered (its count reaches 0); ready nodes wait in a queue.
3. Repeatedly take the ready node created last (AccumulateGrad first of all), run it, and send
   each gradient it returns along its next_functions edge.

Running a node: the tensor hooks of its outputs (and retain_grad), its pre-hooks, its backward
formula, a check of each gradient against its input (summing over broadcast dims, casting to the
input's dtype), its post-hooks. Its saved tensors are then freed unless retain_graph.
For autograd.grad (and backward(inputs=...)) only nodes that lead to the requested inputs run.
"""
from __future__ import annotations

import sys
from heapq import heappop, heappush

import numpy as np

from .. import observe
from . import grad_mode
from .graph import AccumulateGrad, Node, _anomaly

__all__ = ["run_backward"]


class _Ready(float):
    """A ready node in the queue, valued minus its sequence number: the newest node comes out
    first. A float, so heapq compares in C; equal values (AccumulateGrad's infinite ones) are
    ties, which heapq breaks exactly as C++'s std::priority_queue does in PyTorch's engine: that
    decides the order of AccumulateGrad nodes that become ready together."""

    __slots__ = ("node",)


def run_backward(roots: list, grads: list, retain_graph: bool, create_graph: bool,
                 inputs: tuple | None = None, accumulate: bool = True) -> list | None:
    """Propagate `grads` from the `roots` (tensors) through the graph.

    accumulate=True (backward): leaves add their gradient into .grad; with `inputs`, only those
    tensors do. accumulate=False (autograd.grad): the gradients reaching `inputs` are returned.
    """
    root_edges = []
    for k, t in enumerate(roots):   # (a loop, not two comprehensions: this runs every step)
        root_edges.append(t._edge())
        g = grads[k]
        if g is not None and g.dtype is not t.dtype:   # as PyTorch checks roots
            grads[k] = g.to(t.dtype)
    dependencies = _count_dependencies(root_edges)
    targets = [t._edge() for t in inputs] if inputs is not None else []
    should_run = _nodes_to_run(root_edges, targets, accumulate) if inputs is not None else None
    captured: list = [None] * len(targets)
    buffers: dict = {}   # node -> the gradients it has received so far, one per forward output
    ready: list = []

    def send(edges, grads_out) -> None:
        """Deliver gradients along edges; queue the nodes that now have all of theirs."""
        for (fn, nr), g in zip(edges, grads_out):
            if fn is None:
                continue
            dependencies[fn] -= 1
            if should_run is not None and fn not in should_run:
                continue  # leads to no requested input: never runs
            buf = buffers.get(fn)
            if buf is None:
                buf = buffers[fn] = [None] * fn._n_outputs
            if g is not None:
                buf[nr] = g if buf[nr] is None else buf[nr] + g
            if dependencies[fn] == 0:
                entry = _Ready(-fn._seq)
                entry.node = fn
                heappush(ready, entry)

    if observe.observers:
        observe.emit(observe.BackwardCallEvent("begin", tuple(roots), bool(retain_graph)))
    step = 0
    state = grad_mode._state      # create_graph: backward is recorded too (set directly, not
    was_enabled, state.enabled = state.enabled, bool(create_graph)   # through a context manager)

    def execute(node: Node, buffer: list) -> None:
        """Run one node and pass its gradients on. Its own frame holds what it produced, so
        once it returns the executor keeps no reference to a gradient but its buffer."""
        nonlocal step
        buffer, grads_in = _call(node, buffer)
        if not retain_graph:
            node.release()                            # free its saved tensors
        if observe.observers:
            observe.emit(observe.BackwardEvent(node, tuple(buffer), tuple(grads_in), step))
        step += 1
        send(node.next_functions, grads_in)

    try:
        send(root_edges, grads)                       # the roots' gradients start it off
        while ready:
            node = heappop(ready).node                # the newest node that has all its grads
            buffer = buffers.pop(node)
            if should_run is not None and not _capture(node, buffer, targets, captured,
                                                       should_run[node], accumulate):
                continue
            if node._hooked or observe.observers or _anomaly["enabled"]:
                execute(node, buffer)                 # hooks, observers, anomaly: all steps
            elif type(node) is AccumulateGrad:
                if node.variable._backward_hooks:
                    execute(node, buffer)
                else:                                 # the buffer may be all that holds it
                    owned = _only_in(buffer)
                    node.apply(tuple(buffer), owned)
            else:                                     # the usual node: formula, check, send
                send(node.next_functions, _validate(node, node.apply(tuple(buffer))))
                if not retain_graph:
                    node.release()
    finally:
        state.enabled = was_enabled
    if observe.observers:
        observe.emit(observe.BackwardCallEvent("end", tuple(roots), bool(retain_graph)))
    return None if accumulate else captured


def _capture(node: Node, buffer: list, targets: list, captured: list, runs: bool,
             accumulate: bool) -> bool:
    """autograd.grad: keep the gradient arriving for each requested input. Returns whether the
    node must also run (it leads to another requested input)."""
    if not runs:
        buffer[:] = _call_tensor_hooks(node, buffer)
    for k, (fn, nr) in enumerate(targets):
        if fn is node and not accumulate:
            captured[k] = buffer[nr]
    return runs


def _call(node: Node, buffer: list) -> tuple:
    """Run one node: hooks, its backward formula, the gradient check, post-hooks.
    Returns the gradients it received (after hooks) and the ones it produced."""
    if type(node) is AccumulateGrad:
        if node.variable._backward_hooks:               # a leaf's hooks live on its tensor
            buffer = _call_tensor_hooks(node, buffer)
    elif node._tensor_pre_hooks or node._retains_grad_hooks:
        buffer = _call_tensor_hooks(node, buffer)
    for hook in list(node._pre_hooks.values()) if node._pre_hooks else ():
        before = _layouts(buffer)
        new = hook(tuple(buffer))
        if new is not None:
            buffer = _checked_hook_results(hook, before, new)
        else:
            _check_in_place(hook, before, buffer)
    if type(node) is AccumulateGrad:   # the executor's buffer may be all that holds the grad
        owned = _only_in(buffer)
        grads = node.apply(tuple(buffer), owned)
    else:
        grads = _validate(node, node.apply(tuple(buffer)))
    for hook in list(node._post_hooks.values()) if node._post_hooks else ():
        before = _layouts(grads)
        new = hook(tuple(grads), tuple(buffer))
        if new is not None:
            grads = _checked_hook_results(hook, before, new)
        else:
            _check_in_place(hook, before, grads)
    if _anomaly["enabled"] and _anomaly["check_nan"]:
        _check_nan(node, grads)
    return buffer, grads


def _check_nan(node: Node, grads: list) -> None:
    """Anomaly mode: a node whose backward made a NaN stops the pass, named."""
    for i, g in enumerate(grads):
        if g is not None and g.dtype.is_floating_point and np.isnan(g._data).any():
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th "
                               "output.")


def _call_tensor_hooks(node: Node, buffer: list) -> list:
    """Tensor.register_hook hooks of the node's outputs, then retain_grad()."""
    tensor_hooks = node.tensor_pre_hooks()
    if not tensor_hooks and not node._retains_grad_hooks:
        return buffer   # the usual case: nothing to call
    buffer = list(buffer)
    for nr, hooks in tensor_hooks:
        for hook in list(hooks.values()):
            before = _layouts((buffer[nr],))
            new = hook(buffer[nr])
            if new is not None:
                _check_hook_result(hook, before[0], new)
                buffer[nr] = new
            else:
                _check_in_place(hook, before, (buffer[nr],))
    for nr, ref in list(node._retains_grad_hooks.items()):
        t, g = ref(), buffer[nr]
        if t is not None and g is not None:
            from ..memory_format import contiguous_format
            t._grad = g.clone(memory_format=contiguous_format) if t._grad is None else t._grad + g
    return buffer


def _checked_hook_results(hook, old: list, new) -> list:
    """A node hook's replacement gradients, held to what they replace (pre-hooks: what the node
    received; post-hooks: what it produced; `old` is their (shape, dtype) from before the hook
    ran, which may have resized them in place): as many, and each a tensor (or None) of the
    same dtype and size, so no formula sees a gradient it was not built for."""
    new = list(new) if isinstance(new, (tuple, list)) else [new]
    if len(new) != len(old):
        name = getattr(hook, "__name__", "<unknown>")
        raise RuntimeError(f"hook '{name}' has returned an incorrect number of values (got "
                           f"{len(new)}, but expected {len(old)})")
    for before, after in zip(old, new):
        if after is not None:
            _check_hook_result(hook, before, after)
    return new


def _layouts(grads) -> list:
    """Each gradient's (shape, dtype) as a hook receives it (None for a missing one)."""
    return [None if g is None else (g._data.shape, g.dtype) for g in grads]


def _check_in_place(hook, before: list, grads) -> None:
    """A hook that returned nothing may still have changed a gradient in place (g.data = ...,
    g.resize_(...)): it is held to what a returned one is held to, so no formula sees a
    gradient of another size or type than it was built for."""
    for was, g in zip(before, grads):
        if was is None or g is None or (g._data.shape, g.dtype) == was:
            continue
        name = getattr(hook, "__name__", "<unknown>")
        what = "size" if g._data.shape != was[0] else "type"
        raise RuntimeError(f"hook '{name}' has changed the {what} of value")


def _check_hook_result(hook, old, new) -> None:
    """`old`: the replaced gradient's (shape, dtype) before the hook ran, or None."""
    from ..tensor import Tensor
    if not isinstance(new, Tensor):
        raise TypeError(f"expected Variable, but hook returned '{type(new).__name__}'")
    name = getattr(hook, "__name__", "<unknown>")
    if old is not None and new.dtype is not old[1]:
        raise RuntimeError(f"hook '{name}' has changed the type of value (was "
                           f"torch.{old[1].legacy} got torch.{new.dtype.legacy})")
    if old is not None and new._data.shape != old[0]:
        raise RuntimeError(f"hook '{name}' has changed the size of value")


def _only_in(buffer: list) -> bool:
    """Whether the one gradient in `buffer` is referenced by that list alone (and its array by
    that tensor alone): then no one else can see it, and AccumulateGrad may keep it as .grad
    instead of copying it, as torch's does when the gradient's use count is 1 (a view's base
    may be held elsewhere: torch looks at the view alone, and so does this)."""
    g = buffer[0]
    return g is not None and sys.getrefcount(g) == 3 and sys.getrefcount(g._data) == 2
    #      (3: the list, g, getrefcount's argument; 2: g's slot and it)


def _validate(node: Node, grads: tuple) -> list:
    """Match each produced gradient to its input: shape (sum back over broadcast) and dtype."""
    edges = node.next_functions
    if len(grads) != len(edges):
        raise RuntimeError(f"Function {node.name()} returned an invalid number of gradients - "
                           f"expected {len(edges)}, but got {len(grads)}")
    out = list(grads)
    meta = node._input_meta
    for i, g in enumerate(grads):
        if g is None:
            continue
        if edges[i][0] is None:
            out[i] = None
            continue
        shape, dtype = meta[i]
        if g.dtype is dtype and g._data.shape == shape:   # the usual case: nothing to do
            continue
        if g._data.shape != shape:   # tuples (a Size is one): equal shapes need no work
            if not _expandable(tuple(shape), tuple(g.shape)):
                raise RuntimeError(
                    f"Function {node.name()} returned an invalid gradient at index {i} - got "
                    f"[{', '.join(map(str, g.shape))}] but expected shape compatible with "
                    f"[{', '.join(map(str, shape))}]")
            before = g
            g = g.sum_to_size(shape)
            if observe.observers:
                observe.emit(observe.SumToEvent(node, i, before, g))
        if g.dtype is not dtype:
            g = g.to(dtype)
        out[i] = g
    return out


def _expandable(shape: tuple, to: tuple) -> bool:
    if len(shape) > len(to):
        return False
    return all(s == t or s == 1 for s, t in zip(reversed(shape), reversed(to)))


def _count_dependencies(root_edges: list) -> dict:
    """How many edges point at each node reachable from the roots (the roots' own included)."""
    deps: dict = {}
    stack = []
    for fn, _ in root_edges:
        if fn is not None:
            if fn not in deps:
                stack.append(fn)
            deps[fn] = deps.get(fn, 0) + 1
    while stack:
        for fn, _ in stack.pop().next_functions:
            if fn is not None:
                count = deps.get(fn)
                if count is None:
                    deps[fn] = 1
                    stack.append(fn)
                else:
                    deps[fn] = count + 1
    return deps


def _nodes_to_run(root_edges: list, targets: list, accumulate: bool) -> dict:
    """For backward(inputs=...) and autograd.grad: node -> whether it must run.

    A node runs if a requested input is reached through it; with backward(inputs=...) the
    inputs' own nodes run too (they accumulate), with autograd.grad they are only read. A node
    mapped to False still receives gradients (they are captured), a node absent never does.
    """
    wanted = {fn for fn, _ in targets if fn is not None}
    needed: dict = {}
    order = []  # post-order: children before parents
    stack = [(fn, False) for fn, _ in root_edges if fn is not None]
    seen = set()
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
        elif node not in seen:
            seen.add(node)
            stack.append((node, True))
            stack.extend((fn, False) for fn, _ in node.next_functions if fn is not None)
    for node in order:
        leads = any(fn is not None and (fn in wanted or needed.get(fn, False))
                    for fn, _ in node.next_functions)
        needed[node] = leads or (accumulate and node in wanted)
    return {node: run for node, run in needed.items() if run or node in wanted}
