"""Grad mode: whether ops record a graph. Context managers that also work as decorators."""
from __future__ import annotations

import functools
import inspect
import sys
import threading


class _ThreadState(threading.local):
    """Grad mode is per thread, as in PyTorch: a no_grad block in one thread (one app session)
    never switches off recording in another."""

    enabled = True
    inference = False


_state = _ThreadState()


def is_grad_enabled() -> bool:
    return _state.enabled


def is_inference_mode_enabled() -> bool:
    return _state.inference


def _set(enabled: bool) -> None:
    _state.enabled = bool(enabled)


class _DecoratorContextManager:
    """A context manager that can also decorate a function (each call runs inside it)."""

    def __call__(self, fn):
        factory = self.clone
        if inspect.isgeneratorfunction(fn):
            return _wrap_generator(factory, fn)

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with factory():
                return fn(*args, **kwargs)
        return wrapper

    def clone(self):
        return self.__class__()


class _NoParamDecoratorContextManager(_DecoratorContextManager):
    """Also usable as a bare decorator: `@torch.no_grad` as well as `@torch.no_grad()`."""

    def __new__(cls, orig_func=None):
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)


def _wrap_generator(factory, fn):
    """A generator function runs each step (not just its creation) inside the context."""
    @functools.wraps(fn)
    def generator_context(*args, **kwargs):
        gen = fn(*args, **kwargs)
        try:
            with factory():
                response = gen.send(None)
            while True:
                try:
                    request = yield response
                except GeneratorExit:
                    with factory():
                        gen.close()
                    raise
                except BaseException:
                    with factory():
                        response = gen.throw(*sys.exc_info())
                else:
                    with factory():
                        response = gen.send(request)
        except StopIteration as e:
            return e.value
    return generator_context


class no_grad(_NoParamDecoratorContextManager):
    """Disable graph recording inside the block (used by optimizers and evaluation)."""

    def __init__(self) -> None:
        self.prev = False

    def __enter__(self) -> None:
        self.prev = is_grad_enabled()
        _set(False)

    def __exit__(self, *exc) -> None:
        _set(self.prev)


class enable_grad(_NoParamDecoratorContextManager):
    """Re-enable graph recording inside a no_grad block."""

    def __enter__(self) -> None:
        self.prev = is_grad_enabled()
        _set(True)

    def __exit__(self, *exc) -> None:
        _set(self.prev)


class set_grad_enabled(_DecoratorContextManager):
    """Set grad mode to `mode`; like PyTorch it takes effect at construction as well, so
    `torch.set_grad_enabled(False)` on its own line switches grad mode off."""

    def __init__(self, mode: bool) -> None:
        self.prev = is_grad_enabled()
        self.mode = mode
        _set(mode)

    def __call__(self, fn):
        _set(self.prev)  # as a decorator, construction must not change the mode
        return super().__call__(fn)

    def __enter__(self) -> None:
        _set(self.mode)

    def __exit__(self, *exc) -> None:
        _set(self.prev)

    def __repr__(self) -> str:
        return f"torch.autograd.grad_mode.set_grad_enabled(mode={self.mode})"

    def clone(self) -> "set_grad_enabled":
        return self.__class__(self.mode)


class inference_mode(_DecoratorContextManager):
    """Like no_grad (the engine has no separate inference tensors)."""

    def __new__(cls, mode=True):
        if isinstance(mode, bool):
            return super().__new__(cls)
        return cls()(mode)

    def __init__(self, mode: bool = True) -> None:
        self.mode = mode

    def __enter__(self) -> None:
        self.prev = (is_grad_enabled(), _state.inference)
        if self.mode:
            _set(False)
            _state.inference = True
        else:
            _state.inference = False

    def __exit__(self, *exc) -> None:
        _set(self.prev[0])
        _state.inference = self.prev[1]

    def clone(self) -> "inference_mode":
        return self.__class__(self.mode)
