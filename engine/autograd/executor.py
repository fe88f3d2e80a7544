"""The backward pass: count dependencies, then run nodes newest-first as they become ready.

Like PyTorch's engine, a node runs once every gradient it will receive has arrived; among ready
nodes the one created last runs first (AccumulateGrad as soon as possible). Gradients that reach
an input with a different shape are summed back to it (the broadcasting rule) and cast to its
dtype, which is why the formulas in the registry never deal with broadcasting themselves.
"""
from __future__ import annotations

import heapq
import itertools

from .. import observe
from . import grad_mode
from .graph import AccumulateGrad, Node

__all__ = ["run_backward"]


def _collect(roots: list[Node]) -> dict[Node, int]:
    """Dependencies: how many edges point at each node reachable from the roots."""
    deps: dict[Node, int] = {}
    seen = set(roots)
    stack = list(roots)
    while stack:
        node = stack.pop()
        for fn, _ in node.next_functions:
            if fn is None:
                continue
            deps[fn] = deps.get(fn, 0) + 1
            if fn not in seen:
                seen.add(fn)
                stack.append(fn)
    return deps


def _needed(roots: list[Node], targets: set) -> set:
    """Nodes from which some target can be reached: only these run for autograd.grad."""
    needed: dict[Node, bool] = {}
    stack = [(r, False) for r in roots]
    while stack:
        node, children_done = stack.pop()
        if children_done:
            needed[node] = node in targets or any(
                fn is not None and needed[fn] for fn, _ in node.next_functions)
        elif node not in needed:
            needed[node] = False  # placeholder; the graph is acyclic, so it is set before use
            stack.append((node, True))
            stack.extend((fn, False) for fn, _ in node.next_functions
                         if fn is not None and fn not in needed)
    return {n for n, ok in needed.items() if ok}


def _validate(node: Node, grads: tuple) -> list:
    """Match each produced gradient to its input: shape (sum back over broadcast) and dtype."""
    out = list(grads) + [None] * (len(node.next_functions) - len(grads))
    if len(grads) != len(node.next_functions):
        raise RuntimeError(f"function {node.name()} returned an incorrect number of gradients "
                           f"(expected {len(node.next_functions)}, got {len(grads)})")
    for i, g in enumerate(out):
        if g is None or node.next_functions[i][0] is None:
            out[i] = None
            continue
        shape, dtype = node._input_meta[i]
        if tuple(g.shape) != tuple(shape):
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


def _apply_tensor_hooks(node: Node, buffer: list) -> None:
    hooks = getattr(node, "_tensor_hooks", None)
    if hooks:
        for nr, fns in hooks.items():
            for fn in list(fns):
                if buffer[nr] is not None:
                    new = fn(buffer[nr])
                    if new is not None:
                        buffer[nr] = new
    retained = getattr(node, "_retained", None)
    if retained:
        for nr, ref in retained.items():
            t = ref()
            if t is not None and buffer[nr] is not None:
                g = buffer[nr]
                if t.grad is None:
                    t.grad = g if grad_mode.is_grad_enabled() else g._detached_copy()
                else:
                    t.grad = t.grad + g


def run_backward(roots: list, grads: list, retain_graph: bool, create_graph: bool,
                 inputs: tuple | None = None, accumulate: bool = True) -> list | None:
    """Propagate `grads` from `roots` (tensors) to the leaves.

    With accumulate=False (autograd.grad), the gradients reaching `inputs` are returned instead
    of being added into .grad. With accumulate=True and inputs given (backward(inputs=...)),
    only those leaves accumulate.
    """
    root_edges = [t._edge() for t in roots]
    root_nodes = [fn for fn, _ in root_edges]
    deps = _collect(root_nodes)
    input_edges = [t._edge() for t in inputs] if inputs is not None else []
    captured: dict = {}
    targets = {fn for fn, _ in input_edges}
    needed = _needed(root_nodes, targets) if inputs is not None else None

    buffers: dict[Node, list] = {}
    for (fn, nr), g in zip(root_edges, grads):
        buf = buffers.setdefault(fn, [None] * _n_outputs(fn))
        buf[nr] = g if buf[nr] is None else buf[nr] + g

    counter = itertools.count()
    ready = []
    for fn in dict.fromkeys(root_nodes):
        if deps.get(fn, 0) == 0:
            heapq.heappush(ready, (-fn._sequence_nr, next(counter), fn))
    if observe.observers:
        observe.emit(observe.BackwardCallEvent("begin", tuple(roots), bool(retain_graph)))
    step = 0
    with grad_mode.set_grad_enabled(create_graph):
        while ready:
            _, _, node = heapq.heappop(ready)
            buffer = buffers.pop(node, None) or [None] * _n_outputs(node)
            if needed is not None and node not in needed:
                grads_in = [None] * len(node.next_functions)
                _release(node, retain_graph)
            else:
                for hook in node._pre_hooks:
                    new = hook(tuple(buffer))
                    if new is not None:
                        buffer = list(new)
                _apply_tensor_hooks(node, buffer)
                if node in targets:
                    for k, (fn, nr) in enumerate(input_edges):
                        if fn is node and buffer[nr] is not None:
                            captured[k] = buffer[nr] if k not in captured else captured[k] + buffer[nr]
                skip = isinstance(node, AccumulateGrad) and (not accumulate or (
                    inputs is not None and node not in targets))
                if skip or (node in targets and not accumulate):
                    grads_in = [None] * len(node.next_functions)
                elif all(g is None for g in buffer) and not isinstance(node, AccumulateGrad):
                    grads_in = [None] * len(node.next_functions)
                else:
                    grads_in = _validate(node, node.apply(tuple(buffer)))
                    for hook in node._hooks:
                        new = hook(tuple(grads_in), tuple(buffer))
                        if new is not None:
                            grads_in = list(new)
                _release(node, retain_graph)
                if observe.observers:
                    observe.emit(observe.BackwardEvent(node, tuple(buffer), tuple(grads_in), step))
                step += 1
            for (fn, nr), g in zip(node.next_functions, grads_in):
                if fn is None:
                    continue
                if g is not None:
                    buf = buffers.setdefault(fn, [None] * _n_outputs(fn))
                    buf[nr] = g if buf[nr] is None else buf[nr] + g
                deps[fn] -= 1
                if deps[fn] == 0:
                    heapq.heappush(ready, (-fn._sequence_nr, next(counter), fn))
    if observe.observers:
        observe.emit(observe.BackwardCallEvent("end", tuple(roots), bool(retain_graph)))
    if not accumulate:
        return [captured.get(k) for k in range(len(input_edges))]
    return None


def _release(node: Node, retain_graph: bool) -> None:
    if not retain_graph:
        node.release()


def _n_outputs(node: Node) -> int:
    return node._n_outputs
