"""Graph nodes: what a tensor's grad_fn is, what it saved, and where its gradients go next.

A Node is one backward function. `next_functions` holds one edge (node, output_nr) per
differentiable input of the forward op: the gradient computed for that input is sent to that
node's `output_nr`-th gradient slot. Leaves that require grad end in an AccumulateGrad node,
inputs that need no gradient (constants, Python numbers) in the edge (None, 0).
"""
from __future__ import annotations

import itertools
import re
import sys
import weakref
from collections import OrderedDict
from types import MappingProxyType

from . import grad_mode

__all__ = ["Node", "AccumulateGrad", "SavedTensor", "RemovableHandle", "FREED_MESSAGE"]

FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward.")

# PyTorch numbers nodes in creation order; among nodes ready to run, the newest runs first.
_sequence = itertools.count()

_anomaly = {"enabled": False, "check_nan": True}

# Nodes PyTorch writes by hand in C++: their name() carries the C++ namespace.
_CPP_NODES = {"AccumulateGrad", "CopySlices", "CopyBackwards", "GraphRoot", "DelayedError",
              "Error", "Identity", "NotImplemented"}


class SavedTensor:
    """A tensor saved for backward, with the version it had, so in-place edits are caught.

    `needed` is False when no gradient that will be computed reads this tensor (PyTorch does not
    save it then): the backward formula may still read it, but it is neither version-checked nor
    shown as `grad_fn._saved_<name>`.
    """

    __slots__ = ("tensor", "version", "is_output", "output_nr", "needed")

    def __init__(self, tensor, is_output: bool = False, needed: bool = True) -> None:
        # An output is saved without its grad_fn (the node that saves it): no reference cycle.
        self.tensor = tensor._detached_alias() if is_output else tensor
        self.version = tensor._vc[0]
        self.is_output = is_output
        self.output_nr = tensor._output_nr
        self.needed = needed

    def unpack(self, node: "Node"):
        t = self.tensor
        if self.needed and t._vc[0] != self.version:
            raise RuntimeError(_modified_message(t, node if self.is_output else t.grad_fn,
                                                 self.output_nr, self.version))
        if self.is_output:
            return t._with_grad_fn(node, self.output_nr)
        return t


def _modified_message(t, producer, output_nr: int, expected: int) -> str:
    desc = f"[torch.{t.dtype.legacy} [{', '.join(str(s) for s in t.shape)}]]"
    if producer is not None:
        # PyTorch names the op without "Backward0", but keeps other overload digits: Max1.
        op = re.sub(r"Backward(\d*)$", lambda m: "" if m.group(1) in ("", "0") else m.group(1),
                    producer.name())
        desc += f", which is output {output_nr} of {op},"
    hint = ("Hint: the backtrace further above shows the operation that failed to compute its "
            "gradient. The variable in question was changed in there or anywhere later. Good "
            "luck!" if _anomaly["enabled"] else
            "Hint: enable anomaly detection to find the operation that failed to compute its "
            "gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False).")
    return ("one of the variables needed for gradient computation has been modified by an "
            f"inplace operation: {desc} is at version {t._vc[0]}; expected version "
            f"{expected} instead. {hint}")


class RemovableHandle:
    """What register_hook returns: `handle.remove()` unregisters the hook (torch.utils.hooks)."""

    _next_id = itertools.count()

    def __init__(self, hooks: dict) -> None:
        self.hooks_dict_ref = weakref.ref(hooks)
        self.id = next(RemovableHandle._next_id)

    def remove(self) -> None:
        hooks = self.hooks_dict_ref()
        if hooks is not None:
            hooks.pop(self.id, None)

    def __enter__(self) -> "RemovableHandle":
        return self

    def __exit__(self, *exc) -> None:
        self.remove()


def add_hook(hooks: dict, fn) -> RemovableHandle:
    handle = RemovableHandle(hooks)
    hooks[handle.id] = fn
    return handle


_NONE = MappingProxyType({})


