"""torch.autograd.functional: Jacobians, Hessians and vector products of whole functions.

All are built on autograd.grad (reverse mode): a Jacobian is one vector-Jacobian product per
output element; a Hessian is the Jacobian of the gradient.
"""
from __future__ import annotations

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]


def _as_tuple(x) -> tuple[bool, tuple]:
    from ..tensor import Tensor
    if isinstance(x, Tensor):
        return False, (x,)
    return True, tuple(x)


def _prepare(inputs: tuple, create_graph: bool) -> tuple:
    """Inputs the function is differentiated at: fresh leaves (or views keeping the graph)."""
    if create_graph:
        return tuple(t.view_as(t) if t.requires_grad else t.detach().requires_grad_()
                     for t in inputs)
    return tuple(t.detach().requires_grad_() for t in inputs)


def _grad(outputs, inputs, grad_outputs, create_graph: bool, retain_graph=None) -> tuple:
    from . import grad
    outs = [o for o in outputs if o.requires_grad]
    gos = [g for o, g in zip(outputs, grad_outputs) if o.requires_grad]
    if not outs:
        return (None,) * len(inputs)
    return grad(outs, inputs, gos, create_graph=create_graph, retain_graph=retain_graph,
                allow_unused=True)


def _finish(grads, inputs, create_graph: bool) -> tuple:
    from ..ops.creation import zeros_like
    return tuple((zeros_like(x) if g is None else g if create_graph else g.detach())
                 for g, x in zip(grads, inputs))


def vjp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), v^T J)."""
    from ..ops.creation import ones_like
    is_tuple, ins = _as_tuple(inputs)
    ins = _prepare(ins, create_graph)
    from . import grad_mode
    with grad_mode.enable_grad():
        out_tuple, outs = _as_tuple(func(*ins))
        vs = (ones_like(outs[0]),) if v is None else _as_tuple(v)[1]
        grads = _grad(outs, ins, vs, create_graph)
    outputs = tuple(o if create_graph else o.detach() for o in outs)
    result = _finish(grads, ins, create_graph)
    return (outputs if out_tuple else outputs[0]), (result if is_tuple else result[0])


def jacobian(func, inputs, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode"):
    """d func(inputs) / d inputs: for one input and one output a tensor of shape
    output.shape + input.shape; tuples of tuples for several."""
    from ..ops.creation import zeros, zeros_like
    from ..ops.joining import stack
    from . import grad_mode
    is_tuple, ins = _as_tuple(inputs)
    ins = _prepare(ins, create_graph)
    with grad_mode.enable_grad():
        out_tuple, outs = _as_tuple(func(*ins))
        result = []
        for out in outs:
            flat = out.reshape(-1)
            rows = [[] for _ in ins]
            for j in range(flat.numel()):
                grads = (_grad((flat[j],), ins, (None,), create_graph, retain_graph=True)
                         if out.requires_grad else (None,) * len(ins))
                for i, (g, x) in enumerate(zip(grads, ins)):
                    rows[i].append(zeros_like(x) if g is None else g)
            per_input = []
            for i, x in enumerate(ins):
                if rows[i]:
                    jac = stack(rows[i]).reshape(tuple(out.shape) + tuple(x.shape))
                else:
                    jac = zeros(tuple(out.shape) + tuple(x.shape), dtype=x.dtype)
                per_input.append(jac if create_graph else jac.detach())
            result.append(tuple(per_input) if is_tuple else per_input[0])
    return tuple(result) if out_tuple else result[0]


def hessian(func, inputs, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode"):
    """The Jacobian of the gradient of a scalar function."""
    is_tuple, ins = _as_tuple(inputs)

    def gradient(*args):
        from . import grad
        out = func(*args)
        grads = grad(out, args, create_graph=True, allow_unused=True)
        from ..ops.creation import zeros_like
        return tuple(zeros_like(a) if g is None else g for g, a in zip(grads, args))

    result = jacobian(gradient, ins, create_graph=create_graph)
    return result if is_tuple else result[0][0]


def vhp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), v^T H)."""
    from . import grad, grad_mode
    is_tuple, ins = _as_tuple(inputs)
    ins = _prepare(ins, create_graph)
    _, vs = _as_tuple(v)
    with grad_mode.enable_grad():
        out = func(*ins)
        grads = grad(out, ins, create_graph=True, allow_unused=True)
        pairs = [(g, w) for g, w in zip(grads, vs) if g is not None]
        second = _grad([g for g, _ in pairs], ins, [w for _, w in pairs], create_graph)
    result = _finish(second, ins, create_graph)
    return (out if create_graph else out.detach()), (result if is_tuple else result[0])


def hvp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), H v): H is symmetric, so this is v^T H."""
    return vhp(func, inputs, v, create_graph, strict)


def jvp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), J v), by the double-vjp trick: J v = d(u^T J)/du . v."""
    from ..ops.creation import zeros_like
    from . import grad_mode
    is_tuple, ins = _as_tuple(inputs)
    ins = _prepare(ins, create_graph)
    _, vs = _as_tuple(v)
    with grad_mode.enable_grad():
        out_tuple, outs = _as_tuple(func(*ins))
        us = tuple(zeros_like(o).requires_grad_() for o in outs)
        grads = _grad(outs, ins, us, create_graph=True)
        pairs = [(g, w) for g, w in zip(grads, vs) if g is not None]
        result = _grad([g for g, _ in pairs], us, [w for _, w in pairs], create_graph)
    result = _finish(result, outs, create_graph)
    outputs = tuple(o if create_graph else o.detach() for o in outs)
    return (outputs if out_tuple else outputs[0]), (result if out_tuple else result[0])
