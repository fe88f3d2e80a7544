"""gradcheck: compare autograd's Jacobian with central finite differences, in float64."""
from __future__ import annotations

import numpy as np

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError", "numerical_jacobian",
           "analytical_jacobian"]


class GradcheckError(RuntimeError):
    """Raised when the two Jacobians disagree (like torch.autograd.gradcheck.GradcheckError)."""


def _tensors(inputs) -> list:
    from ..tensor import Tensor
    items = inputs if isinstance(inputs, (tuple, list)) else (inputs,)
    return [t for t in items if isinstance(t, Tensor) and t.requires_grad]


def _outputs(func, inputs) -> list:
    from ..tensor import Tensor
    out = func(*inputs) if isinstance(inputs, (tuple, list)) else func(inputs)
    out = out if isinstance(out, (tuple, list)) else (out,)
    return [o for o in out if isinstance(o, Tensor)]


def numerical_jacobian(func, inputs, eps: float = 1e-6) -> list:
    """J[i][k]: d(output k)/d(input i), each an (input numel, output numel) array."""
    from .grad_mode import no_grad
    jac = []
    with no_grad():
        for t in _tensors(inputs):
            flat = t._data.reshape(-1) if t._data.flags.c_contiguous else None
            if flat is None:
                raise ValueError("gradcheck needs contiguous inputs")
            cols = None
            for j in range(flat.size):
                orig = flat[j].item()
                flat[j] = orig + eps
                plus = [o._data.astype(np.float64).ravel().copy() for o in _outputs(func, inputs)]
                flat[j] = orig - eps
                minus = [o._data.astype(np.float64).ravel().copy() for o in _outputs(func, inputs)]
                flat[j] = orig
                if cols is None:
                    cols = [np.zeros((flat.size, p.size)) for p in plus]
                for k, (p, m) in enumerate(zip(plus, minus)):
                    cols[k][j] = (p - m) / (2 * eps)
            jac.append(cols or [])
    return jac


def analytical_jacobian(func, inputs) -> list:
    """The same Jacobians from autograd: one vector-Jacobian product per output element."""
    from . import grad as autograd_grad
    from ..ops.creation import zeros_like
    ins = _tensors(inputs)
    outs = _outputs(func, inputs)
    jac = [[np.zeros((t.numel(), o.numel())) for o in outs] for t in ins]
    for k, out in enumerate(outs):
        if not out.requires_grad:
            continue
        for e in range(out.numel()):
            seed = zeros_like(out)
            seed._data.reshape(-1)[e] = 1
            grads = autograd_grad(out, ins, seed, retain_graph=True, allow_unused=True)
            for i, g in enumerate(grads):
                if g is not None:
                    jac[i][k][:, e] = g._data.astype(np.float64).ravel()
    return jac


def gradcheck(func, inputs, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True, **_ignored) -> bool:
    """True if autograd's gradients match finite differences within atol + rtol * |numerical|."""
    numerical = numerical_jacobian(func, inputs, eps)
    analytical = analytical_jacobian(func, inputs)
    for i, (num_cols, ana_cols) in enumerate(zip(numerical, analytical)):
        for k, (num, ana) in enumerate(zip(num_cols, ana_cols)):
            if not np.allclose(ana, num, rtol=rtol, atol=atol):
                if raise_exception:
                    raise GradcheckError(
                        f"Jacobian mismatch for output {k} with respect to input {i},\n"
                        f"numerical:{num}\nanalytical:{ana}\n")
                return False
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps: float = 1e-6, atol: float = 1e-5,
                  rtol: float = 1e-3, raise_exception: bool = True, **_ignored) -> bool:
    """gradcheck of the first derivative: checks create_graph/higher-order gradients."""
    from . import grad as autograd_grad
    from ..ops.creation import ones_like

    def first_derivative(*args):
        outs = _outputs(func, args)
        seeds = grad_outputs or [ones_like(o) for o in outs]
        return autograd_grad(outs, _tensors(args), seeds, create_graph=True, allow_unused=True)

    return gradcheck(first_derivative, inputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