class Node:
    """A backward function (PyTorch's grad_fn). Subclasses are named like PyTorch's, e.g.
    MulBackward0, and know their op through the class attribute `_op`."""

    # The registry's OpDef (None for AccumulateGrad, CopySlices and custom Functions). Private:
    # PyTorch's grad_fn has no such attribute, and its forward is the raw NumPy kernel, which
    # learner code must never reach past the argument checks.
    _op = None
    _n_outputs = 1  # how many forward outputs (gradient slots) this node has
    _torch_name = None  # name() when it differs from the class name (PyTorch's C++ nodes)
    _released = False
    # Hooks are rare: until one is registered, a node shares these empty, read-only defaults.
    _pre_hooks = _NONE      # node.register_prehook: fn(grad_outputs)
    _post_hooks = _NONE     # node.register_hook: fn(grad_inputs, grad_outputs)
    _tensor_pre_hooks = ()  # (output_nr, hooks dict) of Tensor.register_hook
    _retains_grad_hooks = _NONE  # output_nr -> weakref to a tensor that retains grad
    _hooked = False         # whether any of the four above was made: the executor's fast path

    def __init__(self) -> None:
        self.next_functions: tuple = ()
        self._saved: dict = {}
        self._input_meta: tuple = ()     # (shape, dtype) per input edge: what a grad must match
        self._seq = next(_sequence)

    @property
    def metadata(self) -> dict:
        """Free-form data a user attaches to the node (made on first use)."""
        return self.__dict__.setdefault("_metadata", {})

    def _hooks(self, kind: str) -> dict:
        """This node's own hooks dict of `kind` ("_pre_hooks", ...), made on first use."""
        hooks = self.__dict__.get(kind)
        if hooks is None:
            hooks = self.__dict__[kind] = OrderedDict() if kind != "_tensor_pre_hooks" else []
            self._hooked = True
        return hooks

    def name(self) -> str:
        cls = type(self).__name__
        if self._torch_name:
            return self._torch_name
        return "torch::autograd::" + cls if cls in _CPP_NODES else cls

    def _sequence_nr(self) -> int:
        return self._seq

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
                    return value.unpack(self) if value.needed else None
                return value
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{attr}'")

    def __dir__(self):
        return sorted(set(super().__dir__()) | {"_saved_" + k for k in self._saved})

    def saved(self, key: str):
        """A saved value for backward, unpacked (version-checked) if it is a tensor."""
        value = self._saved[key]
        return value.unpack(self) if isinstance(value, SavedTensor) else value

    def saved_names(self) -> tuple:
        return tuple(self._saved)

    def release(self) -> None:
        """Free saved tensors once backward has used them (unless retain_graph). Each node's
        dict is its own, so it is changed in place (no key is added: iterating is safe)."""
        saved = self._saved
        for key, value in saved.items():
            if isinstance(value, SavedTensor):
                saved[key] = _FREED
                self._released = True

    def register_hook(self, fn) -> RemovableHandle:
        """fn(grad_inputs, grad_outputs) runs after this node; it may return new grad_inputs."""
        return add_hook(self._hooks("_post_hooks"), fn)

    def register_prehook(self, fn) -> RemovableHandle:
        """fn(grad_outputs) runs before this node; it may return new grad_outputs."""
        return add_hook(self._hooks("_pre_hooks"), fn)

    def tensor_pre_hooks(self) -> list:
        """(output_nr, hooks dict) pairs: the Tensor.register_hook hooks of this node's outputs."""
        return self._tensor_pre_hooks

    def apply(self, grad_outputs: tuple) -> tuple:
        """Compute one gradient per next_functions edge from the gradients of the outputs."""
        raise NotImplementedError

    def __call__(self, *grad_outputs):
        """Run this backward function directly (no hooks, no summing over broadcast dims)."""
        from ..tensor import Tensor
        for k, g in enumerate(grad_outputs):
            if g is not None and not isinstance(g, Tensor):
                raise TypeError(f"argument {k} is not a Variable")
        grads = [g if fn is not None else None
                 for g, (fn, _) in zip(self.apply(grad_outputs), self.next_functions)]
        return grads[0] if len(grads) == 1 else tuple(grads)


class _Freed(SavedTensor):
    """Marker for a saved tensor that backward already freed."""

    def __init__(self) -> None:  # noqa: D107 - nothing to hold
        self.needed = True

    def unpack(self, node):
        raise RuntimeError(FREED_MESSAGE)


_FREED = _Freed()


class AccumulateGrad(Node):
    """The sink of a leaf tensor: adds the incoming gradient into `variable.grad`.

    A leaf's is made again for every graph that uses it once the last one is gone (the tensor
    holds it weakly, as torch does), so making one sets only its own fields: it saves nothing,
    and, as in torch, takes no number from the sequence (it runs as soon as it is ready)."""

    _saved = _NONE
    _seq = float("inf")

    def __init__(self, variable) -> None:
        self.variable = variable
        self.next_functions = ()
        self._input_meta = ((variable._data.shape, variable.dtype),)

    def _sequence_nr(self) -> int:
        return 2 ** 64 - 1

    def tensor_pre_hooks(self) -> list:
        hooks = self.variable._backward_hooks
        return [(0, hooks)] if hooks else []

    def apply(self, grad_outputs: tuple, owned: bool = False) -> tuple:
        """owned: the executor holds the only reference to the gradient (see _stealable)."""
        grad = grad_outputs[0]
        if grad is None:
            return ()
        var = self.variable
        create_graph = grad_mode._state.enabled
        if var._grad is None:
            if owned and not create_graph and _stealable(grad, var):   # kept as it is (a view
                var._grad = grad if grad._base is None else grad.detach()   # no longer is one)
            else:                    # a fresh tensor with the leaf's layout (with create_graph
                var._grad = _grad_like(grad, var, create_graph)   # its graph is kept)
        elif create_graph:           # a new sum that keeps both histories
            var._grad = var._grad + grad
        else:                        # plain backward: accumulate in place
            var._grad._accumulate_(grad)
        for hook in list((var._post_accumulate_grad_hooks or {}).values()):
            hook(var)
        return ()


