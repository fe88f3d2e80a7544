"""What an exercise asks of the learner's code, checked against its Run.

A check is a pure function of a Run: it reads the variables the code left behind (shapes,
strides, storage, values, gradients) and returns None when they are as asked, or a Failure
naming what is not. So the lessons page only shows a verdict, and tests run every check on a
right and a wrong answer without a browser. What is typed in here is only what the task asks
for (a shape, a dtype, a bound on a loss); values are never: they are compared with a tensor
the same code computed another way (a reference the exercise's code builds).

    checks = (runs_clean(), shape("flat", (6,)), shares("flat", "x"))
    failures = verdict(checks, run)       # [] when solved
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from ..model import Run, TensorInfo, Values

__all__ = ["Check", "Failure", "below", "contiguous", "dtype", "flag", "grad_matches",
           "has_parameters", "runs_clean", "same_values", "shape", "shares", "tensor",
           "values_of", "verdict"]


@dataclass(frozen=True)
class Failure:
    """Why a check did not pass: a text key (`exercise.fail.<kind>`) and its fields."""

    kind: str
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"exercise.fail.{self.kind}"


Check = Callable[[Run], Failure | None]


def tensor(run: Run, name: str) -> TensorInfo | None:
    """The tensor (or Parameter) the code left in variable `name`, if any."""
    return next((v.tensor for v in run.variables if v.name == name and v.tensor is not None),
                None)


def _flat(data) -> list[float]:
    if isinstance(data, (tuple, list)):
        return [x for item in data for x in _flat(item)]
    return [float(data)]


def values_of(values: Values | None) -> list[float] | None:
    """A tensor's numbers, flattened in row-major order; None when the Run holds only a prefix."""
    if values is None or not values.complete:
        return None
    return _flat(values.data)


def _close(a: list[float] | None, b: list[float] | None) -> bool:
    return (a is not None and b is not None and len(a) == len(b)
            and all(math.isclose(x, y, rel_tol=1e-4, abs_tol=1e-6) for x, y in zip(a, b)))


def _needs(name: str, run: Run) -> tuple[TensorInfo | None, Failure | None]:
    found = tensor(run, name)
    return found, (None if found is not None else Failure("missing", {"name": name}))


def _pair(run: Run, name: str, other: str) -> tuple[TensorInfo, TensorInfo, Failure | None]:
    a, missing = _needs(name, run)
    b, missing_other = _needs(other, run)
    return a, b, missing or missing_other


def runs_clean() -> Check:
    """The code runs to the end without an error."""
    def check(run: Run) -> Failure | None:
        return None if run.error is None else Failure("error", {"error": run.error.type})
    return check


def shape(name: str, wanted: tuple[int, ...]) -> Check:
    """Variable `name` is a tensor of this shape."""
    def check(run: Run) -> Failure | None:
        found, missing = _needs(name, run)
        if missing or tuple(found.shape) == tuple(wanted):
            return missing
        return Failure("shape", {"name": name, "wanted": str(tuple(wanted)),
                                 "got": str(tuple(found.shape))})
    return check


def dtype(name: str, wanted: str) -> Check:
    """Variable `name` has this dtype, e.g. "torch.float32"."""
    def check(run: Run) -> Failure | None:
        found, missing = _needs(name, run)
        if missing or found.dtype == wanted:
            return missing
        return Failure("dtype", {"name": name, "wanted": wanted, "got": found.dtype})
    return check


def _storage(run: Run, name: str) -> int | None:
    """The storage a tensor or a NumPy array lies in (an array that shares a tensor's memory
    lies in that tensor's storage); None for a name that is neither, or an array of its own."""
    for variable in run.variables:
        if variable.name == name and variable.tensor is not None:
            return variable.tensor.storage_id
        if variable.name == name and variable.array is not None:
            return variable.array.storage_id
    return None


def shares(name: str, other: str, expected: bool = True) -> Check:
    """`name` lies in the same storage as `other` (a view, or a tensor over a NumPy array's
    memory), or, with expected=False, not (a copy)."""
    def check(run: Run) -> Failure | None:
        a, b = _storage(run, name), _storage(run, other)
        if a is None and not any(v.name == name for v in run.variables):
            return Failure("missing", {"name": name})
        if (a is not None and a == b) == expected:
            return None
        return Failure("shares" if expected else "copies", {"name": name, "other": other})
    return check


def contiguous(name: str, expected: bool = True) -> Check:
    """`name` is (or, with expected=False, is not) contiguous."""
    def check(run: Run) -> Failure | None:
        found, missing = _needs(name, run)
        if missing or found.is_contiguous == expected:
            return missing
        return Failure("contiguous" if expected else "not_contiguous", {"name": name})
    return check


def flag(name: str, attribute: str, expected: bool) -> Check:
    """A boolean attribute of `name` (requires_grad, is_leaf) has this value."""
    def check(run: Run) -> Failure | None:
        found, missing = _needs(name, run)
        if missing or getattr(found, attribute) == expected:
            return missing
        return Failure("flag", {"name": name, "attribute": attribute, "wanted": str(expected)})
    return check


def same_values(name: str, other: str) -> Check:
    """`name` holds the same numbers as `other` (a reference the code computed another way)."""
    def check(run: Run) -> Failure | None:
        a, b, missing = _pair(run, name, other)
        if missing:
            return missing
        if tuple(a.shape) == tuple(b.shape) and _close(values_of(a.values), values_of(b.values)):
            return None
        return Failure("values", {"name": name, "other": other})
    return check


def grad_matches(name: str, other: str) -> Check:
    """`name.grad` holds the same numbers as tensor `other` (e.g. the gradient autograd found
    through built-in ops, next to the one a hand-written backward gave)."""
    def check(run: Run) -> Failure | None:
        a, b, missing = _pair(run, name, other)
        if missing:
            return missing
        if _close(values_of(a.grad), values_of(b.values)):
            return None
        return Failure("grad", {"name": name, "other": other})
    return check


def below(name: str, limit: float) -> Check:
    """The last value of tensor `name` (e.g. a history of losses) is below `limit`."""
    def check(run: Run) -> Failure | None:
        found, missing = _needs(name, run)
        if missing:
            return missing
        numbers = values_of(found.values)
        if numbers and numbers[-1] < limit:
            return None
        return Failure("below", {"name": name, "limit": str(limit)})
    return check


def has_parameters(module: str, names: tuple[str, ...]) -> Check:
    """Module `module` registered parameters with these names (as named_parameters() lists)."""
    def check(run: Run) -> Failure | None:
        found = next((v for v in run.variables if v.name == module and v.kind == "module"),
                     None)
        if found is None:
            return Failure("missing", {"name": module})
        registered = {name for name, _ in found.parameters}
        absent = [name for name in names if name not in registered]
        return Failure("parameters", {"name": module, "absent": ", ".join(absent)}) if absent \
            else None
    return check


def verdict(checks: tuple[Check, ...], run: Run) -> list[Failure]:
    """Every failed check, in order; [] when the exercise is solved. A run that stopped with an
    error fails only `runs_clean`, since the variables it left are half-made."""
    failures = [failure for failure in (check(run) for check in checks) if failure]
    errors = [failure for failure in failures if failure.kind == "error"]
    return errors or failures
