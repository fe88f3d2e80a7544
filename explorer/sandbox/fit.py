"""Fit a run's result into one message (wire.MAX_MESSAGE), in the run process.

A short loop over a big tensor can record tens of megabytes of values; sending them all would
cost the server seconds. So a Run that is too large is thinned, cheapest loss first: the values
of every tensor are cut to a short prefix (their min, max, mean, norm and printed text stay),
then the graph is cut to its first ops. `Run.trimmed_from` tells the
page, which says so."""
from __future__ import annotations

import dataclasses

from .. import wire
from ..model import BackwardEdge, BackwardStep, ErrorInfo, Graph, Run, TensorInfo, Values

__all__ = ["fit"]

VALUE_BUDGET = 200_000        # numbers (and the tuples nesting them) sent in all values
MIN_PREFIX = 8
_BYTES_PER_NUMBER = 20        # about, in JSON


def _count(values: Values | None) -> int:
    """The numbers and the nested tuples holding them: what decoding them costs the server (a
    shape of many 1s nests every number three lists deep)."""
    if values is None:
        return 0
    data = values.data
    total, stack = 0, [data]
    while stack:
        item = stack.pop()
        if isinstance(item, tuple):
            total += 1
            if item and isinstance(item[0], tuple):
                stack.extend(item)
            else:
                total += len(item)
        else:
            total += 1
    return total


def _prefix(values: Values | None, keep: int) -> Values | None:
    if values is None or _count(values) <= keep:
        return values
    flat, stack = [], [values.data]
    while stack and len(flat) < keep:
        item = stack.pop(0)
        if isinstance(item, tuple) and item and isinstance(item[0], tuple):
            stack[:0] = list(item)
        else:
            flat.extend(item[:keep - len(flat)])
    return dataclasses.replace(values, data=tuple(flat), complete=False)


def _variable_tensors(run: Run):
    for var in run.variables:
        if var.tensor is not None:
            yield var.tensor
        for _, info in (*var.parameters, *var.buffers):
            yield info


def _all_values(run: Run):
    for info in (*run.graph.tensors.values(), *_variable_tensors(run)):
        yield info.values
        yield info.grad
    for call in run.backward:
        for step in call.steps:
            yield from step.grad_in
            for edge in step.grad_out:
                yield edge.grad
                yield edge.unsummed


def _thin_values(run: Run, keep: int) -> Run:
    def tensor(info: TensorInfo) -> TensorInfo:
        return dataclasses.replace(info, values=_prefix(info.values, keep),
                                   grad=_prefix(info.grad, keep))

    def edge(e: BackwardEdge) -> BackwardEdge:
        return dataclasses.replace(e, grad=_prefix(e.grad, keep),
                                   unsummed=_prefix(e.unsummed, keep))

    def step(s: BackwardStep) -> BackwardStep:
        return dataclasses.replace(s, grad_in=tuple(_prefix(v, keep) for v in s.grad_in),
                                   grad_out=tuple(edge(e) for e in s.grad_out))

    graph = dataclasses.replace(run.graph, tensors={k: tensor(v) for k, v in
                                                    run.graph.tensors.items()})
    backward = tuple(dataclasses.replace(c, steps=tuple(step(s) for s in c.steps))
                     for c in run.backward)
    variables = tuple(dataclasses.replace(
        v, tensor=tensor(v.tensor) if v.tensor is not None else None,
        parameters=tuple((name, tensor(info)) for name, info in v.parameters),
        buffers=tuple((name, tensor(info)) for name, info in v.buffers))
        for v in run.variables)
    return dataclasses.replace(run, graph=graph, backward=backward, variables=variables)


def _first_ops(run: Run, n: int) -> Run:
    """The graph's first n ops and the tensors they touch; backward calls are dropped."""
    ops = run.graph.ops[:n]
    used = {t for op in ops for t in (*op.inputs, *op.outputs) if t is not None}
    used |= {v.tensor.id for v in run.variables if v.tensor is not None}
    graph = Graph({k: v for k, v in run.graph.tensors.items() if k in used}, ops,
                  tuple(a for a in run.graph.accumulate if a[1] in used), True,
                  run.graph.failed, run.graph.more_failed, run.graph.versions)
    return dataclasses.replace(run, graph=graph, forward=run.forward[:n], backward=())


def fit(result) -> bytes:
    """The encoded result, thinned as needed to fit one message."""
    if not isinstance(result, Run):
        frame = wire.encode(result)
        return frame if len(frame) <= wire.MAX_MESSAGE else \
            wire.encode(failed=f"the result is too large ({len(frame) / 1e6:.0f} MB)")
    values = [v for v in _all_values(result) if v is not None]
    numbers = sum(_count(v) for v in values)
    if numbers <= VALUE_BUDGET:
        frame = wire.encode(result)
        if len(frame) <= wire.MAX_MESSAGE:
            return frame
    # encoding everything first could take seconds: the size is estimated from the values
    keep = max(MIN_PREFIX, VALUE_BUDGET // max(1, len(values)))
    run = _thin_values(result, keep)
    original = numbers * _BYTES_PER_NUMBER
    n, frame = len(run.graph.ops), b""
    while True:
        frame = wire.encode(dataclasses.replace(run, trimmed_from=max(original, len(frame))))
        if len(frame) <= wire.MAX_MESSAGE:
            return frame
        if n == 0:
            message = f"this run's record was too large to send ({len(frame) / 1e6:.0f} MB)"
            return wire.encode(Run(run.source, run.seed, error=ErrorInfo(
                "RuntimeError", message, None, None, "", kind="limit")))
        n = int(n * wire.MAX_MESSAGE / len(frame) * 0.9)
        run = _first_ops(run, n)
