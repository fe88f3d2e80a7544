"""Grad mode: whether ops record a graph. Context managers that also work as decorators."""
from __future__ import annotations

import functools

_state = {"enabled": True}


def is_grad_enabled() -> bool:
    return _state["enabled"]


class _GradModeContext:
    """Base for no_grad/enable_grad/set_grad_enabled: a context manager and a decorator."""

    _target: bool

    def __enter__(self):
        self._prev = _state["enabled"]
        _state["enabled"] = self._target
        return None

    def __exit__(self, *exc) -> bool:
        _state["enabled"] = self._prev
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.clone():
                return fn(*args, **kwargs)
        return wrapper

    def clone(self):
        fresh = object.__new__(type(self))
        fresh._target = self._target
        return fresh


class no_grad(_GradModeContext):
    """Disable graph recording inside the block (used by optimizers and evaluation)."""

    _target = False


class enable_grad(_GradModeContext):
    """Re-enable graph recording inside a no_grad block."""

    _target = True


class set_grad_enabled(_GradModeContext):
    """Set grad mode to `mode`; like PyTorch it takes effect at construction as well."""

    def __init__(self, mode: bool) -> None:
        self._target = bool(mode)
        self._prev = _state["enabled"]
        _state["enabled"] = self._target

    def __enter__(self):
        if not hasattr(self, "_prev"):  # a clone made for a decorated call
            super().__enter__()

    def __call__(self, fn):
        _state["enabled"] = self._prev  # as a decorator, construction must not change the mode
        return super().__call__(fn)


class inference_mode(no_grad):
    """Treated as no_grad: the engine has no separate inference tensors."""

    def __init__(self, mode: bool = True) -> None:
        self._target = not mode
