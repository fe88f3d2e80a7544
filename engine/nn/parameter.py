"""nn.Parameter and nn.Buffer: tensors a Module registers when assigned as attributes."""
from __future__ import annotations

from ..tensor import Tensor

__all__ = ["Parameter", "Buffer"]


class Parameter(Tensor):
    """A leaf tensor that requires grad by default and is listed in module.parameters()."""

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True):
        from ..ops.creation import empty
        data = empty(0) if data is None else data
        if not isinstance(data, Tensor):   # torch's path for other types: whatever their own
            t = data.detach().requires_grad_(requires_grad)   # detach() gives, never re-classed
            if type(t) is not type(data):
                raise RuntimeError(
                    f"Creating a Parameter from an instance of type {type(data).__name__} "
                    "requires that detach() returns an instance of the same type, but return "
                    f"type {type(t).__name__} was found instead. To use the type as a "
                    "Parameter, please correct the detach() semantics defined by its "
                    "__torch_dispatch__() implementation.")
            return t
        t = data.detach()
        t.__class__ = cls
        t._requires_grad = False
        t._require_grad(requires_grad)
        return t

    def __init__(self, data=None, requires_grad: bool = True) -> None:
        pass

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol):
        return (Parameter, (self.detach(), self.requires_grad))


class Buffer(Tensor):
    """Marks a tensor assigned to a Module as a buffer (persistent unless told otherwise)."""

    def __new__(cls, data: Tensor | None = None, *, persistent: bool = True):
        from ..ops.creation import empty
        data = empty(0) if data is None else data
        if not isinstance(data, Tensor):   # as torch: what its own detach() gives, not re-classed
            t = data.detach().requires_grad_(data.requires_grad)
            t.persistent = persistent
            return t
        t = data.detach()
        t.__class__ = cls
        t.persistent = persistent
        return t

    def __init__(self, data=None, *, persistent: bool = True) -> None:
        pass
