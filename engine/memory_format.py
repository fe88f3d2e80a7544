"""Memory formats: the dimension orders a tensor's elements can be laid out in.

Strides here are in elements. The rules are PyTorch's (c10/core/TensorImpl and MemoryFormat.h):
which strides a format gives a shape, when a layout counts as contiguous in a format, and which
layout a copy of a strided tensor gets (`dense_strides_like`, as empty_like/clone/TensorIterator).
"""
from __future__ import annotations

__all__ = ["memory_format", "contiguous_format", "channels_last", "channels_last_3d",
           "preserve_format", "is_contiguous", "strides_for", "dense_strides_like",
           "iterator_strides",
           "is_non_overlapping_and_dense", "suggest_memory_format"]


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


def _is_channels(fmt) -> bool:
    return fmt is channels_last or fmt is channels_last_3d


def strides_for(shape, fmt: memory_format | None = None) -> tuple:
    """The dense strides that lay `shape` out in `fmt` (PyTorch's contiguous strides).

    Contiguous strides treat a size-0 dim as 1; the channels-last ones multiply the raw sizes
    (so an empty NHWC tensor has zero strides), as PyTorch's get_channels_last_strides_2d does.
    """
    shape = tuple(shape)
    if _is_channels(fmt):
        if len(shape) != len(fmt.order):
            raise RuntimeError(f"required rank {len(fmt.order)} tensor to use {fmt.name} format")
        strides = [0] * len(shape)
        expected = 1
        for d in reversed(fmt.order):
            strides[d] = expected
            expected *= shape[d]
        return tuple(strides)
    strides = [0] * len(shape)
    expected = 1
    for d in reversed(range(len(shape))):
        strides[d] = expected
        expected *= max(shape[d], 1)
    return tuple(strides)


def is_contiguous(shape, strides, fmt: memory_format | None = None) -> bool:
    """PyTorch's rule: walk dims innermost first; size-1 dims may have any stride.

    An empty tensor is contiguous, but only in the default format; preserve_format asks about
    the default format (as TensorImpl::is_contiguous does).
    """
    if _is_channels(fmt):
        if len(shape) != len(fmt.order):
            return False
        order = fmt.order
    else:
        if any(n == 0 for n in shape):
            return True
        order = range(len(shape))
    expected = 1
    for d in reversed(order):
        if shape[d] != 1:
            if strides[d] != expected:
                return False
            expected *= shape[d]
    return True


def is_non_overlapping_and_dense(shape, strides) -> bool:
    """Every element of a block of numel() slots is used exactly once, in some dim order."""
    if len(shape) == 1:
        return shape[0] < 2 or strides[0] == 1
    if any(n == 0 for n in shape):
        return True
    expected = 1
    for n, s in sorted(((n, s) for n, s in zip(shape, strides) if n > 1), key=lambda ns: ns[1]):
        if s != expected:
            return False
        expected *= n
    return True


def dense_strides_like(shape, strides) -> tuple:
    """Dense strides that keep the dim order of `strides` (PyTorch's infer_dense_strides):
    a dense layout is kept as it is, anything else is packed in the same dim order."""
    shape, strides = tuple(shape), tuple(strides)
    if is_non_overlapping_and_dense(shape, strides):
        return strides
    return iterator_strides(shape, [strides], skip_ones=True)


def iterator_strides(shape, operands, *, skip_ones: bool = False) -> tuple:
    """The strides PyTorch's TensorIterator gives a new output of `shape` from its inputs.

    `operands` are the inputs' strides, already broadcast to `shape` (0 where broadcast). Dims
    are ordered innermost first by a stable insertion sort: for a pair of dims the first operand
    with a non-zero stride in both decides (smaller stride goes inside; on a tie the smaller dim
    goes inside, or the next operand decides); when no operand decides the pair is ambiguous and
    the dims keep their order. The output is then dense in that order (`skip_ones`: size-0 and
    size-1 dims don't scale the strides outside them, as in infer_dense_strides).
    """
    shape = tuple(shape)
    ndim = len(shape)
    perm = list(range(ndim - 1, -1, -1))

    def should_swap(d0: int, d1: int) -> int:
        for strides in operands:
            s0, s1 = strides[d0], strides[d1]
            if s0 == 0 or s1 == 0:
                continue
            if s0 != s1:
                return -1 if s0 < s1 else 1
            if shape[d0] > shape[d1]:
                return 1
        return 0

    for i in range(1, ndim):
        d1 = i
        for j in range(1, i + 1):
            d0 = i - j
            cmp = should_swap(perm[d0], perm[d1])
            if cmp > 0:
                perm[d0], perm[d1] = perm[d1], perm[d0]
                d1 = d0
            elif cmp < 0:
                break
    if not skip_ones and perm == list(range(ndim - 1, -1, -1)):
        return strides_for(shape)  # TensorIterator's shortcut: the plain contiguous strides
    out = [0] * ndim
    expected = 1
    for d in perm:
        out[d] = expected
        if shape[d] > 1 or not skip_ones:
            expected *= shape[d]
    return tuple(out)


def _strides_like_channels_last(shape, strides, dims) -> bool:
    """PyTorch's is_channels_last_strides_2d/3d: strides ordered like NHWC (ambiguous: no)."""
    if strides[1] == 0:
        return False
    low = 0
    for d in dims:
        if shape[d] == 0 or strides[d] < low:
            return False
        if d == 0 and low == strides[1]:
            return False
        low = strides[d] * (shape[d] if shape[d] > 1 else 1)
    return True


def suggest_memory_format(shape, strides) -> memory_format:
    """The format a new tensor made from this one should take (e.g. cat's output)."""
    if len(shape) == 4 and _strides_like_channels_last(shape, strides, (1, 3, 2, 0)):
        return channels_last
    if len(shape) == 5 and _strides_like_channels_last(shape, strides, (1, 4, 3, 2, 0)):
        return channels_last_3d
    return contiguous_format
