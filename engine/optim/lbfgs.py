"""L-BFGS as torch.optim.LBFGS runs it (without a line search: fixed steps of lr).

All parameters are seen as one flat vector; each step calls the closure up to max_iter times,
keeping the last history_size pairs (change of gradient, step) to approximate the inverse
Hessian times the gradient by the two-loop recursion."""
from __future__ import annotations

from ..autograd.grad_mode import enable_grad, no_grad
from ..ops.joining import cat
from ..tensor import Tensor
from .optimizer import Optimizer

__all__ = ["LBFGS"]


class LBFGS(Optimizer):
    def __init__(self, params, lr=1, max_iter: int = 20, max_eval: int | None = None,
                 tolerance_grad: float = 1e-7, tolerance_change: float = 1e-9,
                 history_size: int = 100, line_search_fn: str | None = None) -> None:
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        super().__init__(params, dict(lr=lr, max_iter=max_iter, max_eval=max_eval,
                                      tolerance_grad=tolerance_grad,
                                      tolerance_change=tolerance_change,
                                      history_size=history_size, line_search_fn=line_search_fn))
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]

    def _flat_grad(self) -> Tensor:
        return cat([p.new_zeros(p.numel()) if p.grad is None else p.grad.reshape(-1)
                    for p in self._params], 0)

    def _add_grad(self, step: float, direction: Tensor) -> None:
        """params += step * direction, each from its slice of the flat vector."""
        offset = 0
        for p in self._params:
            n = p.numel()
            p.add_(direction[offset:offset + n].view_as(p), alpha=step)
            offset += n

    def step(self, closure):
        group = self.param_groups[0]
        if group["line_search_fn"] is not None:
            if group["line_search_fn"] != "strong_wolfe":
                raise RuntimeError("only 'strong_wolfe' is supported")
            raise NotImplementedError("LBFGS's strong_wolfe line search is not supported by "
                                      "Autograd Explorer's engine; leave line_search_fn=None")
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)
        with enable_grad():
            orig_loss = closure()
        state["func_evals"] += 1
        with no_grad():
            self._iterate(closure, group, state, float(orig_loss))
        return orig_loss

    def _iterate(self, closure, group: dict, state: dict, loss: float) -> None:
        lr, tol_change = group["lr"], group["tolerance_change"]
        flat_grad = self._flat_grad()
        if flat_grad.abs().max() <= group["tolerance_grad"]:
            return
        d, t = state.get("d"), state.get("t")
        old_dirs, old_stps, ro = state.get("old_dirs"), state.get("old_stps"), state.get("ro")
        h_diag, prev_flat_grad = state.get("H_diag"), state.get("prev_flat_grad")
        prev_loss = state.get("prev_loss")
        evals = 1
        for n_iter in range(1, group["max_iter"] + 1):
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                d, old_dirs, old_stps, ro, h_diag = flat_grad.neg(), [], [], [], 1
            else:
                y, s = flat_grad.sub(prev_flat_grad), d.mul(t)
                ys = y.dot(s)
                if ys > 1e-10:   # remember this pair, forgetting the oldest past history_size
                    if len(old_dirs) == group["history_size"]:
                        old_dirs.pop(0), old_stps.pop(0), ro.pop(0)
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    h_diag = ys / y.dot(y)
                d = self._two_loop(flat_grad, old_dirs, old_stps, ro, h_diag, state, group)
            prev_flat_grad = flat_grad.clone()
            prev_loss = loss
            t = (min(1.0, 1.0 / flat_grad.abs().sum()) * lr if state["n_iter"] == 1 else lr)
            if flat_grad.dot(d) > -tol_change:   # no descent along d
                break
            self._add_grad(t, d)
            converged = False
            if n_iter != group["max_iter"]:
                with enable_grad():
                    loss = float(closure())
                flat_grad = self._flat_grad()
                converged = bool(flat_grad.abs().max() <= group["tolerance_grad"])
                evals += 1
                state["func_evals"] += 1
            if (n_iter == group["max_iter"] or evals >= group["max_eval"] or converged
                    or d.mul(t).abs().max() <= tol_change or abs(loss - prev_loss) < tol_change):
                break
        state.update(d=d, t=t, old_dirs=old_dirs, old_stps=old_stps, ro=ro, H_diag=h_diag,
                     prev_flat_grad=prev_flat_grad, prev_loss=prev_loss)

    @staticmethod
    def _two_loop(flat_grad, old_dirs, old_stps, ro, h_diag, state, group) -> Tensor:
        """The L-BFGS direction: minus the approximate inverse Hessian times the gradient."""
        al = state.setdefault("al", [None] * group["history_size"])
        q = flat_grad.neg()
        for i in range(len(old_dirs) - 1, -1, -1):
            al[i] = old_stps[i].dot(q) * ro[i]
            q.add_(old_dirs[i], alpha=-al[i])
        r = q.mul(h_diag)
        for i in range(len(old_dirs)):
            be_i = old_dirs[i].dot(r) * ro[i]
            r.add_(old_stps[i], alpha=al[i] - be_i)
        return r
