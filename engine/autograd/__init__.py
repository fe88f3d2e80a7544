"""torch.autograd: backward(), grad(), grad modes, custom Functions and gradcheck."""
from __future__ import annotations

import warnings

import numpy as np

from .. import caller_warning
from .executor import run_backward
from .grad_mode import (enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled,
                        no_grad, set_grad_enabled)
from .graph import Node, _anomaly
from ..tensor import Tensor   # after .graph, which engine.tensor itself imports

__all__ = ["backward", "grad", "no_grad", "enable_grad", "set_grad_enabled", "inference_mode",
           "is_grad_enabled", "is_inference_mode_enabled", "Function", "gradcheck", "gradgradcheck", "Node", "graph",
           "Variable", "set_detect_anomaly", "detect_anomaly", "is_anomaly_enabled",
           "is_anomaly_check_nan_enabled",
           "functional"]


def _tensor_or_tensors_to_tuple(tensors, length: int) -> tuple:
    if tensors is None:
        return (None,) * length
    if isinstance(tensors, Tensor):
        return (tensors,)
    return tuple(tensors)


def _as_tuple(x) -> tuple:
    if isinstance(x, Tensor):
        return (x,)
    if isinstance(x, dict):
        return tuple(x.values())
    return tuple(x)


def _position(items, item) -> int:
    return next(i for i, x in enumerate(items) if x is item)


def _make_grads(outputs: tuple, grads: tuple) -> tuple:
    """The gradient each output starts with: the given one (same shape) or ones for a scalar."""
    new_grads = []
    for out, grad in zip(outputs, grads):
        if not isinstance(out, Tensor):     # the walk reads its private graph fields
            raise AssertionError("Expected output to be a torch.Tensor")
        if isinstance(grad, Tensor):
            if tuple(grad.shape) != tuple(out.shape):
                raise RuntimeError(f"Mismatch in shape: grad_output[{_position(grads, grad)}] "
                                   f"has a shape of {grad.shape} and "
                                   f"output[{_position(outputs, out)}] has a shape of "
                                   f"{out.shape}.")
            new_grads.append(grad)
        elif grad is None:
            if out.requires_grad:
                if out.numel() != 1:
                    raise RuntimeError("grad can be implicitly created only for scalar outputs")
                if not out.dtype.is_floating_point:
                    raise RuntimeError("grad can be implicitly created only for real scalar "
                                       f"outputs but got {out.dtype}")
                new_grads.append(_implicit_grad(out))
            else:
                new_grads.append(None)
        else:
            raise TypeError("gradients can be either Tensors or None, but got "
                            f"{type(grad).__name__}")
    return tuple(new_grads)


def _implicit_grad(out):
    """ones_like(out) for a one-element root; a 0-dim loss (the usual root) has no layout to
    preserve, so its ones skip ones_like's memory-format logic."""
    if out._data.ndim or out._meta is not None:
        from ..ops.creation import ones_like
        return ones_like(out)
    return Tensor._from_array(np.array(1, out._data.dtype))


