"""A PyTorch-compatible tensor and autograd library on NumPy: `import engine as torch`.

It matches PyTorch 2.13 CPU in names, signatures, printing, dtypes, strides, gradients and
grad_fn names for the subset it implements. It knows nothing of the app that draws it; an
observer can watch it through `engine.observe`.
"""
from __future__ import annotations

import math as _math

from . import autograd, backends, cuda, dtypes, observe, random
from .ops import conv_pool, nn_ops  # noqa: F401  (register the nn primitives)
from .autograd import (enable_grad, inference_mode, is_anomaly_check_nan_enabled,
                       is_anomaly_enabled, no_grad, set_grad_enabled)
from .autograd.grad_mode import is_grad_enabled, is_inference_mode_enabled
from .device import device, get_default_device, set_default_device
from .dtypes import (bfloat16, bool, dtype, float16, float32, float64, get_default_dtype,  # noqa: A004
                     int8, int16, int32, int64, promote_types, set_default_dtype, uint8)
from .memory_format import (channels_last, channels_last_3d, contiguous_format, memory_format,
                            preserve_format)
from .ops import TENSOR_METHODS, TORCH_FUNCTIONS
from .ops.parser import torch_function as _torch_function, torch_method as _torch_method
from .ops.creation import LEGACY_TYPES
from .legacy import set_default_tensor_type  # noqa: F401  (and Tensor.volatile)
from .printing import set_printoptions
from .serialization import load, save
from .random import Generator, get_rng_state, initial_seed, manual_seed, seed, set_rng_state
from .size import Size
from .tensor import Tensor, UntypedStorage, is_tensor

from .torch_version import __version__

half, float, double = float16, float32, float64  # noqa: A001
short, int, long = int16, int32, int64  # noqa: A001
cfloat = cdouble = None  # complex dtypes are not supported

from . import linalg, nn, optim, utils  # noqa: E402,F401

for _name, _fn in TENSOR_METHODS.items():
    setattr(Tensor, _name, _torch_method(_name, _fn))
for _name in ("size", "stride"):
    setattr(Tensor, _name, _torch_method(_name, getattr(Tensor, _name)))
globals().update({_name: _torch_function(_name, _fn) for _name, _fn in TORCH_FUNCTIONS.items()})
globals().update(LEGACY_TYPES)

from . import functional  # noqa: E402,F401  (after the functions it names)

pi, e, inf, nan = _math.pi, _math.e, _math.inf, _math.nan
default_generator = random.default_generator


def result_type(tensor1, tensor2) -> dtype:
    return dtypes.result_type(tensor1, tensor2)


def can_cast(from_: dtype, to: dtype) -> bool:
    return from_.category <= to.category


def is_floating_point(input: Tensor) -> bool:
    return input.dtype.is_floating_point


def is_nonzero(input: Tensor) -> bool:
    return input.__bool__()


def numel(input: Tensor) -> int:
    return input.numel()


def get_num_threads() -> int:
    return 1


def set_num_threads(n: int) -> None:
    """Accepted for compatibility; the engine runs on one thread."""


def _tensor_type_property(self) -> type:
    return LEGACY_TYPES[self.dtype.legacy]


def _conversion(target: dtype):
    def convert(self, memory_format=preserve_format):
        return self.to(target)
    return convert


for _name, _target in (("float", float32), ("double", float64), ("half", float16),
                       ("int", int32), ("long", int64), ("short", int16), ("bool", bool),
                       ("byte", uint8), ("char", int8)):
    setattr(Tensor, _name, _conversion(_target))

Tensor.T = property(lambda self: self.permute(*range(self.dim() - 1, -1, -1)))
Tensor.mT = property(lambda self: self.transpose(-2, -1))
Tensor.H = Tensor.T


def _on_my_device(factory):
    """Tensor.new_*: the factory, with the tensor's dtype and device unless told otherwise."""
    from .device import CPU, META

    def new(self, *a, dtype=None, device=None, **rest):
        if device is None:
            device = CPU if self._meta is None else META
        return factory(*a, dtype=dtype or self.dtype, device=device, **rest)
    return new


Tensor.new_tensor = _on_my_device(tensor)
Tensor.new_zeros = _on_my_device(zeros)
Tensor.new_ones = _on_my_device(ones)
Tensor.new_full = _on_my_device(full)
Tensor.new_empty = _on_my_device(zeros)

from .torch_names import name_classes_as_torch  # noqa: E402

name_classes_as_torch()
