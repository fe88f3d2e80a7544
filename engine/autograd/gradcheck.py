"""gradcheck: compare autograd's Jacobian with central finite differences (PyTorch's slow mode).

For every input x_i that requires grad and every differentiable output y_k:
    numerical  J[i][k][a, b] = (y_k(x + eps e_a) - y_k(x - eps e_a))[b] / (2 eps)
    analytical J[i][k][:, b] = autograd.grad(y_k, x_i, grad_output=e_b)
and the two must agree within atol + rtol * |numerical|.
"""
from __future__ import annotations

import itertools
import warnings

import numpy as np

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError", "get_numerical_jacobian",
           "get_analytical_jacobian"]


class GradcheckError(RuntimeError):
    """Raised when the two Jacobians disagree (like torch.autograd.gradcheck.GradcheckError)."""


def _as_tuple(x) -> tuple:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _diff_inputs(inputs: tuple) -> list:
    from ..tensor import Tensor
    return [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]


def _diff_outputs(out) -> list:
    from ..tensor import Tensor
    return [o for o in _as_tuple(out) if isinstance(o, Tensor) and o.requires_grad]


def get_numerical_jacobian(func, inputs, eps: float = 1e-6) -> list:
    """J[i][k]: d(output k)/d(input i) as an (input numel, output numel) float64 array."""
    inputs = _as_tuple(inputs)

    def outputs():
        return [o._data.astype(np.float64).ravel().copy() for o in _float_outputs(func, inputs)]

    jac = []
    for t in _diff_inputs(inputs):
        cols = None
        arr = t._data  # perturbed in place, element by element in row-major order
        for a, idx in enumerate(itertools.product(*[range(n) for n in arr.shape])):
            orig = arr[idx].item()
            arr[idx] = orig - eps
            minus = outputs()
            arr[idx] = orig + eps
            plus = outputs()
            arr[idx] = orig
            if cols is None:
                cols = [np.zeros((arr.size, p.size)) for p in plus]
            for k, (p, m) in enumerate(zip(plus, minus)):
                cols[k][a] = (p - m) / (2 * eps)
        jac.append(cols if cols is not None else [])
    return jac


def _float_outputs(func, inputs: tuple) -> list:
    from ..tensor import Tensor
    return [o for o in _as_tuple(func(*inputs)) if isinstance(o, Tensor)
            and o.dtype.is_floating_point]


def get_analytical_jacobian(inputs, outputs) -> list:
    """The same Jacobians from autograd: one vector-Jacobian product per output element."""
    from . import grad as autograd_grad
    from ..ops.creation import zeros
    ins = _diff_inputs(_as_tuple(inputs))
    jac = [[np.zeros((t.numel(), o.numel())) for o in outputs] for t in ins]
    for k, out in enumerate(outputs):
        for b in range(out.numel()):
            seed = zeros(out.shape, dtype=out.dtype)   # contiguous, so the flat write lands
            seed._data.reshape(-1)[b] = 1
            grads = autograd_grad(out, ins, seed, retain_graph=True, allow_unused=True)
            for i, g in enumerate(grads):
                if g is not None:
                    jac[i][k][:, b] = g._data.astype(np.float64).ravel()
    return jac


def _check_inputs(inputs: tuple) -> None:
    any_grad = False
    for idx, t in enumerate(inputs):
        from ..tensor import Tensor
        if not isinstance(t, Tensor) or not t.requires_grad:
            continue
        any_grad = True
        if t.dtype.name != "float64":
            warnings.warn(f"Input #{idx} requires gradient and is not a double precision "
                          "floating point or complex. This check will likely fail if all the "
                          "inputs are not of double precision floating point or complex. ",
                          UserWarning, stacklevel=3)
        if any(s == 0 and n > 1 for s, n in zip(t.stride(), t.shape)):
            raise RuntimeError(f"The {idx}th input has a dimension with stride 0. gradcheck only "
                               "supports inputs that are non-overlapping to be able to compute "
                               "the numerical gradients correctly. You should call .contiguous "
                               "on the input before passing it to gradcheck.")
    if not any_grad:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but "
                         "none of them have requires_grad=True.")


def gradcheck(func, inputs, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True, nondet_tol: float = 0.0, **_ignored) -> bool:
    """True if autograd's gradients match finite differences within atol + rtol * |numerical|."""
    from ..tensor import Tensor
    inputs = _as_tuple(inputs)
    _check_inputs(inputs)
    func_out = [o for o in _as_tuple(func(*inputs)) if hasattr(o, "_data")
                and o.dtype.is_floating_point]
    numerical = get_numerical_jacobian(func, inputs, eps)
    outputs = [o for o in func_out if o.requires_grad]
    if not outputs:   # nothing differentiable came out: the function must be constant
        for cols in numerical:
            if any(np.any(n != 0) for n in cols):
                return _fail("Numerical gradient for function expected to be zero",
                             raise_exception)
        return True
    numerical = [[cols[k] for k, o in enumerate(func_out) if o.requires_grad]
                 for cols in numerical]
    analytical = get_analytical_jacobian(inputs, outputs)
    again = get_analytical_jacobian(inputs, outputs)
    for k in range(len(outputs)):
        if any(not np.allclose(ana[k], ana2[k], rtol=0, atol=nondet_tol)
               for ana, ana2 in zip(analytical, again)):
            return _fail("Backward is not reentrant, i.e., running backward with same input "
                         "and grad_output multiple times gives different values, although "
                         "analytical gradient matches numerical gradient.The tolerance for "
                         f"nondeterminism was {nondet_tol}.", raise_exception)
        for i, (num, ana) in enumerate(zip(numerical, analytical)):
            if not np.allclose(ana[k], num[k], rtol=rtol, atol=atol):
                return _fail(f"Jacobian mismatch for output {k} with respect to input {i},\n"
                             f"numerical:{Tensor._from_array(num[k])!r}\n"
                             f"analytical:{Tensor._from_array(ana[k])!r}\n", raise_exception)
    return True


def _fail(message: str, raise_exception: bool) -> bool:
    if raise_exception:
        raise GradcheckError(message)
    return False


def gradgradcheck(func, inputs, grad_outputs=None, *, eps: float = 1e-6, atol: float = 1e-5,
                  rtol: float = 1e-3, raise_exception: bool = True, nondet_tol: float = 0.0,
                  **_ignored) -> bool:
    """gradcheck of the vector-Jacobian product: checks second derivatives (create_graph).

    Random grad_outputs in [-1, 1) are made if none are given; the product is checked with
    respect to the inputs and to the grad_outputs.
    """
    from . import grad as autograd_grad
    from ..ops.creation import rand
    inputs = _as_tuple(inputs)
    if grad_outputs is None:
        outs = _diff_outputs(func(*inputs))
        grad_outputs = tuple((rand(o.shape, dtype=o.dtype) * 2 - 1).requires_grad_()
                             for o in outs)
    grad_outputs = _as_tuple(grad_outputs)
    n_out = len(grad_outputs)
    diff_idx = [i for i, t in enumerate(inputs) if getattr(t, "requires_grad", False)]

    def vjp(*args):
        ins, gos = args[:-n_out], args[-n_out:]
        outs = _diff_outputs(func(*ins))
        grads = autograd_grad(outs, [ins[i] for i in diff_idx], gos, create_graph=True,
                              allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(vjp, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception, nondet_tol=nondet_tol)
