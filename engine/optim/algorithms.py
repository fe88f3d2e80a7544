"""SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta: each update written as in PyTorch's single-tensor path.

Arrays here are the parameter's own memory (p._data) and state tensors' memory; constants are
cast to the parameter's float type first, so float32 math happens in float32 like PyTorch's."""
from __future__ import annotations

import numpy as np

from ..ops.creation import full_like, zeros_like
from ..tensor import Tensor
from .optimizer import Optimizer, lerp, new_step

__all__ = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta"]


def _check(name: str, value, low: float = 0.0) -> None:
    if not value >= low:
        raise ValueError(f"Invalid {name}: {value}")


def _first_step_state(state: dict, p: Tensor, *buffers: str) -> None:
    """Before a parameter's first step: a step count and zero buffers shaped like it (the
    state PyTorch's _init_group makes)."""
    if not state:
        state["step"] = new_step()
        for name in buffers:
            state[name] = zeros_like(p)


def _bump(t: Tensor, times: int = 1) -> None:
    """Count the in-place ops torch's single-tensor step runs on a state tensor (or on the
    parameter, beyond the final update the step counts itself), so `_version` reads as torch's."""
    t._vc[0] += times


def _with_weight_decay(grad: np.ndarray, p: np.ndarray, weight_decay: float) -> np.ndarray:
    return grad + p * p.dtype.type(weight_decay) if weight_decay else grad


class SGD(Optimizer):
    def __init__(self, params, lr=1e-3, momentum: float = 0, dampening: float = 0,
                 weight_decay: float = 0, nesterov: bool = False, *, maximize: bool = False,
                 foreach=None, differentiable: bool = False, fused=None) -> None:
        _check("learning rate", lr)
        _check("momentum value", momentum)
        _check("weight_decay value", weight_decay)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov,
                                      maximize=maximize, foreach=foreach,
                                      differentiable=differentiable, fused=fused))

    def _update(self, p: Tensor, grad: np.ndarray, group: dict, state: dict) -> None:
        x = p._data
        t = x.dtype.type
        grad = _with_weight_decay(grad, x, group["weight_decay"])
        momentum = group["momentum"]
        if momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = Tensor._from_array(grad.copy())
            else:
                b = buf._data
                b *= t(momentum)
                b += grad * t(1 - group["dampening"])
                _bump(buf, 2)   # buf.mul_(momentum).add_(grad, alpha=1 - dampening)
            grad = grad + buf._data * t(momentum) if group["nesterov"] else buf._data
        x += grad * t(-group["lr"])


class Adam(Optimizer):
    _decoupled = False

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *, foreach=None,
                 maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False, fused=None,
                 decoupled_weight_decay: bool | None = None) -> None:
        _check("learning rate", lr)
        _check("epsilon value", eps)
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        _check("weight_decay value", weight_decay)
        decoupled = self._decoupled if decoupled_weight_decay is None else decoupled_weight_decay
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      amsgrad=amsgrad, maximize=maximize, foreach=foreach,
                                      capturable=capturable, differentiable=differentiable,
                                      fused=fused, decoupled_weight_decay=decoupled))

    def _update(self, p: Tensor, grad: np.ndarray, group: dict, state: dict) -> None:
        x = p._data
        t = x.dtype.type
        _first_step_state(state, p, "exp_avg", "exp_avg_sq",
                          *(["max_exp_avg_sq"] if group["amsgrad"] else []))
        beta1, beta2 = group["betas"]
        lr, wd = group["lr"], group["weight_decay"]
        state["step"]._data += 1
        _bump(state["step"])
        if wd != 0:
            if group["decoupled_weight_decay"]:
                x *= t(1 - lr * wd)
                _bump(p)        # param.mul_(1 - lr * weight_decay)
            else:
                grad = _with_weight_decay(grad, x, wd)
        m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
        m[...] = lerp(m, grad, 1 - beta1)
        v *= t(beta2)
        v += t(1 - beta2) * grad * grad
        _bump(state["exp_avg"])            # exp_avg.lerp_(grad, 1 - beta1)
        _bump(state["exp_avg_sq"], 2)      # exp_avg_sq.mul_(beta2).addcmul_(grad, grad, ...)
        step = state["step"].item()
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        step_size = lr / bias_correction1
        root = bias_correction2 ** 0.5
        if group["amsgrad"]:
            vmax = state["max_exp_avg_sq"]._data
            np.maximum(vmax, v, out=vmax)
            _bump(state["max_exp_avg_sq"])   # torch.maximum(..., out=max_exp_avg_sq)
            v = vmax
        denom = np.sqrt(v) / t(root) + t(group["eps"])
        x += t(-step_size) * (m / denom)


class AdamW(Adam):
    """Adam with decoupled weight decay: p *= 1 - lr * weight_decay before the Adam step."""

    _decoupled = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *, maximize: bool = False,
                 foreach=None, capturable: bool = False, differentiable: bool = False,
                 fused=None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable,
                         differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)


