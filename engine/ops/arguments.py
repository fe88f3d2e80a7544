"""Argument binding for the op families: what PyTorch's Python binding accepts, and how it
refuses the rest, with its messages ("argument 'other' (position 2) must be Tensor").

Pointwise ops check their operands inline (`tensor_arg`, `operand`: the hot path of every
`a * b`); reductions wrap their implementation in `binding`, which checks dims and PyTorch's
overloads. Both name types and report invalid combinations the same way, here. What is
published as torch.<name> and Tensor.<name> takes NumPy's keyword names as torch's parser does
(`torch_function`, `torch_method`).
"""
from __future__ import annotations

import functools
import inspect

import numpy as np

from ..tensor import Tensor
from .registry import scalar_tensor

__all__ = ["ABSENT", "arg_error", "as_method", "binding", "invalid_combination",
           "is_int", "is_number", "number", "operand", "tensor_arg", "torch_function",
           "torch_method", "type_name"]


class _Absent:
    """The default of an optional `dim` that PyTorch tells apart from an explicit None (x.sum()
    is SumBackward0, x.sum(dim=None) is SumBackward1). Prints as None in signatures."""

    def __repr__(self) -> str:
        return "None"


ABSENT = _Absent()


def type_name(value) -> str:
    t = type(value)
    return t.__name__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__name__}"


def is_number(value) -> bool:
    return isinstance(value, (bool, int, float, np.bool_, np.integer, np.floating))


