"""The padding layers of torch.nn: each calls F.pad with its mode (ZeroPad is ConstantPad of 0)."""
from __future__ import annotations

from ...tensor import Tensor
from .. import functional as F
from ..module import Module


class _PadNd(Module):
    _dims = 2
    _mode = "constant"

    def __init__(self, padding) -> None:
        super().__init__()
        n = 2 * self._dims
        self.padding = (padding,) * n if isinstance(padding, int) else tuple(padding)

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ReflectionPadNd(_PadNd):
    _mode = "reflect"


class _ReplicationPadNd(_PadNd):
    _mode = "replicate"


class _CircularPadNd(_PadNd):
    _mode = "circular"

    def forward(self, input: Tensor) -> Tensor:
        n = self._dims
        if input.dim() not in (n + 1, n + 2):
            raise ValueError(f"expected {n + 1}D or {n + 2}D input (got {input.dim()}D input)")
        return F.pad(input, self.padding, "circular")


class _ConstantPadNd(_PadNd):
    def __init__(self, padding, value: float) -> None:
        super().__init__(padding)
        self.value = value

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


def _layers(base: type, name: str) -> tuple:
    return tuple(type(f"{name}{n}d", (base,), {"_dims": n, "__module__": __name__})
                 for n in (1, 2, 3))


ReflectionPad1d, ReflectionPad2d, ReflectionPad3d = _layers(_ReflectionPadNd, "ReflectionPad")
ReplicationPad1d, ReplicationPad2d, ReplicationPad3d = _layers(_ReplicationPadNd,
                                                               "ReplicationPad")
CircularPad1d, CircularPad2d, CircularPad3d = _layers(_CircularPadNd, "CircularPad")
ConstantPad1d, ConstantPad2d, ConstantPad3d = _layers(_ConstantPadNd, "ConstantPad")


def _zero(constant: type) -> type:
    def __init__(self, padding) -> None:
        constant.__init__(self, padding, 0.0)
    return type(constant.__name__.replace("Constant", "Zero"), (constant,),
                {"__init__": __init__, "extra_repr": _PadNd.extra_repr, "__module__": __name__})


ZeroPad1d, ZeroPad2d, ZeroPad3d = (_zero(c) for c in (ConstantPad1d, ConstantPad2d,
                                                       ConstantPad3d))
