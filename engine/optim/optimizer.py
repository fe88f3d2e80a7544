"""The Optimizer base: parameter groups, per-parameter state, zero_grad, state_dict.

Updates run on the parameters' memory in place, in the parameter's own float type and in the
same operation order as PyTorch's single-tensor (CPU) code path, and bump each parameter's
version counter as PyTorch's in-place ops do."""
from __future__ import annotations

from collections import defaultdict
from copy import deepcopy

import numpy as np

from ..autograd.grad_mode import enable_grad, no_grad
from ..dtypes import float32
from ..nn.module import zero_grads
from ..ops.creation import tensor
from ..tensor import Tensor

__all__ = ["Optimizer", "required"]


class _Required:
    def __repr__(self) -> str:
        return "<required parameter>"


required = _Required()


def lerp(a: np.ndarray, b: np.ndarray, weight: float) -> np.ndarray:
    """PyTorch's lerp: from whichever end is nearer, for accuracy."""
    w = a.dtype.type(weight)
    return a + w * (b - a) if abs(weight) < 0.5 else b - (b - a) * (a.dtype.type(1) - w)


class Optimizer:
    """Holds param_groups (each a dict of options plus 'params') and state per parameter."""

    def __init__(self, params, defaults: dict) -> None:
        self.defaults = defaults
        self.state: dict = defaultdict(dict)
        self.param_groups: list[dict] = []
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            "Tensors or dicts, but got torch." + params.dtype.legacy)
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, param_group: dict) -> None:
        group = dict(param_group)
        params = group["params"]
        group["params"] = [params] if isinstance(params, Tensor) else list(params)
        for p in group["params"]:
            if not isinstance(p, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                + type(p).__name__)
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        for key, value in self.defaults.items():
            if value is required and key not in group:
                raise ValueError(f"parameter group didn't specify a value of required "
                                 f"optimization parameter {key}")
            group.setdefault(key, value)
        existing = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in existing for p in group["params"]):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        zero_grads((p for group in self.param_groups for p in group["params"]), set_to_none)

    def step(self, closure=None):
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        with no_grad():
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    if p._meta is not None:   # a meta parameter: no values to update
                        self._update_meta(p, group)
                        continue
                    grad = p.grad._data
                    if group.get("maximize"):
                        grad = -grad
                    state = self.state.get(p, {})
                    self._update(p, grad, group, state)
                    if state:       # like PyTorch, keep no entry for stateless updates
                        self.state[p] = state
                    p._bump_version()
        return loss

    def _update(self, p: Tensor, grad: np.ndarray, group: dict, state: dict) -> None:
        raise NotImplementedError

    def _update_meta(self, p: Tensor, group: dict) -> None:
        """A meta parameter has no values to update, but its state takes shape as torch's
        does: the update runs on a stand-in of one element per dim (its meta state stood in
        the same way), and each tensor it leaves in the state that is shaped like the stand-in
        comes back on meta with the parameter's shape; a step count stays as it is."""
        from ..ops.meta import empty_strided, layout_like
        small = (1,) * max(p.dim(), 1)
        stand_in = Tensor._from_array(np.ones(small, p.dtype.np))
        state = {k: Tensor._from_array(np.ones(small, v.dtype.np))
                 if isinstance(v, Tensor) and v.is_meta else v
                 for k, v in self.state.get(p, {}).items()}
        self._update(stand_in, np.ones(small, p.dtype.np), group, state)
        p._vc[0] += stand_in._vc[0]   # the in-place ops the update ran before its last
        if state:
            self.state[p] = {k: empty_strided(p.shape, layout_like(p), v.dtype)
                             if isinstance(v, Tensor) and tuple(v.shape) == small else v
                             for k, v in state.items()}
        p._bump_version()

    # ---- state_dict ---------------------------------------------------------------------------
    def state_dict(self) -> dict:
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            ids = []
            for p in group["params"]:
                index.setdefault(id(p), len(index))
                ids.append(index[id(p)])
            packed["params"] = ids
            groups.append(packed)
        state = {index[id(p)]: dict(s) for p, s in self.state.items() if id(p) in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Like PyTorch: param_groups are copied, state tensors are taken as they are (cast to
        the parameter's dtype only when it differs, so an unchanged tensor is shared)."""
        groups, saved_groups = self.param_groups, deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match "
                             "the size of optimizer's group")
        by_index = {i: p for g, s in zip(groups, saved_groups)
                    for i, p in zip(s["params"], g["params"])}
        self.state = defaultdict(dict)
        for i, s in state_dict["state"].items():
            p = by_index[i]
            self.state[p] = {k: (v.to(p.dtype) if isinstance(v, Tensor) and k != "step"
                                 and p.is_floating_point() else v) for k, v in s.items()}
        for g, s in zip(groups, saved_groups):
            for k, v in s.items():
                if k != "params":
                    g[k] = v

    def __getstate__(self) -> dict:
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __repr__(self) -> str:
        out = type(self).__name__ + " ("
        for i, group in enumerate(self.param_groups):
            out += f"\nParameter Group {i}\n"
            for key in sorted(group):
                if key != "params":
                    out += f"    {key}: {group[key]}\n"
        return out + ")"


def new_step() -> Tensor:
    """The per-parameter step counter PyTorch keeps as a float32 scalar tensor."""
    return tensor(0.0, dtype=float32)