_TENSOR_MODULE = __name__.rsplit(".", 2)[0] + ".tensor"   # it imports this module: no import
#                                                          of it here, it is looked up when used


def _stealable(grad, variable) -> bool:
    """Whether a gradient no one else holds can become .grad as it is, as torch's AccumulateGrad
    takes it (no copy, even a view into a larger gradient, such as cat's backward makes) when it
    carries no history and obeys the gradient layout contract (see _obeys_layout_contract)."""
    return (type(grad) is sys.modules[_TENSOR_MODULE].Tensor and grad._grad_fn is None and not grad._requires_grad
            and not grad._wrapped and grad._meta is None and variable._meta is None
            and _obeys_layout_contract(grad._data, variable._data))


def _obeys_layout_contract(grad, variable) -> bool:
    """torch's utils::obeys_layout_contract, on arrays of one shape and dtype: for a dense
    variable the gradient's strides match its own (size-1 dims aside, where the gradient's
    must not be 0), otherwise the gradient is contiguous. Empty ones are copied, as before."""
    if not grad.size:
        return False
    if not (variable.flags.c_contiguous or sys.modules[_TENSOR_MODULE]._is_dense(variable)):
        return grad.flags.c_contiguous
    if grad.strides == variable.strides:     # the usual case (a stride of 0 is a size-1 dim's)
        return 0 not in grad.strides
    for n, g, v in zip(grad.shape, grad.strides, variable.strides):
        if g != v if n != 1 else g == 0:
            return False
    return True


def _grad_like(grad, variable, create_graph: bool):
    """A copy of `grad` laid out like `variable` when that is dense (PyTorch's "gradient layout
    contract"), else contiguous. With create_graph (grad mode on), the copy stays in the graph."""
    if variable._meta is not None:   # no values to copy: a meta gradient of that layout
        from ..ops.meta import empty_strided, layout_like
        return empty_strided(variable.shape, layout_like(variable), grad.dtype)
    arr = variable._data
    if arr.flags.c_contiguous and not (create_graph and grad.requires_grad):
        return grad._detached_copy()     # the usual case: a contiguous leaf, plain backward
    import numpy as np
    from ..tensor import Tensor, _is_dense
    if arr.ndim > 1 and not arr.flags.c_contiguous and _is_dense(arr):
        order = sorted(range(arr.ndim), key=lambda d: -arr.strides[d])
        strides = [0] * arr.ndim
        step = 1
        for d in reversed(order):
            strides[d] = step
            step *= arr.shape[d]
    else:
        strides = None
    if create_graph and grad.requires_grad:
        from ..ops.creation import empty_strided
        if strides is None:
            strides = _contiguous_strides(arr.shape)
        return empty_strided(tuple(arr.shape), tuple(strides), dtype=grad.dtype).copy_(grad)
    if strides is None:
        return Tensor._from_array(np.array(grad._data, order="C", copy=True))
    order = sorted(range(arr.ndim), key=lambda d: -strides[d])
    out = np.empty([arr.shape[d] for d in order], dtype=grad._data.dtype)
    out = out.transpose(np.argsort(order))
    out[...] = grad._data
    return Tensor._from_array(out)


def _contiguous_strides(shape) -> list:
    strides, step = [], 1
    for n in reversed(shape):
        strides.append(step)
        step *= max(n, 1)
    return strides[::-1]


class GradientEdge(tuple):
    """(node, output_nr): where a tensor's gradient flows (torch.autograd.graph.GradientEdge)."""

    def __new__(cls, node, output_nr: int):
        return super().__new__(cls, (node, output_nr))

    @property
    def node(self):
        return self[0]

    @property
    def output_nr(self) -> int:
        return self[1]


def get_gradient_edge(tensor) -> GradientEdge:
    if not tensor.requires_grad:
        raise RuntimeError("It is not possible to get the gradient edge for a Tensor that does "
                           "not require gradients")
    return GradientEdge(*tensor._edge())
