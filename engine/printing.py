"""PyTorch's tensor repr (torch/_tensor_str.py), byte for byte, as pure functions over NumPy data.

Only dense CPU tensors of real dtypes, and meta tensors (format_meta: no values), exist in this
engine, so the layout, sparse, quantized, nested and complex branches of PyTorch's printer and
its other devices have no counterpart here.
"""
from __future__ import annotations

import contextlib
import dataclasses
import math
from collections.abc import Callable, Iterator
from itertools import compress
from typing import Any

import numpy as np

from . import dtypes

__all__ = ["format_tensor", "format_meta", "set_printoptions", "get_printoptions", "printoptions"]


@dataclasses.dataclass
class _Options:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


_OPTS = _Options()

_PROFILES = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """torch.set_printoptions: a profile resets four options, explicit arguments override it.

    As in PyTorch, sci_mode is always assigned, so omitting it restores automatic choice, and an
    unknown profile name is silently ignored.
    """
    for name, value in _PROFILES.get(profile, {}).items():
        setattr(_OPTS, name, value)
    overrides = {"precision": precision, "threshold": threshold, "edgeitems": edgeitems,
                 "linewidth": linewidth}
    for name, value in overrides.items():
        if value is not None:
            setattr(_OPTS, name, value)
    _OPTS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """The current options, as keyword arguments that set_printoptions accepts."""
    return dataclasses.asdict(_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs: Any) -> Iterator[None]:
    """Temporarily apply set_printoptions(**kwargs), restoring the previous options on exit."""
    saved = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**saved)


def _float_renderer(nonzero: list[float], precision: int,
                    sci_mode: bool | None) -> Callable[[float], str]:
    """The notation PyTorch picks from the nonzero finite values of a floating tensor.

    Integer notation (`1.`) when all are whole; scientific when their magnitudes span over 1000x
    or leave [1e-4, 1e8], unless sci_mode forces it. No such values means integer notation.
    """
    sci = False
    if nonzero:
        magnitudes = [abs(v) for v in nonzero]
        largest, smallest = max(magnitudes), min(magnitudes)
        auto_sci = largest / smallest > 1000.0 or largest > 1.0e8 or smallest < 1.0e-4
        sci = auto_sci if sci_mode is None else sci_mode
    if sci:
        spec = f".{precision}e"
        return lambda v: format(v, spec)
    if all(v.is_integer() for v in nonzero):
        return lambda v: f"{v:.0f}." if math.isfinite(v) else f"{v:.0f}"
    spec = f".{precision}f"
    return lambda v: format(v, spec)


def _format_cells(flat: list, floating: bool) -> tuple[list[str], int]:
    """Render every element in one notation, right-aligned to a shared width.

    For floats only nonzero finite values set the width, so zeros, nan and inf may stick out
    (PyTorch's behaviour). Returns the cells and the width used for line wrapping.
    """
    if floating:
        counted = [bool(v) and math.isfinite(v) for v in flat]
        render = _float_renderer(list(compress(flat, counted)), _OPTS.precision, _OPTS.sci_mode)
        texts = [render(v) for v in flat]
        width = max(map(len, compress(texts, counted)), default=1)
    else:
        texts = [str(v) for v in flat]
        width = max(map(len, texts), default=1)
    return [t.rjust(width) for t in texts], width


def _summarize(values: np.ndarray, edgeitems: int) -> tuple[np.ndarray, list[bool]]:
    """Keep only the leading and trailing `edgeitems` along every axis longer than twice that.

    Returns the kept elements (the only ones printed, and so the only ones PyTorch's formatter
    inspects) and, per axis, whether an ellipsis replaces the middle. Slicing before copying keeps
    the cost proportional to the kept elements, even for broadcast views.
    """
    cut = []
    for axis, size in enumerate(values.shape):
        cut.append(size > 2 * edgeitems)
        if cut[-1]:
            lead = (slice(None),) * axis
            values = np.concatenate((values[lead + (slice(0, edgeitems),)],
                                     values[lead + (slice(size - edgeitems, size),)]), axis=axis)
    return values, cut


