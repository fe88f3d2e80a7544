"""torch.autograd.Function: user-defined forward and backward, with ctx as the grad_fn node."""
from __future__ import annotations

from . import grad_mode
from .graph import FREED_MESSAGE, Node, SavedTensor

__all__ = ["Function", "FunctionCtx", "BackwardCFunction", "once_differentiable"]


class FunctionCtx:
    """What forward() and backward() share: saved tensors and flags."""

    def save_for_backward(self, *tensors) -> None:
        self._to_save = tensors

    def save_for_forward(self, *tensors) -> None:
        self._to_save_forward = tensors

    def mark_dirty(self, *tensors) -> None:
        self._dirty = tensors

    def mark_non_differentiable(self, *tensors) -> None:
        self._non_differentiable = tensors

    def set_materialize_grads(self, value: bool) -> None:
        self._materialize = bool(value)


class BackwardCFunction(Node, FunctionCtx):
    """The grad_fn of a custom Function's outputs; it is also the `ctx` its methods receive."""

    _cls = None

    def __init__(self) -> None:
        Node.__init__(self)
        self._to_save = ()
        self._saved_list = None
        self._dirty = ()
        self._non_differentiable = ()
        self._materialize = True
        self.needs_input_grad = ()
        self._n_outputs = 1
        self._output_meta = ()

    @property
    def saved_tensors(self) -> tuple:
        if self._released:
            raise RuntimeError(FREED_MESSAGE)
        if self._saved_list is None:
            return tuple(self._to_save)
        return tuple(s.unpack(self) if isinstance(s, SavedTensor) else s
                     for s in self._saved_list)

    saved_variables = saved_tensors

    def release(self) -> None:
        if self._saved_list:
            self._released = True
            self._saved_list = None

    def apply(self, grad_outputs: tuple) -> tuple:
        from ..ops.creation import zeros
        grads = list(grad_outputs)
        if self._materialize:
            for i, g in enumerate(grads):
                if g is None:
                    shape, dtype = self._output_meta[i]
                    grads[i] = zeros(shape, dtype=dtype)
        result = self._cls.backward(self, *grads)
        if not isinstance(result, tuple):
            result = (result,)
        n_args = len(self._arg_is_tensor)
        if len(result) != n_args:
            if len(result) > n_args and all(g is None for g in result[n_args:]):
                result = result[:n_args]
            else:
                raise RuntimeError(f"function {self.name()} returned an incorrect number of "
                                   f"gradients (expected {n_args}, got {len(result)})")
        out = []
        for is_tensor, g in zip(self._arg_is_tensor, result):
            if is_tensor:
                out.append(g)
            elif g is not None:
                raise RuntimeError(f"function {self.name()} returned a gradient different than "
                                   "None at position "
                                   f"{len(out) + 1}, but the corresponding forward input was "
                                   "not a Variable")
        return tuple(out)


class _FunctionMeta(type):
    """Give every Function subclass its own grad_fn class, named <ClassName>Backward."""

    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        cls._backward_cls = type(name + "Backward", (BackwardCFunction,),
                                 {"_cls": cls, "__module__": cls.__module__})


class Function(FunctionCtx, metaclass=_FunctionMeta):
    """Subclass with static forward(ctx, ...) and backward(ctx, *grads); call with .apply()."""

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom "
                                  "autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for "
                                  "your custom autograd.Function to use it with backward mode AD.")

    vjp = backward

    @classmethod
    def apply(cls, *args, **kwargs):
        from ..tensor import Tensor
        ctx = cls._backward_cls()
        tensor_args = [a for a in args if isinstance(a, Tensor)]
        ctx._arg_is_tensor = tuple(isinstance(a, Tensor) for a in args)
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        with grad_mode.no_grad():
            outputs = cls.forward(ctx, *args, **kwargs)
        is_tuple = isinstance(outputs, tuple)
        outs = list(outputs) if is_tuple else [outputs]
        record = grad_mode.is_grad_enabled() and any(t.requires_grad for t in tensor_args)
        if record:
            ctx.next_functions = tuple(t._edge() for t in tensor_args)
            ctx._input_meta = tuple((t.shape, t.dtype) for t in tensor_args)
            ctx._n_outputs = len(outs)
            ctx._output_meta = tuple((o.shape, o.dtype) if isinstance(o, Tensor) else ((), None)
                                     for o in outs)
            dirty = {id(t) for t in ctx._dirty}
            non_diff = {id(t) for t in ctx._non_differentiable}
            inputs = {id(t) for t in tensor_args}
            for i, o in enumerate(outs):
                if not isinstance(o, Tensor):
                    continue
                if id(o) in inputs and id(o) not in dirty:
                    o = outs[i] = o._detached_alias()   # an input returned as-is: a new alias
                if id(o) in non_diff:
                    continue
                if id(o) in dirty and o.is_leaf and o._requires_grad:
                    raise RuntimeError("a leaf Variable that requires grad has been used in an "
                                       "in-place operation.")
                o._grad_fn = ctx
                o._output_nr = i
                o._view_version = o._version[0]
            outputs_by_id = {id(o): (i, o) for i, o in enumerate(outs) if isinstance(o, Tensor)}
            ctx._saved_list = [
                SavedTensor(outputs_by_id[id(t)][1], is_output=True)
                if isinstance(t, Tensor) and id(t) in outputs_by_id else
                SavedTensor(t) if isinstance(t, Tensor) else t
                for t in ctx._to_save]
        return tuple(outs) if is_tuple else outs[0]


def once_differentiable(fn):
    """Run a backward without building a graph for it (double backward is then unavailable)."""
    import functools

    @functools.wraps(fn)
    def wrapper(ctx, *args):
        with grad_mode.no_grad():
            return fn(ctx, *args)
    return wrapper
