"""What torch's Python argument parser does to a call of a published torch.<name> function
or Tensor.<name> method, before or instead of the op: NumPy's keyword names, the order it checks
parameters in (each in turn: its type, or that it is missing), its words for a call that left
arguments out, and the bindings it lets a Python number into. Ops raise their own refusals
(arguments.py); the wrappers here turn Python's and the ops' into torch's, only once a call
has failed, so a good call costs one frame."""
from __future__ import annotations

import functools
import inspect
import re

from ..tensor import Tensor
from .arguments import arg_error, combination_of, fitting_signatures, is_number, left_out
from .torch_bindings import (FUNCTION_OVERLOADS, FUNCTIONS_IN_PYTHON, METHOD_OVERLOADS,
                             METHODS_IN_PYTHON)

__all__ = ["NUMBERS_AS_TENSORS", "torch_function", "torch_method"]


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
            if signatures is not None and \
                    len(fitting_signatures(signatures, args, kwargs)) != 1:
                return combination_of(name, signatures, args, kwargs)
            return arg_error(name, arg, 1, args[0])
        if isinstance(error, AttributeError):
            return _not_a_tensor(name, fn, args, kwargs)
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


def _not_a_tensor(name: str, fn, args, kwargs) -> TypeError | None:
    """torch's refusal of the first argument fn declares a Tensor that is not one (fn met it
    as an AttributeError when it read the argument), or None when every one is a Tensor."""
    try:
        bound = inspect.signature(fn).bind_partial(*args, **kwargs).arguments
    except TypeError:
        return None
    for position, param in enumerate(inspect.signature(fn).parameters.values()):
        value = bound.get(param.name)
        if param.annotation in ("Tensor", Tensor) and param.name in bound and \
                not isinstance(value, Tensor) and (value is not None or param.default is not None):
            return arg_error(name, param.name, position + 1, value)
    return None


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
