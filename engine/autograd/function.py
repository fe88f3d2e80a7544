"""torch.autograd.Function: user-defined forward and backward, with ctx as the grad_fn node.

    class Square(Function):
        @staticmethod
        def forward(ctx, x):          # runs without recording a graph
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad):      # one gradient per forward input (None for non-tensors)
            (x,) = ctx.saved_tensors
            return 2 * x * grad

    y = Square.apply(x)               # y.grad_fn is a SquareBackward node, which is also `ctx`
"""
from __future__ import annotations

import functools
import warnings

from .. import observe
from . import grad_mode
from .graph import FREED_MESSAGE, Node, SavedTensor

__all__ = ["Function", "FunctionCtx", "BackwardCFunction", "once_differentiable"]


class FunctionCtx:
    """What forward() and backward() share: saved tensors and flags."""

    def save_for_backward(self, *tensors) -> None:
        self.to_save = tensors

    def save_for_forward(self, *tensors) -> None:
        self.saved_for_forward = tensors

    def mark_dirty(self, *tensors) -> None:
        self.dirty_tensors = tensors

    def mark_non_differentiable(self, *tensors) -> None:
        self.non_differentiable = tensors

    def set_materialize_grads(self, value: bool) -> None:
        self.materialize_grads = bool(value)


class BackwardCFunction(Node, FunctionCtx):
    """The grad_fn of a custom Function's outputs; it is also the `ctx` its methods receive."""

    _forward_cls = None

    def __init__(self) -> None:
        Node.__init__(self)
        self.to_save = ()
        self.dirty_tensors = ()
        self.non_differentiable = ()
        self.materialize_grads = True
        self.needs_input_grad = ()
        self._saved_list = None
        self._is_tensor_input = ()
        self._output_meta = ()

    def __repr__(self) -> str:
        return f"<torch.autograd.function.{type(self).__name__} object at {id(self):#x}>"

    @property
    def saved_tensors(self) -> tuple:
        if self._released:
            raise RuntimeError(FREED_MESSAGE)
        if self._saved_list is None:
            return ()
        return tuple(s.unpack(self) if isinstance(s, SavedTensor) else s
                     for s in self._saved_list)

    saved_variables = saved_tensors

    def release(self) -> None:
        self._released = True
        self._saved_list = None

    def apply(self, grad_outputs: tuple) -> tuple:
        from ..ops.creation import zeros
        grads = list(grad_outputs)
        if self.materialize_grads:   # missing gradients arrive as zeros, not None
            for i, g in enumerate(grads):
                if g is None and self._output_meta[i] is not None:
                    shape, dtype = self._output_meta[i]
                    grads[i] = zeros(shape, dtype=dtype)
        cls = self._forward_cls
        if cls.backward is not Function.backward and cls.vjp is not Function.vjp:
            raise RuntimeError("Implementing both 'backward' and 'vjp' for a custom Function is "
                               "not allowed. You should only implement one of them.")
        user_fn = cls.vjp if cls.vjp is not Function.vjp else cls.backward
        result = user_fn(self, *grads)
        if not isinstance(result, tuple):
            result = (result,)
        n_args = len(self._is_tensor_input)
        if len(result) > n_args and all(g is None for g in result[n_args:]):
            result = result[:n_args]   # extra Nones are allowed
        if len(result) != n_args:
            raise RuntimeError(f"function {self.name()} returned an incorrect number of "
                               f"gradients (expected {n_args}, got {len(result)})")
        from ..tensor import Tensor
        out = []
        for i, (is_tensor, g) in enumerate(zip(self._is_tensor_input, result)):
            if not is_tensor:
                if g is not None:
                    raise RuntimeError(f"function {self.name()} returned a gradient different "
                                       f"than None at position {i + 1}, but the corresponding "
                                       "forward input was not a Variable")
                continue
            if g is not None and not isinstance(g, Tensor):
                raise RuntimeError(f"expected Variable or None (got {type(g).__name__})")
            out.append(g)
        return tuple(out)


class _FunctionMeta(type):
    """Give every Function subclass its own grad_fn class, named <ClassName>Backward."""

    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        cls._backward_cls = type(name + "Backward", (BackwardCFunction,),
                                 {"_forward_cls": cls, "__module__": "torch.autograd.function"})


