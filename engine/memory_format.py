"""Memory formats: the dimension orders a tensor's elements can be laid out in."""
from __future__ import annotations

__all__ = ["memory_format", "contiguous_format", "channels_last", "channels_last_3d",
           "preserve_format", "is_contiguous", "strides_for"]


class memory_format:
    __slots__ = ("name", "order")

    def __init__(self, name: str, order: tuple | None) -> None:
        self.name = name
        self.order = order  # dims from outermost to innermost in memory, for its rank

    def __repr__(self) -> str:
        return "torch." + self.name

    def __reduce__(self):
        return (_by_name, (self.name,))


contiguous_format = memory_format("contiguous_format", None)
channels_last = memory_format("channels_last", (0, 2, 3, 1))        # NHWC
channels_last_3d = memory_format("channels_last_3d", (0, 2, 3, 4, 1))  # NDHWC
preserve_format = memory_format("preserve_format", None)


def _by_name(name: str) -> memory_format:
    return {f.name: f for f in (contiguous_format, channels_last, channels_last_3d,
                                preserve_format)}[name]


def _order(fmt: memory_format | None, ndim: int) -> tuple:
    if fmt is None or fmt is contiguous_format:
        return tuple(range(ndim))
    if fmt.order is None or len(fmt.order) != ndim:
        raise RuntimeError(f"required rank {len(fmt.order or ())} tensor to use {fmt.name} format"
                           if fmt.order else f"invalid memory format {fmt}")
    return fmt.order


def strides_for(shape, fmt: memory_format | None = None) -> tuple:
    """The dense strides that lay `shape` out in `fmt` (PyTorch's contiguous strides)."""
    order = _order(fmt, len(shape))
    strides = [0] * len(shape)
    expected = 1
    for d in reversed(order):
        strides[d] = expected
        expected *= max(shape[d], 1)
    return tuple(strides)


def is_contiguous(shape, strides, fmt: memory_format | None = None) -> bool:
    """PyTorch's rule: walk dims innermost first; size-1 dims may have any stride."""
    if fmt is not None and fmt is not contiguous_format and len(shape) != len(fmt.order or ()):
        return False
    if any(n == 0 for n in shape):
        return True
    expected = 1
    for d in reversed(_order(fmt, len(shape))):
        if shape[d] != 1:
            if strides[d] != expected:
                return False
            expected *= shape[d]
    return True
