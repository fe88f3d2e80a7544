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
import re

import numpy as np

from ..tensor import Tensor
from .registry import scalar_tensor
from .torch_bindings import (FUNCTION_OVERLOADS, FUNCTIONS_IN_PYTHON, METHOD_OVERLOADS,
                             METHODS_IN_PYTHON)

__all__ = ["ABSENT", "NUMBERS_AS_TENSORS", "arg_error", "as_method", "binding", "invalid_combination",
           "is_int", "is_number", "left_out", "missing_arguments", "number", "operand", "tensor_arg", "torch_function",
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


# torch's argument parser takes NumPy's names for four of its own (torch.sum(a=t, axis=0,
# keepdims=True)); the functions torch writes in Python do not (torch_bindings.*_IN_PYTHON)
_NUMPY_NAMES = {"axis": "dim", "keepdims": "keepdim", "x": "input", "a": "input",
                "x1": "input", "x2": "other"}


def _numpy_names(name: str, fn, in_python: frozenset) -> dict:
    """The NumPy names fn takes as torch's parser would, each with the name fn knows."""
    if name in in_python or name.startswith("__"):
        return {}
    params = inspect.signature(fn).parameters
    return {alias: own for alias, own in _NUMPY_NAMES.items()
            if own in params and alias not in params}


def _renamed(kwargs: dict, names: dict) -> dict:
    return {names.get(k, k) if names.get(k) not in kwargs else k: v for k, v in kwargs.items()}


# Python's words for a call that leaves out arguments, from binding the function itself
_MISSING = re.compile(r"(?P<fn>[\w.<>]+)\(\) missing \d+ required positional arguments?: "
                      r"(?P<names>'.*)$")


def _qualnames(fn) -> frozenset:
    """The names Python's binding errors give fn and the functions it wraps."""
    names = set()
    while fn is not None:
        names.add(getattr(fn, "__qualname__", None))
        fn = getattr(fn, "__wrapped__", None)
    return frozenset(names)


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
        fits = _fitting(signatures, args, kwargs)
        if len(fits) != 1:
            return _combination(name, signatures, args, kwargs)
        missing = [p for i, (p, required) in enumerate(fits[0])
                   if required and i >= len(args) and p not in (kwargs or {})]
    return missing_arguments(name, missing)


def _fitting(signatures: tuple, args, kwargs) -> list:
    """The signatures torch finds plausible for a call: those the number of arguments fits
    (torch then reports that one's own error, or, for none or several, the combination)."""
    given = len(args) + len(kwargs or {})
    return [params for params in map(_parameters, signatures)
            if sum(required for _, required in params) <= given <= len(params)]


def _combination(name: str, signatures: tuple, args, kwargs) -> TypeError:
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


def _python_left_out(error: TypeError, name: str, fn, own: frozenset, overloads: dict, args,
                     kwargs, first: str | None = None) -> TypeError | None:
    """torch's words for Python's refusal to bind fn itself (None for any other error).
    `first`: torch's name for fn's first argument, where it has another; a missing first
    argument takes fn's varargs along, as torch counts them."""
    match = _MISSING.match(str(error))
    if match is None or match["fn"] not in own:
        return None
    missing = re.findall(r"'(\w+)'", match["names"])
    params = list(inspect.signature(fn).parameters.values())
    if params and missing[:1] == [params[0].name]:
        missing[0] = first or missing[0]
        missing += [p.name for p in params if p.kind is p.VAR_POSITIONAL]
    return left_out(name, missing, overloads, args, kwargs)


def _required(fn, skip: int = 0) -> bool:
    """Whether fn has a positional argument without a default after the first `skip`."""
    params = list(inspect.signature(fn).parameters.values())[skip:]
    return any(p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
               for p in params)


def torch_function(name: str, fn, arg: str = "input"):
    """fn published as torch.<name>, its arguments bound as torch's parser binds them: NumPy's
    keyword names taken, then, in torch's order (each parameter in turn: its type, or that it
    is missing), a first argument that is not a Tensor refused as torch refuses it (naming it
    `arg`; not the AttributeError fn meets when it reads the argument), a call missing
    arguments refused in torch's words, and an alias's errors named by the alias. The checks
    run only once fn has failed, so a good call costs one frame. What torch writes in Python
    says what Python says."""
    if name in FUNCTIONS_IN_PYTHON or inspect.isclass(fn):
        return fn
    params = list(inspect.signature(fn).parameters)
    tensor_first = bool(params) and params[0] in ("input", "A")
    names = _numpy_names(name, fn, FUNCTIONS_IN_PYTHON)
    if not (tensor_first or names or _required(fn)):
        return fn
    own = _qualnames(fn)

    def refusal(error: Exception, args, kwargs) -> TypeError | None:
        """torch's refusal of this call, where `error` is fn's refusal of its arguments."""
        if tensor_first and args and not isinstance(args[0], Tensor) and (
                isinstance(error, AttributeError) or _refuses_first(error, own)) and not (
                name in NUMBERS_AS_TENSORS and is_number(args[0])):
            signatures = FUNCTION_OVERLOADS.get(name)
            if signatures is not None and len(_fitting(signatures, args, kwargs)) != 1:
                return _combination(name, signatures, args, kwargs)
            return arg_error(name, arg, 1, args[0])
        if isinstance(error, AttributeError):
            return None
        argument = getattr(error, "argument", None)
        if argument is not None and argument[0] in own and argument[0] != name:
            return arg_error(name, *argument[1:])        # an alias: torch names the alias
        left_out = _python_left_out(error, name, fn, own, FUNCTION_OVERLOADS, args, kwargs,
                                    arg if tensor_first else None)
        spoken = next((q for q in own if q != name and str(error).startswith(f"{q}() ")), None)
        if left_out is None and spoken is not None and argument is None:
            return TypeError(name + str(error)[len(spoken):])   # Python's words, the alias's
        return left_out

    @functools.wraps(fn)
    def call(*args, **kwargs):
        if kwargs and names and not names.keys().isdisjoint(kwargs):
            kwargs = _renamed(kwargs, names)
        try:
            return fn(*args, **kwargs)
        except (TypeError, AttributeError) as error:
            torchs = refusal(error, args, kwargs)
            if torchs is None:
                raise
            raise torchs from None
    return call


# the bindings whose tensors torch's parser lets a Python number stand for
NUMBERS_AS_TENSORS = frozenset({"add", "sub", "mul", "div", "true_divide", "floor_divide"})


def _refuses_first(error: Exception, own: frozenset) -> bool:
    """Whether fn refused a call for its first argument's type or for missing arguments
    (torch checks the first argument's type before it counts the rest)."""
    argument = getattr(error, "argument", None)
    if argument is not None:
        return argument[0] in own and argument[2] == 1
    match = _MISSING.match(str(error))
    return hasattr(error, "missing") or match is not None and match["fn"] in own


def torch_method(name: str, fn):
    """fn published as Tensor.<name>, taking NumPy's keyword names as torch's parser does and
    refusing a call that leaves out arguments in torch's words."""
    if name in METHODS_IN_PYTHON or name.startswith("__"):
        return fn
    names = _numpy_names(name, fn, METHODS_IN_PYTHON)
    names.pop("x", None), names.pop("a", None), names.pop("x1", None)   # self is no keyword
    if not (names or _required(fn, skip=1)):
        return fn
    own = _qualnames(fn)

    @functools.wraps(fn)
    def method(self, *args, **kwargs):
        if kwargs and names and not names.keys().isdisjoint(kwargs):
            kwargs = _renamed(kwargs, names)
        try:
            return fn(self, *args, **kwargs)
        except TypeError as e:
            torchs = _python_left_out(e, name, fn, own, METHOD_OVERLOADS, args, kwargs)
            if torchs is None:
                raise
            raise torchs from None
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
