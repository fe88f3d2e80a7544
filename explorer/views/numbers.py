"""Numbers printed one way in every picture and table: PyTorch's way (torch/_tensor_str.py), so a
table cell reads 0.1000 beside a printed tensor([0.1000, ...]), never 0.10000000149011612."""
from __future__ import annotations

import math
from collections.abc import Sequence

from ..model import Values

__all__ = ["torch_number", "torch_numbers", "torch_values"]


def torch_numbers(values: Sequence, precision: int = 4) -> list[str]:
    """The numbers of one tensor, each as PyTorch prints it there (torch/_tensor_str.py): one
    notation for all, chosen from the nonzero finite values: `1.` when all are whole,
    scientific when they span more than 1000x or leave [1e-4, 1e8], else `precision`
    decimals, so float32's 0.1 reads 0.1000, not 0.10000000149011612. Integers and bools as
    written."""
    if not any(isinstance(v, float) for v in values):
        return [str(v) for v in values]
    nonzero = [abs(v) for v in values if v and math.isfinite(v)]
    if nonzero and (max(nonzero) / min(nonzero) > 1000.0 or max(nonzero) > 1.0e8
                    or min(nonzero) < 1.0e-4):
        return [format(v, f".{precision}e") for v in values]
    if all(float(v).is_integer() for v in values if v and math.isfinite(v)):
        return [f"{v:.0f}." if math.isfinite(v) else f"{v:.0f}" for v in values]
    return [format(v, f".{precision}f") for v in values]


def torch_number(value: float | int) -> str:
    """One number as PyTorch prints a tensor holding only it: 2.8284, 3., 1.0000e-05."""
    return torch_numbers([value])[0]


def torch_values(values: Values) -> str:
    """A complete tensor's values on one line as PyTorch prints them, without the `tensor(...)`
    around them: `0.1000`, `[1., 2.]`, `[[0.1000, 0.2000], [0.3000, 0.4000]]`, `[], size=(2, 0)`."""
    if 0 in tuple(values.shape):
        return "[]" + (f", size={tuple(values.shape)}" if len(values.shape) > 1 else "")
    flat: list = []

    def walk(data) -> None:
        if isinstance(data, (tuple, list)):
            for item in data:
                walk(item)
        else:
            flat.append(data)

    walk(values.data)
    printed = iter(torch_numbers(flat))

    def nest(data) -> str:
        if isinstance(data, (tuple, list)):
            return "[" + ", ".join(nest(item) for item in data) + "]"
        return next(printed)

    return nest(values.data)