def is_int(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def number(value):
    """A Scalar argument (alpha, a clamp bound): a Python number or a one-element tensor."""
    if isinstance(value, (Tensor, np.generic)):
        return value.item()
    if isinstance(value, int) and not -2 ** 63 <= value < 2 ** 64:
        # torch's binding tries a signed, then an unsigned 64-bit int: hence these messages
        raise OverflowError("can't convert negative int to unsigned" if value < 0 else
                            "int too big to convert")
    return value


def arg_error(fn: str, arg: str, pos: int, value) -> TypeError:
    """PyTorch's "argument 'other' (position 2) must be Tensor" (a method counts from 1).
    The error carries its parts, so a method can renumber it (see `as_method`)."""
    err = TypeError(f"{fn}(): argument '{arg}' (position {pos}) must be Tensor, not "
                    f"{type_name(value)}")
    err.argument = (fn, arg, pos, value)
    return err


def invalid_combination(fn: str, args, kwargs=None) -> TypeError:
    """PyTorch's overload-resolution error; a method call does not list self."""
    shown = ["Tensor" if isinstance(a, Tensor) else type_name(a) for a in args]
    kw = "".join(f"{k}={type_name(v)}, " for k, v in reversed(list((kwargs or {}).items())))
    err = TypeError(f"{fn}() received an invalid combination of arguments - got "
                    f"({', '.join(shown)}{', ' if shown and kw else ''}{kw}), but expected "
                    "one of:")
    err.combination = (fn, tuple(args))
    return err


def tensor_arg(fn: str, value, arg: str = "input", pos: int = 1) -> Tensor:
    if not isinstance(value, Tensor):
        raise arg_error(fn, arg, pos, value)
    return value


def operand(fn: str, value, arg: str = "other", pos: int = 2) -> Tensor:
    """A tensor, or a Python number wrapped as a 0-dim tensor that promotes like a scalar."""
    if isinstance(value, Tensor):
        return value
    if is_number(value):
        value = number(value)
        if isinstance(value, int) and value >= 2 ** 63:   # torch's unsigned scalar: not here
            raise OverflowError("int too big to convert")
        return scalar_tensor(value)
    raise arg_error(fn, arg, pos, value)


# torch functions whose binding has several overloads: a wrong first argument fits none
_OVERLOADED = frozenset({"all", "any", "std", "var", "std_mean", "var_mean", "randint_like"})

# torch's argument parser takes NumPy's names for four of its own (torch.sum(a=t, axis=0,
# keepdims=True)); the functions torch writes in Python do not (split, norm, unique, unflatten)
_NUMPY_NAMES = {"axis": "dim", "keepdims": "keepdim", "x": "input", "a": "input",
                "x1": "input", "x2": "other"}
_WRITTEN_IN_PYTHON = frozenset({"split", "norm", "unique", "unflatten"})


def _numpy_names(name: str, fn) -> dict:
    """The NumPy names fn takes as torch's parser would, each with the name fn knows."""
    if name in _WRITTEN_IN_PYTHON or name.startswith("__"):
        return {}
    params = inspect.signature(fn).parameters
    return {alias: own for alias, own in _NUMPY_NAMES.items()
            if own in params and alias not in params}


def _renamed(kwargs: dict, names: dict) -> dict:
    return {names.get(k, k) if names.get(k) not in kwargs else k: v for k, v in kwargs.items()}


def torch_function(name: str, fn, arg: str = "input"):
    """fn published as torch.<name>, its arguments bound as torch's parser binds them: NumPy's
    keyword names taken, and a first argument that is not a Tensor refused with torch's
    TypeError (naming it `arg`), not the AttributeError fn meets when it reads the argument.
    That check runs only once fn has failed, so a good call costs one frame."""
    params = list(inspect.signature(fn).parameters)
    tensor_first = bool(params) and params[0] in ("input", "A")
    names = _numpy_names(name, fn)
    if not tensor_first and not names:
        return fn

    @functools.wraps(fn)
    def call(*args, **kwargs):
        if kwargs and names and not names.keys().isdisjoint(kwargs):
            kwargs = _renamed(kwargs, names)
        try:
            return fn(*args, **kwargs)
        except AttributeError:
            if not tensor_first or not args or isinstance(args[0], Tensor):
                raise
            if name in _OVERLOADED:
                raise invalid_combination(name, args, kwargs) from None
            raise arg_error(name, arg, 1, args[0]) from None
    return call


def torch_method(name: str, fn):
    """fn published as Tensor.<name>, taking NumPy's keyword names as torch's parser does."""
    names = _numpy_names(name, fn)
    names.pop("x", None), names.pop("a", None), names.pop("x1", None)   # self is no keyword
    if not names:
        return fn

    @functools.wraps(fn)
    def method(*args, **kwargs):
        if kwargs and not names.keys().isdisjoint(kwargs):
            kwargs = _renamed(kwargs, names)
        return fn(*args, **kwargs)
    return method


def as_method(fn):
    """Tensor.<name>: fn with self first, its argument errors counted as a method's (from 1,
    self not listed)."""
    @functools.wraps(fn)
    def method(self, *args, **kwargs):
        try:
            return fn(self, *args, **kwargs)
        except TypeError as e:
            if hasattr(e, "argument"):
                fname, arg, pos, value = e.argument
                raise arg_error(fname, arg, pos - 1, value) from None
            if hasattr(e, "combination"):
                fname, args = e.combination
                raise invalid_combination(fname, args[1:]) from None
            raise
    return method


def _is_dims(value) -> bool:
    return value is None or is_int(value) or (
        isinstance(value, (tuple, list)) and all(is_int(d) for d in value))


_KINDS = {  # argument kind: (accepts, what the message says it must be)
    "int": (is_int, "int"),
    "dims": (_is_dims, "tuple of ints"),
    "dim_tuple": (lambda v: v is not None and _is_dims(v), "tuple of ints"),
    "opt_int": (lambda v: v is None or is_int(v), "int"),
    "int_or_tensor": (lambda v: is_int(v) or isinstance(v, Tensor), "int"),
    "dims_or_bool": (lambda v: _is_dims(v) or isinstance(v, bool), "tuple of ints"),
}


def binding(name: str, impl, kinds: dict, *, overloads=(), method: bool):
    """impl behind PyTorch's argument checks: a missing required argument, and a wrongly typed
    one named by position (or keyword); a method does not count self. `overloads` are the (min, max) argument counts of PyTorch's overloads: unless exactly
    one of them fits the call, it reports "invalid combination of arguments" instead."""
    params = list(inspect.signature(impl).parameters.values())
    required = [p.name for p in params[1:] if p.default is p.empty and p.kind is not p.KEYWORD_ONLY]
    # the common call, whose checks all pass, needs neither sets nor messages: every required
    # argument positional, well typed, and no keyword that is checked
    n_required = 1 + len(required)
    positional_checks = [(i, _KINDS[kinds[p.name]][0]) for i, p in enumerate(params)
                         if p.name in kinds]
    special_keywords = frozenset(kinds)

    @functools.wraps(impl)
    def call(*args, **kwargs):
        if len(args) >= n_required and not (kwargs and special_keywords & kwargs.keys()):
            for i, accepts in positional_checks:
                if i < len(args) and not accepts(args[i]):
                    break
            else:
                return impl(*args, **kwargs)
        return checked(*args, **kwargs)

    def checked(*args, **kwargs):
        given = {p.name for p in params[:len(args)]} | set(kwargs)
        for p in required:
            if p not in given:
                raise TypeError(f'{name}() missing 1 required positional arguments: "{p}"')
        slots = [(p.name, v, i) for i, (p, v) in enumerate(zip(params, args))]
        slots += [(k, v, None) for k, v in kwargs.items()]
        for arg, value, pos in slots:
            kind = kinds.get(arg)
            if kind is None or _KINDS[kind][0](value):
                continue
            n = len(args) - 1 + len(kwargs)
            if overloads and len([1 for lo, hi in overloads if lo <= n <= hi]) != 1:
                raise invalid_combination(name, args[1:] if method else args, kwargs)
            where = f" (position {pos + (0 if method else 1)})" if pos is not None else ""
            raise TypeError(f"{name}(): argument '{arg}'{where} must be {_KINDS[kind][1]}, not "
                            f"{type_name(value)}")
        return impl(*args, **kwargs)
    return call
