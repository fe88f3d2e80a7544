"""What old PyTorch code still calls, answered as torch 2.13 answers it, with its deprecation
warnings: torch.set_default_tensor_type and Tensor.volatile (a Variable's, before 0.4)."""
from __future__ import annotations

import warnings

from . import caller_warning, dtypes
from .cuda import not_available
from .tensor import Tensor

_SET_DEFAULT_TENSOR_TYPE = (
    "torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
    "torch.set_default_dtype() and torch.set_default_device() as alternatives. (Triggered "
    "internally at /__w/pytorch/pytorch/torch/csrc/tensor/python_tensor.cpp:434.)")
_ONLY_FLOATS = "only floating-point types are supported as the default type"


def set_default_tensor_type(t, /) -> None:
    """torch.set_default_tensor_type(torch.DoubleTensor) (or 'torch.DoubleTensor'): the default
    dtype of new floating-point tensors, as set_default_dtype sets it."""
    from .ops.creation import LEGACY_TYPES
    if isinstance(t, str):
        parts = t.split(".")
        if parts[:2] == ["torch", "cuda"]:
            caller_warning.warn_once(_SET_DEFAULT_TENSOR_TYPE)
            raise not_available(t)
        if parts[0] != "torch" or len(parts) != 2 or parts[1] not in LEGACY_TYPES:
            missing = parts[1] if parts[0] == "torch" and len(parts) > 1 else t
            raise AttributeError(f"module 'torch' has no attribute '{missing}'")
        t = LEGACY_TYPES[parts[1]]
    caller_warning.warn_once(_SET_DEFAULT_TENSOR_TYPE)
    if isinstance(t, type) and getattr(t, "is_cuda", False):
        raise not_available(repr(t)[8:-2])
    d = getattr(t, "_legacy_dtype", None) if isinstance(t, type) else None
    if d is None:
        raise TypeError(f"invalid type object: {_ONLY_FLOATS}")
    if not d.is_floating_point:
        raise TypeError(_ONLY_FLOATS)
    dtypes.set_default_dtype(d)


def _get_volatile(self) -> bool:
    warnings.warn("volatile was removed (Variable.volatile is always False)", UserWarning,
                  stacklevel=2)
    return False


def _set_volatile(self, value) -> None:
    warnings.warn("volatile was removed and now has no effect. Use `with torch.no_grad():` "
                  "instead.", UserWarning, stacklevel=2)


Tensor.volatile = property(_get_volatile, _set_volatile,
                           doc="Always False, with torch's warning: volatile was removed in 0.4")
