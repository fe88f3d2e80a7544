"""Numbers printed one way in every picture and table: PyTorch's way (torch/_tensor_str.py), so a
table cell reads 0.1000 beside a printed tensor([0.1000, ...]), never 0.10000000149011612.
One notation chooser serves a bare number, a graph label and a whole printed tensor."""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from ..model import Values

__all__ = ["shape_text", "tensor_text", "torch_number", "torch_numbers", "torch_values"]

LINE_WIDTH = 80          # torch.set_printoptions' linewidth
PRECISION = 4            # and precision
DEFAULT_DTYPES = ("torch.float32", "torch.int64", "torch.bool")


def _notation(values: Sequence) -> tuple[Callable[[object], str], int]:
    """How PyTorch prints each number of one tensor, and the width it pads them to. Integers
    and bools as written; floats in one notation chosen from the nonzero finite values:
    scientific when they span over 1000x or pass 1e8, or (unless all are whole) go below 1e-4;
    else `1.` when all are whole, PRECISION decimals when not. The width comes from the nonzero
    finite numbers only, as in torch/_tensor_str.py."""
    if any(isinstance(v, bool) for v in values) or not any(isinstance(v, float) for v in values):
        return str, max((len(str(v)) for v in values), default=1)
    finite = [float(v) for v in values if math.isfinite(v) and v != 0]
    size = [abs(v) for v in finite]

    def whole(v: float) -> str:
        return f"{v:.0f}." if math.isfinite(v) else f"{v:.0f}"

    def science(v: float) -> str:
        return f"{v:.{PRECISION}e}"

    def fixed(v: float) -> str:
        return f"{v:.{PRECISION}f}"

    spread = bool(size) and (max(size) / min(size) > 1000.0 or max(size) > 1e8)
    if not finite:
        one = whole
    elif all(v.is_integer() for v in finite):
        one = science if spread else whole
    else:
        one = science if spread or min(size) < 1e-4 else fixed
    return (lambda v: one(float(v))), max((len(one(v)) for v in finite), default=1)


def torch_numbers(values: Sequence) -> list[str]:
    """The numbers of one tensor, each as PyTorch prints it there, unpadded: float32's 0.1 reads
    0.1000, a whole-number tensor 1., 2., a wide-ranging one 1.0000e-05."""
    one, _ = _notation(values)
    return [one(v) for v in values]


def torch_number(value: float | int) -> str:
    """One number as PyTorch prints a tensor holding only it: 2.8284, 3., 1.0000e-05."""
    return torch_numbers([value])[0]


def shape_text(shape: tuple) -> str:
    """A shape as Python writes the tuple, without its brackets: `2, 3` or `4,`."""
    return ", ".join(str(s) for s in shape) if len(shape) != 1 else f"{shape[0]},"


def _flatten(data):
    if isinstance(data, (tuple, list)):
        for d in data:
            yield from _flatten(d)
    else:
        yield data


def torch_values(values: Values) -> str:
    """A complete tensor's values on one line as PyTorch prints them, without the `tensor(...)`
    around them: `0.1000`, `[1., 2.]`, `[[0.1000, 0.2000], [0.3000, 0.4000]]`, `[], size=(2, 0)`."""
    if 0 in tuple(values.shape):
        return "[]" + (f", size={tuple(values.shape)}" if len(values.shape) > 1 else "")
    printed = iter(torch_numbers(list(_flatten(values.data))))

    def nest(data) -> str:
        if isinstance(data, (tuple, list)):
            return "[" + ", ".join(nest(item) for item in data) + "]"
        return next(printed)

    return nest(values.data)


def tensor_text(values: Values | None, dtype: str = "torch.float32") -> str | None:
    """`values` as PyTorch prints the tensor: its own text when the Run carries it, else the
    same layout rebuilt from the numbers (all of them up to 1,000 elements; beyond that the
    shape, the first numbers and min/max/mean)."""
    if values is None:
        return None
    if values.text:
        return values.text
    suffix = f", dtype={dtype}" if dtype not in DEFAULT_DTYPES else ""
    shape = shape_text(values.shape)
    if not values.complete:
        first = ", ".join(torch_numbers(list(values.data[:8])))
        stats = "  ".join(f"{k}={torch_number(v)}" for k, v in (
            ("min", values.min), ("max", values.max), ("mean", values.mean)) if v is not None)
        return f"tensor([{first}, ...], size=({shape}){suffix})  {stats}".rstrip()
    flat = list(_flatten(values.data))
    if not flat:
        size = f", size=({shape})" if len(values.shape) > 1 else ""
        return f"tensor([]{size}{suffix})"
    one, width = _notation(flat)
    indent = len("tensor(")
    if not values.shape:
        body = one(flat[0])
    else:
        body = _nested(values.data, len(values.shape), indent, lambda v: one(v).rjust(width))
    return f"tensor({body}{suffix})"


def _nested(data, dims: int, indent: int, fmt) -> str:
    if dims == 1:
        items = [fmt(v) for v in data]
        per_line = max(1, (LINE_WIDTH - indent) // (len(items[0]) + 2)) if items else 1
        lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    parts = [_nested(d, dims - 1, indent + 1, fmt) for d in data]
    return "[" + ("," + "\n" * (dims - 1) + " " * (indent + 1)).join(parts) + "]"