class Function(FunctionCtx, metaclass=_FunctionMeta):
    """Subclass with static forward(ctx, ...) and backward(ctx, *grads); call with .apply()."""

    def __init__(self, *args, **kwargs) -> None:
        warnings.warn(f"{type(self)} should not be instantiated. Methods on autograd functions "
                      "are all static, so you should invoke them on the class itself. "
                      "Instantiating an autograd function will raise an error in a future "
                      "version of PyTorch.", DeprecationWarning, stacklevel=2)

    def __call__(self, *args, **kwargs):
        raise RuntimeError("Legacy autograd function with non-static forward method is "
                           "deprecated. Please use new-style autograd function with static "
                           "forward method. (Example: "
                           "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)")

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom "
                                  "autograd.Function.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for "
                                  "your custom autograd.Function to use it with backward mode AD.")

    @staticmethod
    def vjp(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for "
                                  "your custom autograd.Function to use it with backward mode AD.")

    @classmethod
    def apply(cls, *args, **kwargs):
        from ..tensor import Tensor
        ctx = cls._backward_cls()
        custom_setup = cls.setup_context is not Function.setup_context
        if custom_setup:   # forward(*args) without ctx, then setup_context(ctx, inputs, output)
            import inspect
            bound = inspect.signature(cls.forward).bind(*args, **kwargs)
            bound.apply_defaults()
            args, kwargs = bound.args, {}
        tensor_args = [a for a in args if isinstance(a, Tensor)]
        ctx._is_tensor_input = tuple(isinstance(a, Tensor) for a in args)
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        executable = grad_mode.is_grad_enabled() and any(t.requires_grad for t in tensor_args)
        if executable:
            ctx.next_functions = tuple(t._edge() for t in tensor_args)
            ctx._input_meta = tuple((t.shape, t.dtype) for t in tensor_args)
        with grad_mode.no_grad():
            if custom_setup:
                outputs = cls.forward(*args)
                cls.setup_context(ctx, args, outputs)
            else:
                outputs = cls.forward(ctx, *args, **kwargs)
        is_tuple = isinstance(outputs, tuple)
        outs = _wrap_outputs(ctx, list(outputs) if is_tuple else [outputs], tensor_args,
                             executable)
        if executable:
            _save_variables(ctx)
        if observe.observers:
            observe.emit(observe.ForwardEvent(
                cls.__name__, tuple(tensor_args), tuple(o for o in outs if isinstance(o, Tensor)),
                ctx if executable else None))
        return tuple(outs) if is_tuple else outs[0]


def _wrap_outputs(ctx, outs: list, tensor_args: list, executable: bool) -> list:
    """Give the outputs their history (PyTorch's _process_backward_mode_ad)."""
    inputs = {id(t) for t in tensor_args}
    dirty = {id(t) for t in ctx.dirty_tensors}
    non_diff = {id(t) for t in ctx.non_differentiable}
    from ..tensor import Tensor
    meta = []
    for i, var in enumerate(outs):
        if not isinstance(var, Tensor):
            meta.append(None)
            continue
        meta.append((var.shape, var.dtype))
        is_input, is_modified = id(var) in inputs, id(var) in dirty
        differentiable = (executable and id(var) not in non_diff
                          and var.dtype.is_floating_point)
        if not differentiable:
            if not var.requires_grad:
                if is_input and not is_modified:
                    outs[i] = var._make_view(var._data)   # a new alias, like x.view_as(x)
            elif is_input:
                outs[i] = var.detach()
            elif var._base is None:
                var.detach_()
        elif is_modified:
            if var.is_leaf and var.requires_grad:
                raise RuntimeError("a leaf Variable that requires grad has been used in an "
                                   "in-place operation.")
            var._set_history(ctx, i)
        elif is_input:
            outs[i] = var._make_view(var._data)
            outs[i]._set_history(ctx, i)
        else:
            var._set_history(ctx, i)
    for t in ctx.dirty_tensors:
        t._vc[0] += 1   # marking dirty counts as a modification
        if not any(o is t for o in outs):
            raise RuntimeError("Some elements marked as dirty during the forward method were not "
                               "returned as output. The inputs that are modified inplace must all "
                               "be outputs of the Function.")
    ctx._n_outputs = len(outs)
    ctx._output_meta = tuple(meta)
    return outs


def _save_variables(ctx) -> None:
    from ..tensor import Tensor
    saved = []
    for i, t in enumerate(ctx.to_save):
        if t is None:
            saved.append(None)
        elif not isinstance(t, Tensor):
            raise TypeError(f"save_for_backward can only save variables, but argument {i} is of "
                            f"type {type(t).__name__}")
        else:
            saved.append(SavedTensor(t, is_output=t._grad_fn is ctx))
    ctx._saved_list = saved
    ctx.to_save = ()


class DelayedError(Node):
    """grad_fn of a once_differentiable backward's outputs: differentiating again fails."""

    def __init__(self, message: str, n: int) -> None:
        super().__init__()
        self.message = message
        self._n_outputs = n

    def apply(self, grad_outputs: tuple) -> tuple:
        raise RuntimeError(self.message)


def once_differentiable(fn):
    """Run a backward without building a graph for it; differentiating it again then fails."""
    @functools.wraps(fn)
    def wrapper(ctx, *args):
        from ..tensor import Tensor
        with grad_mode.no_grad():
            outputs = fn(ctx, *args)
        if not grad_mode.is_grad_enabled():
            return outputs
        if not any(isinstance(a, Tensor) and a.requires_grad for a in args):
            return outputs
        single = not isinstance(outputs, tuple)
        outs = (outputs,) if single else outputs
        err = DelayedError("trying to differentiate twice a function that was marked with "
                            "@once_differentiable", len(outs))
        aliases = []
        for i, o in enumerate(outs):
            if o is None:
                aliases.append(None)
                continue
            alias = o.detach()
            alias._set_history(err, i)
            aliases.append(alias)
        return aliases[0] if single else tuple(aliases)
    return wrapper
