"""Graph nodes: what a tensor's grad_fn is, what it saved, and where its gradients go next."""
from __future__ import annotations

import itertools
import re

from .grad_mode import is_grad_enabled

__all__ = ["Node", "AccumulateGrad", "SavedTensor", "FREED_MESSAGE"]

FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward.")

# PyTorch numbers nodes in creation order; among nodes ready to run, the newest runs first.
_sequence = itertools.count()


class SavedTensor:
    """A tensor saved for backward, with the version it had, so in-place edits are caught."""

    __slots__ = ("tensor", "version", "is_output", "output_nr")

    def __init__(self, tensor, is_output: bool = False) -> None:
        # An output is saved without its grad_fn (the node that saves it): no reference cycle.
        self.tensor = tensor._detached_alias() if is_output else tensor
        self.version = tensor._version[0]
        self.is_output = is_output
        self.output_nr = tensor._output_nr

    def unpack(self, node: "Node"):
        t = self.tensor
        if t._version[0] != self.version:
            raise RuntimeError(_modified_message(t, node if self.is_output else t.grad_fn,
                                                 self.output_nr, self.version))
        if self.is_output:
            return t._with_grad_fn(node, self.output_nr)
        return t


def _modified_message(t, producer, output_nr: int, expected: int) -> str:
    desc = f"[torch.{t.dtype.legacy} [{', '.join(str(s) for s in t.shape)}]]"
    if producer is not None:
        op = re.sub(r"Backward\d*$", "", producer.name())
        desc += f", which is output {output_nr} of {op},"
    return ("one of the variables needed for gradient computation has been modified by an "
            f"inplace operation: {desc} is at version {t._version[0]}; expected version "
            f"{expected} instead. Hint: enable anomaly detection to find the operation that "
            "failed to compute its gradient, with torch.autograd.set_detect_anomaly(True, "
            "check_nan=False).")


class Node:
    """A backward function (PyTorch's grad_fn). Subclasses are named like PyTorch's, e.g.
    MulBackward0, and know their op through the class attribute `op`."""

    op = None  # the registry's OpDef; None for AccumulateGrad, CopySlices and custom Functions
    _n_outputs = 1  # how many forward outputs (gradient slots) this node has

    def __init__(self) -> None:
        self.next_functions: tuple = ()
        self._saved: dict = {}
        self._input_meta: tuple = ()     # (shape, dtype) per input edge: what a grad must match
        self._released = False
        self._hooks: list = []
        self._pre_hooks: list = []
        self._sequence_nr = next(_sequence)
        self.metadata: dict = {}

    def name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {id(self):#x}>"

    @property
    def requires_grad(self) -> bool:
        return True

    def __getattr__(self, attr: str):
        # `_saved_self`, `_saved_dim`, ... as in PyTorch's generated grad_fn classes.
        if attr.startswith("_saved_"):
            saved = self.__dict__.get("_saved", {})
            key = attr[len("_saved_"):]
            if key in saved:
                value = saved[key]
                if isinstance(value, SavedTensor):
                    if self._released:
                        raise RuntimeError(FREED_MESSAGE)
                    return value.unpack(self)
                return value
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{attr}'")

    def saved(self, key: str):
        """A saved value for backward, unpacked (version-checked) if it is a tensor."""
        value = self._saved[key]
        if isinstance(value, SavedTensor):
            if self._released:
                raise RuntimeError(FREED_MESSAGE)
            return value.unpack(self)
        return value

    def saved_names(self) -> tuple:
        return tuple(self._saved)

    def release(self) -> None:
        """Free saved tensors once backward has used them (unless retain_graph)."""
        if any(isinstance(v, SavedTensor) for v in self._saved.values()):
            self._released = True
            self._saved = {k: v for k, v in self._saved.items() if not isinstance(v, SavedTensor)} | {
                k: _FREED for k, v in self._saved.items() if isinstance(v, SavedTensor)}

    def register_hook(self, fn):
        """fn(grad_inputs, grad_outputs) runs after this node; it may return new grad_inputs."""
        self._hooks.append(fn)
        return _RemovableHandle(self._hooks, fn)

    def register_prehook(self, fn):
        """fn(grad_outputs) runs before this node; it may return new grad_outputs."""
        self._pre_hooks.append(fn)
        return _RemovableHandle(self._pre_hooks, fn)

    def apply(self, grad_outputs: tuple) -> tuple:
        """Compute one gradient per next_functions edge from the gradients of the outputs."""
        raise NotImplementedError

    def __call__(self, *grad_outputs):
        return self.apply(grad_outputs)


class _Freed(SavedTensor):
    """Marker for a saved tensor that backward already freed."""

    def __init__(self) -> None:  # noqa: D107 - nothing to hold
        pass

    def unpack(self, node):
        raise RuntimeError(FREED_MESSAGE)


_FREED = _Freed()


class _RemovableHandle:
    def __init__(self, hooks: list, fn) -> None:
        self._hooks, self._fn = hooks, fn

    def remove(self) -> None:
        if self._fn in self._hooks:
            self._hooks.remove(self._fn)


class AccumulateGrad(Node):
    """The sink of a leaf tensor: adds the incoming gradient into `variable.grad`."""

    def __init__(self, variable) -> None:
        super().__init__()
        self.variable = variable
        self._sequence_nr = float("inf")  # PyTorch runs these as soon as they are ready
        self._input_meta = ((variable.shape, variable.dtype),)

    def apply(self, grad_outputs: tuple) -> tuple:
        grad = grad_outputs[0]
        if grad is None:
            return ()
        var = self.variable
        if is_grad_enabled():        # create_graph: keep the gradient's own graph
            var.grad = grad if var.grad is None else var.grad + grad
        elif var.grad is None:       # own a fresh copy: the incoming tensor may be shared
            var.grad = grad._detached_copy()
        else:
            var.grad._accumulate_(grad)
        return ()
