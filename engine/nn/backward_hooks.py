"""Module backward hooks: register_full_backward_hook and the legacy register_backward_hook.

A full hook sees the gradients of the module's inputs and outputs. As in torch, the module's
tensor inputs and outputs each pass through an identity Function (BackwardHookFunctionBackward
in the graph): the outputs' node catches grad_output on its way in, the inputs' node calls the
hooks with grad_input on its way out and may replace it. The legacy hook is a hook on the
output's grad_fn, so it sees that one node's gradients only (torch warns when that is not the
whole module)."""
from __future__ import annotations

import warnings

from ..autograd.function import Function
from ..autograd.grad_mode import is_grad_enabled
from ..tensor import Tensor


class BackwardHookFunction(Function):
    """The identity, whose node is where a module's full backward hooks see gradients."""

    @staticmethod
    def forward(ctx, *args):
        ctx.mark_non_differentiable(*[a for a in args if not a.requires_grad])
        return args

    @staticmethod
    def backward(ctx, *grads):
        return grads


class BackwardHook:
    """One module call's hooks: set up on its inputs before forward, on its outputs after."""

    def __init__(self, module, hooks: list) -> None:
        self.module, self.hooks = module, hooks
        self.grad_outputs = None
        self.n_inputs, self.input_index = 0, None
        self.n_outputs, self.output_index = 0, None

    def setup_input_hook(self, args: tuple) -> tuple:
        self.n_inputs = len(args)
        args, self.input_index = self._identity(args, self._call_hooks)
        return args

    def setup_output_hook(self, output):
        single = not isinstance(output, tuple)
        outputs = (output,) if single else output
        self.n_outputs = len(outputs)
        outputs, self.output_index = self._identity(outputs, self._catch_grad_outputs)
        return outputs[0] if single else outputs

    @staticmethod
    def _identity(args: tuple, on_backward) -> tuple:
        """args with their tensors passed through one BackwardHookFunction whose node gets
        on_backward as a hook; and where the tensors are (None when none needs a gradient)."""
        index = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        if not (is_grad_enabled() and any(args[i].requires_grad for i in index)):
            return args, None
        passed = BackwardHookFunction.apply(*[args[i] for i in index])
        node = next(t.grad_fn for t in passed if t.grad_fn is not None)
        node.register_hook(on_backward)
        args = list(args)
        for i, t in zip(index, passed):
            args[i] = t
        return tuple(args), index

    def _spread(self, index: list, grads, size: int) -> tuple:
        spread = [None] * size
        for i, g in zip(index, grads):
            spread[i] = g
        return tuple(spread)

    def _catch_grad_outputs(self, grad_inputs, grad_outputs):
        self.grad_outputs = self._spread(self.output_index, grad_outputs, self.n_outputs)
        if self.input_index is None:   # no input needs a gradient: the hooks fire here
            warnings.warn("Full backward hook is firing when gradients are computed with "
                          "respect to module outputs since no inputs require gradients. See "
                          "https://docs.pytorch.org/docs/main/generated/torch.nn.Module.html"
                          "#torch.nn.Module.register_full_backward_hook for more details.",
                          stacklevel=5)
            for hook in self.hooks:
                result = hook(self.module, (None,) * self.n_inputs, self.grad_outputs)
                if result is not None and not (isinstance(result, tuple)
                                               and all(r is None for r in result)):
                    raise RuntimeError("Backward hook for Modules where no input requires "
                                       "gradient should always return None or None for all "
                                       "gradients.")
            self.grad_outputs = None

    def _call_hooks(self, grad_inputs, grad_outputs):
        if self.grad_outputs is None:   # the gradient reached the inputs another way
            return None
        result = self._spread(self.input_index, grad_inputs, self.n_inputs)
        for hook in self.hooks:
            new = hook(self.module, result, self.grad_outputs)
            if new is None:
                continue
            if len(new) != len(result):
                raise RuntimeError(f"Backward hook returned an invalid number of grad_input, got "
                                   f"{len(new)}, but expected {len(result)}")
            result = new
        self.grad_outputs = None
        return tuple(result[i] for i in self.input_index)


def legacy_backward_hooks(module, hooks: list, args: tuple, output) -> None:
    """register_backward_hook's hooks: on the grad_fn of the module's output."""
    if not isinstance(output, Tensor) or output.grad_fn is None:
        return
    grad_fn = output.grad_fn
    inputs = {a.grad_fn for a in args if isinstance(a, Tensor) and a.grad_fn is not None}
    if inputs != {fn for fn, _ in grad_fn.next_functions}:
        warnings.warn("Using a non-full backward hook when the forward contains multiple "
                      "autograd Nodes is deprecated and will be removed in future versions. This "
                      "hook will be missing some grad_input. Please use "
                      "register_full_backward_hook to get the documented behavior.",
                      FutureWarning, stacklevel=4)
    for hook in hooks:
        grad_fn.register_hook(lambda grad_inputs, grad_outputs, hook=hook:
                              hook(module, grad_inputs, grad_outputs))