class RMSprop(Optimizer):
    def __init__(self, params, lr=1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0, momentum: float = 0, centered: bool = False,
                 capturable: bool = False, foreach=None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        _check("learning rate", lr)
        _check("epsilon value", eps)
        _check("momentum value", momentum)
        _check("weight_decay value", weight_decay)
        _check("alpha value", alpha)
        super().__init__(params, dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps,
                                      centered=centered, weight_decay=weight_decay,
                                      capturable=capturable, foreach=foreach, maximize=maximize,
                                      differentiable=differentiable))

    def _update(self, p: Tensor, grad: np.ndarray, group: dict, state: dict) -> None:
        x = p._data
        t = x.dtype.type
        if not state:
            state["step"] = new_step()
            state["square_avg"] = zeros_like(p)
            if group["momentum"] > 0:
                state["momentum_buffer"] = zeros_like(p)
            if group["centered"]:
                state["grad_avg"] = zeros_like(p)
        state["step"]._data += 1
        _bump(state["step"])
        grad = _with_weight_decay(grad, x, group["weight_decay"])
        alpha = group["alpha"]
        sq = state["square_avg"]._data
        sq *= t(alpha)
        sq += t(1 - alpha) * grad * grad
        _bump(state["square_avg"], 2)   # square_avg.mul_(alpha).addcmul_(grad, grad, ...)
        if group["centered"]:
            ga = state["grad_avg"]._data
            ga[...] = lerp(ga, grad, 1 - alpha)
            _bump(state["grad_avg"])        # grad_avg.lerp_(grad, 1 - alpha)
            avg = np.sqrt(sq + t(-1) * ga * ga)
        else:
            avg = np.sqrt(sq)
        avg = avg + t(group["eps"])
        if group["momentum"] > 0:
            buf = state["momentum_buffer"]._data
            buf *= t(group["momentum"])
            buf += grad / avg
            _bump(state["momentum_buffer"], 2)   # buf.mul_(momentum).addcdiv_(grad, avg)
            x += t(-group["lr"]) * buf
        else:
            x += t(-group["lr"]) * (grad / avg)


class Adagrad(Optimizer):
    def __init__(self, params, lr=1e-2, lr_decay: float = 0, weight_decay: float = 0,
                 initial_accumulator_value: float = 0, eps: float = 1e-10, foreach=None, *,
                 maximize: bool = False, differentiable: bool = False, fused=None) -> None:
        _check("learning rate", lr)
        _check("lr_decay value", lr_decay)
        _check("weight_decay value", weight_decay)
        _check("initial_accumulator_value value", initial_accumulator_value)
        _check("epsilon value", eps)
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, eps=eps,
                                      weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value,
                                      foreach=foreach, maximize=maximize,
                                      differentiable=differentiable, fused=fused))
        for group in self.param_groups:
            for p in group["params"]:
                self.state[p]["step"] = new_step()
                self.state[p]["sum"] = full_like(p, group["initial_accumulator_value"])

    def _update(self, p: Tensor, grad: np.ndarray, group: dict, state: dict) -> None:
        x = p._data
        t = x.dtype.type
        state["step"]._data += 1
        _bump(state["step"])
        step = state["step"].item()
        grad = _with_weight_decay(grad, x, group["weight_decay"])
        clr = group["lr"] / (1 + (step - 1) * group["lr_decay"])
        acc = state["sum"]._data
        acc += grad * grad
        _bump(state["sum"])   # state_sum.addcmul_(grad, grad, value=1)
        std = np.sqrt(acc) + t(group["eps"])
        x += t(-clr) * (grad / std)



class Adadelta(Optimizer):
    """Steps of sqrt(acc_delta + eps) / sqrt(square_avg + eps) * grad: the mnist example's
    optimizer (lr=1.0)."""

    def __init__(self, params, lr=1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0, foreach=None, *, capturable: bool = False,
                 maximize: bool = False, differentiable: bool = False) -> None:
        _check("learning rate", lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        _check("epsilon value", eps)
        _check("weight_decay value", weight_decay)
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay,
                                      maximize=maximize, capturable=capturable, foreach=foreach,
                                      differentiable=differentiable))

    def _update(self, p: Tensor, grad: np.ndarray, group: dict, state: dict) -> None:
        x = p._data
        t = x.dtype.type
        _first_step_state(state, p, "square_avg", "acc_delta")
        state["step"]._data += 1
        _bump(state["step"])
        grad = _with_weight_decay(grad, x, group["weight_decay"])
        rho, eps = t(group["rho"]), t(group["eps"])
        square_avg, acc_delta = state["square_avg"]._data, state["acc_delta"]._data
        square_avg *= rho
        square_avg += t(1 - group["rho"]) * grad * grad
        std = np.sqrt(square_avg + eps)
        delta = np.sqrt(acc_delta + eps)
        delta /= std
        delta *= grad
        acc_delta *= rho
        acc_delta += t(1 - group["rho"]) * delta * delta
        _bump(state["square_avg"], 2)   # square_avg.mul_(rho).addcmul_(grad, grad, ...)
        _bump(state["acc_delta"], 2)    # acc_delta.mul_(rho).addcmul_(delta, delta, ...)
        x += t(-group["lr"]) * delta
