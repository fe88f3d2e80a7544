"""Instrumentation: let one outside observer watch every op the engine runs.

The explorer subscribes to record the forward ops (names, shapes, broadcast shapes, views) and the
backward steps (which node ran, the gradients on each edge). The engine never imports the
observer; with nobody subscribed, each op pays one truthiness test of a module-level list.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable

__all__ = ["ForwardEvent", "OpFailedEvent", "BackwardEvent", "SumToEvent", "BackwardCallEvent",
           "ModuleEvent", "observers", "observing"]


@dataclass
class ForwardEvent:
    """One op ran forward. Tensors are live objects: an observer copies what it keeps."""

    op: str                      # registry name, e.g. "mul"
    inputs: tuple                # input tensors (Python scalars arrive wrapped as 0-dim tensors)
    outputs: tuple               # output tensors
    grad_fn: Any = None          # the Node recorded for the outputs, None without grad
    broadcast_shape: tuple | None = None  # for broadcasting ops: the shape operands expand to
    view_of: Any = None          # for view ops: the tensor whose storage the output aliases
    inplace: bool = False
    attrs: dict = field(default_factory=dict)


@dataclass(frozen=True)
class OpFailedEvent:
    """An op refused its operands (e.g. shapes that do not broadcast); the error is re-raised.

    Sent before the exception propagates, so an observer can explain the failure with the
    operands that caused it."""

    op: str                      # the op's name, e.g. "add" (in-place ops: "add_")
    inputs: tuple                # the tensor operands, None for absent optional ones
    error: BaseException         # the exception the learner will see, unchanged


@dataclass
class BackwardEvent:
    """One node ran backward: the gradients it received and the ones it sent along each edge."""

    node: Any
    grad_outputs: tuple          # gradients arriving at the node (one per forward output)
    grad_inputs: tuple           # gradients it produced (one per next_functions edge)
    step: int                    # position in the execution order of this backward call


@dataclass
class SumToEvent:
    """A gradient was summed back to an operand's shape because the forward op broadcast it."""

    node: Any
    input_nr: int
    grad_before: Any
    grad_after: Any


@dataclass
class BackwardCallEvent:
    """backward() or autograd.grad() started ("begin") or finished ("end")."""

    phase: str
    roots: tuple
    retain_graph: bool


@dataclass
class ModuleEvent:
    """A Module's __call__ started ("enter") or returned ("exit")."""

    phase: str
    module: Any


observers: list[Callable[[Any], None]] = []


@contextmanager
def observing(callback: Callable[[Any], None]):
    """Send every event to `callback` while the block runs."""
    observers.append(callback)
    try:
        yield callback
    finally:
        observers.remove(callback)


def emit(event) -> None:
    for callback in observers:
        callback(event)
