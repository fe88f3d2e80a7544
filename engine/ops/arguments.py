"""Argument binding for the op families: what PyTorch's Python binding accepts, and how it
refuses the rest, with its messages ("argument 'other' (position 2) must be Tensor").

Pointwise ops check their operands inline (`tensor_arg`, `operand`: the hot path of every
`a * b`); reductions wrap their implementation in `binding`, which checks dims and PyTorch's
overloads. Both name types and report invalid combinations the same way, here; parser.py
turns Python's refusals of a published call into torch's.
"""
from __future__ import annotations

import functools
import inspect

import numpy as np

from ..tensor import Tensor
from .registry import scalar_tensor
from .torch_bindings import FUNCTION_OVERLOADS, METHOD_OVERLOADS

__all__ = ["ABSENT", "arg_error", "as_method", "binding", "combination_of", "fitting_signatures",
           "invalid_combination", "is_int", "is_number", "left_out", "missing_arguments", "number",
           "operand", "tensor_arg", "type_name"]


class _Absent:
    """The default of an optional `dim` that PyTorch tells apart from an explicit None (x.sum()
    is SumBackward0, x.sum(dim=None) is SumBackward1). Prints as None in signatures."""

    def __repr__(self) -> str:
        return "None"


ABSENT = _Absent()


_HEAP_TYPE = 1 << 9     # Py_TPFLAGS_HEAPTYPE: a class written in Python


def type_name(value) -> str:
    """The type as torch names it (CPython's tp_name): a builtin or a Python class by its name,
    a type written in C by its module too (numpy.ndarray)."""
    t = type(value)
    if t.__module__ == "builtins" or t.__flags__ & _HEAP_TYPE:
        return t.__name__
    return f"{t.__module__}.{t.__name__}"


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


def invalid_combination(fn: str, args, kwargs=None, expected: str | None = None) -> TypeError:
    """PyTorch's overload-resolution error; a method call does not list self. `expected`: the
    one signature torch shows, where it shows one."""
    shown = ["Tensor" if isinstance(a, Tensor) else type_name(a) for a in args]
    kw = "".join(f"{k}={type_name(v)}, " for k, v in reversed(list((kwargs or {}).items())))
    err = TypeError(f"{fn}() received an invalid combination of arguments - got "
                    f"({', '.join(shown)}{', ' if shown and kw else ''}{kw}), but expected "
                    f"{expected or 'one of:'}")
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


def missing_arguments(name: str, missing: list[str]) -> TypeError:
    """torch's refusal of a call that left out arguments (one binding, no overloads)."""
    plural = "s" if len(missing) == 1 else ""      # sic: torch's own grammar
    err = TypeError(f"{name}() missing {len(missing)} required positional argument{plural}: "
                    + ", ".join(f'"{p}"' for p in missing))
    err.missing = tuple(missing)
    return err


def left_out(name: str, missing: list[str], overloads: dict, args, kwargs=None) -> TypeError:
    """torch's refusal of a call of torch.<name> or Tensor.<name> (`overloads`: its table of
    signatures; args without self) that left out the `missing` arguments: those missing from
    the one signature the number of arguments fits, or an invalid combination."""
    signatures = overloads.get(name)
    if signatures is not None:
        fits = fitting_signatures(signatures, args, kwargs)
        if len(fits) != 1:
            return combination_of(name, signatures, args, kwargs)
        missing = [p for i, (p, required) in enumerate(fits[0])
                   if required and i >= len(args) and p not in (kwargs or {})]
    return missing_arguments(name, missing)


def fitting_signatures(signatures: tuple, args, kwargs) -> list:
    """The signatures torch finds plausible for a call: those the number of arguments fits
    (torch then reports that one's own error, or, for none or several, the combination)."""
    given = len(args) + len(kwargs or {})
    return [params for params in map(_parameters, signatures)
            if sum(required for _, required in params) <= given <= len(params)]


def combination_of(name: str, signatures: tuple, args, kwargs) -> TypeError:
    """torch's invalid combination for these signatures, showing the one it shows if one."""
    return invalid_combination(name, args, kwargs, signatures[0] if len(signatures) == 1 else None)


@functools.lru_cache(maxsize=None)
def _parameters(signature: str) -> tuple:
    """(name, required) of each parameter of a signature as torch prints it:
    "(Tensor input, int dim, bool keepdim = False, *, Tensor out = None)"."""
    params, depth, part = [], 0, ""
    for char in signature[1:-1] + ",":
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        if char == "," and depth == 0:
            declared, _, default = part.strip().partition(" = ")
            if declared and declared != "*":
                params.append((declared.split()[-1], not default))
            part = ""
        else:
            part += char
    return tuple(params)


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
    one named by position (or keyword); a method does not count self. `overloads` are the
    (min, max) argument counts of PyTorch's overloads: unless exactly one of them fits the
    call, it reports "invalid combination of arguments" instead."""
    params = list(inspect.signature(impl).parameters.values())
    required = [p.name for p in params if p.default is p.empty and p.kind is not p.KEYWORD_ONLY]
    # the common call, whose checks all pass, needs neither sets nor messages: every required
    # argument positional, well typed, and no keyword that is checked
    n_required = len(required)
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
        missing = [p for p in required if p not in given]
        if missing:
            raise left_out(name, missing, METHOD_OVERLOADS if method else FUNCTION_OVERLOADS,
                           args[1:] if method else args, kwargs)
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