def _check_roots(tensors: tuple, grads: tuple, inputs: tuple) -> None:
    """The checks PyTorch's C++ entry point makes before the engine runs."""
    if len(tensors) != len(grads):
        raise RuntimeError(f"got {len(tensors)} tensors and {len(grads)} gradients")
    for i, t in enumerate(tensors):
        if not t.requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have "
                               "a grad_fn")
    for t in inputs:
        if not t.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph: bool = False,
             grad_variables=None, inputs=None) -> None:
    """Accumulate d(tensors)/d(leaf) (times grad_tensors) into each leaf's .grad."""
    if grad_variables is not None:
        warnings.warn("`grad_variables` is deprecated. Use `grad_tensors` instead.",
                      FutureWarning, stacklevel=2)
        if grad_tensors is None:
            grad_tensors = grad_variables
        else:
            raise RuntimeError("`grad_tensors` and `grad_variables` (deprecated) arguments both "
                               "passed to `backward()`. Please only use `grad_tensors`.")
    inputs_tuple = () if inputs is None else _as_tuple(inputs)
    if inputs is not None and len(inputs_tuple) == 0:
        raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    tensors = _as_tuple(tensors)
    grads = _make_grads(tensors, _tensor_or_tensors_to_tuple(grad_tensors, len(tensors)))
    if retain_graph is None:
        retain_graph = create_graph
    _check_roots(tensors, grads, ())
    for t in inputs_tuple:
        t.retain_grad()  # a non-leaf input gets its .grad like a leaf
        _check_roots((), (), (t,))
    if create_graph:
        caller_warning.warn_once(
            "Using backward() with create_graph=True will create a reference cycle between the "
            "parameter and its gradient which can cause a memory leak. We recommend using "
            "autograd.grad when creating the graph to avoid this. If you have to use this "
            "function, make sure to reset the .grad fields of your parameters to None after use "
            "to break the cycle and avoid the leak.")
    run_backward(list(tensors), list(grads), retain_graph, create_graph,
                 inputs=inputs_tuple or None, accumulate=True)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph: bool = False,
         only_inputs: bool = True, allow_unused=None, is_grads_batched: bool = False,
         materialize_grads: bool = False):
    """Return d(outputs)/d(inputs) (times grad_outputs) without touching any .grad."""
    from ..ops.creation import zeros_like
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when "
                         "materialize_grads=True, but got: allow_unused=False.")
    if allow_unused is None:
        allow_unused = materialize_grads
    outputs = _as_tuple(outputs)
    inputs_tuple = _as_tuple(inputs)
    if len(inputs_tuple) == 0:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
    if not only_inputs:
        warnings.warn("only_inputs argument is deprecated and is ignored now (defaults to True). "
                      "To accumulate gradient for other parts of the graph, please use "
                      "torch.autograd.backward.", FutureWarning, stacklevel=2)
    grads = _tensor_or_tensors_to_tuple(grad_outputs, len(outputs))
    if is_grads_batched:
        return _batched_grad(outputs, inputs, grads, retain_graph, create_graph, allow_unused,
                             materialize_grads)
    grads = _make_grads(outputs, grads)
    if retain_graph is None:
        retain_graph = create_graph
    for t in inputs_tuple:
        if not isinstance(t, Tensor):
            raise RuntimeError("all inputs have to be Tensors or GradientEdges, but got "
                               f"{type(t).__name__}")
    _check_roots(outputs, grads, inputs_tuple)
    result = run_backward(list(outputs), list(grads), retain_graph, create_graph,
                          inputs=inputs_tuple, accumulate=False)
    for i, g in enumerate(result):
        if g is None and not allow_unused:
            raise RuntimeError(f"The differentiated Tensor at index {i} appears to not have "
                               "been used in the graph. Set allow_unused=True if this is the "
                               "desired behavior.")
    if materialize_grads:
        result = [g if g is not None else zeros_like(t).requires_grad_(create_graph)
                  for g, t in zip(result, inputs_tuple)]
    if isinstance(inputs, dict):
        return dict(zip(inputs.keys(), result))
    return tuple(result)


def _batched_grad(outputs, inputs, grads, retain_graph, create_graph, allow_unused,
                  materialize_grads):
    """is_grads_batched=True: one vector-Jacobian product per row of each grad_output."""
    from ..ops.joining import stack
    n = grads[0].shape[0]
    rows = []
    for b in range(n):
        rows.append(grad(outputs, inputs, [g[b] for g in grads],
                         retain_graph=True if b < n - 1 else retain_graph,
                         create_graph=create_graph, allow_unused=allow_unused,
                         materialize_grads=materialize_grads))
    return tuple(None if rows[0][i] is None else stack([r[i] for r in rows])
                 for i in range(len(rows[0])))


# ---- anomaly detection: backward checks each node's gradients for NaN (the engine keeps no
# forward traces, so the error names the node but shows no forward traceback) ----
class set_detect_anomaly:
    """Turn anomaly mode on or off now; as a context manager, restore the old mode on exit."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.prev = (_anomaly["enabled"], _anomaly["check_nan"])
        _anomaly["enabled"], _anomaly["check_nan"] = bool(mode), bool(check_nan)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc) -> None:
        _anomaly["enabled"], _anomaly["check_nan"] = self.prev


class detect_anomaly:
    """Context manager enabling anomaly mode (not a decorator: torch 2.13's is not callable)."""

    def __init__(self, check_nan: bool = True) -> None:
        self.prev = (_anomaly["enabled"], _anomaly["check_nan"])
        self.check_nan = check_nan
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime "
                      "and should only be enabled for debugging.", UserWarning, stacklevel=2)

    def __enter__(self) -> None:
        self.prev = (_anomaly["enabled"], _anomaly["check_nan"])
        _anomaly["enabled"], _anomaly["check_nan"] = True, self.check_nan

    def __exit__(self, *exc) -> None:
        _anomaly["enabled"], _anomaly["check_nan"] = self.prev


def is_anomaly_enabled() -> bool:
    return _anomaly["enabled"]


def is_anomaly_check_nan_enabled() -> bool:
    return _anomaly["check_nan"]


class _VariableMeta(type):
    def __instancecheck__(cls, other) -> bool:
        return isinstance(other, Tensor)


class Variable(metaclass=_VariableMeta):
    """The pre-0.4 wrapper: Variable(t, requires_grad=True) is now just a tensor."""

    def __new__(cls, data, requires_grad: bool = False, volatile: bool = False):
        if volatile:
            warnings.warn("volatile was removed and now has no effect. Use `with "
                          "torch.no_grad():` instead.", UserWarning, stacklevel=2)
        return data.detach().requires_grad_(requires_grad)


from . import graph  # noqa: E402  (torch.autograd.graph)
from .function import Function  # noqa: E402
from .gradcheck import gradcheck, gradgradcheck  # noqa: E402
from . import functional  # noqa: E402
