"""torch.Size: a tuple of ints that prints as PyTorch does."""
from __future__ import annotations

import operator


def _as_int(item, position: int) -> int:
    """What torch.Size accepts: ints (bools, NumPy ints) and one-element integer tensors."""
    from .tensor import Tensor
    if isinstance(item, Tensor):
        if item.numel() == 1 and not item.dtype.is_floating_point:
            return int(item.item())
    else:
        try:
            return operator.index(item)
        except TypeError:
            pass
    raise TypeError(f"torch.Size() takes an iterable of 'int' (item {position} is "
                    f"'{type(item).__name__}')")


class Size(tuple):
    """The shape of a tensor; slicing, + and * keep the type and numel() is the product."""

    __slots__ = ()

    def __new__(cls, sizes=()):
        return super().__new__(cls, [s if type(s) is int else _as_int(s, i)
                                     for i, s in enumerate(sizes)])

    def __repr__(self) -> str:
        return f"torch.Size([{', '.join(str(s) for s in self)}])"

    __str__ = __repr__

    def __call__(self, *args, **kwargs):
        # `x.shape()`, a classic slip: torch's C type names itself torch.Size in the message
        raise TypeError("'torch.Size' object is not callable")

    def __getitem__(self, key):
        item = super().__getitem__(key)
        return Size(item) if isinstance(key, slice) else item

    def __add__(self, other):
        if not isinstance(other, tuple):
            raise TypeError(f"can only concatenate tuple (not {type(other).__name__}) to "
                            "torch.Size")
        return Size(tuple(self) + tuple(other))

    def __radd__(self, other):
        return Size(tuple(other) + tuple(self))

    def __mul__(self, n):
        return Size(tuple(self) * n)

    __rmul__ = __mul__

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n

    def __reduce__(self):
        return (Size, (tuple(self),))


def shape_of(dims: tuple) -> Size:
    """A Size over a tuple already known to hold Python ints (a NumPy shape): no checks."""
    return tuple.__new__(Size, dims)