class _Layout:
    """Nests row-major cells into brackets, wrapping rows and marking summarized axes."""

    def __init__(self, cells: list[str], width: int, shape: tuple[int, ...], cut: list[bool]):
        self.cells = iter(cells)
        self.width = width
        self.shape = shape
        self.cut = cut

    def block(self, depth: int, indent: int) -> str:
        """The bracketed block for axis `depth`; a rank-r block puts r-1 newlines between parts."""
        rank = len(self.shape) - depth
        if rank == 1:
            return self.row(depth, indent)
        parts = [self.block(depth + 1, indent + 1) for _ in range(self.shape[depth])]
        if self.cut[depth]:
            parts.insert(_OPTS.edgeitems, "...")
        return "[" + ("," + "\n" * (rank - 1) + " " * (indent + 1)).join(parts) + "]"

    def row(self, depth: int, indent: int) -> str:
        """One innermost row, wrapped so each line fits linewidth after the indent."""
        items = [next(self.cells) for _ in range(self.shape[depth])]
        edge = _OPTS.edgeitems
        if self.cut[depth]:
            items = ["..."] if not edge else items[:edge] + [" ..."] + items[edge:]
        per_line = max(1, math.floor((_OPTS.linewidth - indent) / (self.width + 2)))
        lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _data_str(values: np.ndarray, floating: bool, indent: int) -> str:
    """The element part of a non-empty tensor's repr."""
    if values.size > _OPTS.threshold:
        values, cut = _summarize(values, _OPTS.edgeitems)
    else:
        cut = [False] * values.ndim
    cells, width = _format_cells(values.ravel().tolist(), floating)
    if values.ndim == 0:
        return cells[0]
    return _Layout(cells, width, values.shape, cut).block(0, indent)


def _add_suffixes(text: str, suffixes: list[str], indent: int) -> str:
    """Append `, key=value` parts, moving one to a new line when it would overflow linewidth.

    The last line's length is over-counted by two, exactly as PyTorch counts it.
    """
    out = [text]
    line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if line_len + len(suffix) + 2 > _OPTS.linewidth:
            out.append(",\n" + " " * indent + suffix)
            line_len = indent + len(suffix)
        else:
            out.append(", " + suffix)
            line_len += len(suffix) + 2
    out.append(")")
    return "".join(out)


def format_tensor(values: np.ndarray, dtype: dtypes.dtype, *, requires_grad: bool = False,
                  grad_fn_name: str | None = None) -> str:
    """What repr() shows for a dense CPU tensor holding `values` with the given autograd state.

    The dtype is named when the elements cannot reveal it: always for empty tensors unless it is
    the default dtype, otherwise unless it is the default dtype, int64 or bool.
    """
    values = np.asarray(values)
    prefix = "tensor("
    indent = len(prefix)
    suffixes = []
    shape = "size=" + str(tuple(int(n) for n in values.shape))
    if values.size == 0:
        if values.ndim != 1:
            suffixes.append(shape)
        if dtype != dtypes.get_default_dtype():
            suffixes.append(f"dtype={dtype!r}")
        body = "[]"
    else:
        if not _OPTS.edgeitems:
            suffixes.append(shape)
        if dtype not in (dtypes.get_default_dtype(), dtypes.int64, dtypes.bool):
            suffixes.append(f"dtype={dtype!r}")
        body = _data_str(values, dtype.is_floating_point, indent)
    if grad_fn_name is not None:
        suffixes.append(f"grad_fn=<{grad_fn_name}>")
    elif requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, indent)


def format_meta(values: np.ndarray, dtype: dtypes.dtype, *, requires_grad: bool = False,
                grad_fn_name: str | None = None) -> str:
    """What repr() shows for a meta tensor: no values, its device and size, and its dtype
    unless it is the default dtype (int64 and bool are named too)."""
    suffixes = ["device='meta'", "size=" + str(tuple(int(n) for n in values.shape))]
    if dtype != dtypes.get_default_dtype():
        suffixes.append(f"dtype={dtype!r}")
    if grad_fn_name is not None:
        suffixes.append(f"grad_fn=<{grad_fn_name}>")
    elif requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes("tensor(...", suffixes, len("tensor("))
