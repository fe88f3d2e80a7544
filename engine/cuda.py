"""torch.cuda as a CPU-only PyTorch build reports it: nothing is available."""
from __future__ import annotations

from . import dtypes as _dtypes


def is_available() -> bool:
    return False


def device_count() -> int:
    return 0


def manual_seed(seed: int) -> None:
    """Seeding CUDA is a no-op without CUDA, as in PyTorch."""


manual_seed_all = manual_seed


def synchronize(device=None) -> None:
    """Nothing to wait for on the CPU."""


def _not_compiled(*args, **kwargs):
    raise AssertionError("Torch not compiled with CUDA enabled")


def is_initialized() -> bool:
    return False


def memory_allocated(device=None) -> int:
    return 0


def empty_cache() -> None:
    """Nothing is cached without CUDA."""


current_device = get_device_name = get_device_properties = set_device = _not_compiled


NO_ATEN_CUDA = (
    "Cannot initialize CUDA without ATen_cuda library. PyTorch splits its backend into two "
    "shared libraries: a CPU library and a CUDA library; this error has occurred because you are "
    "trying to use some CUDA functionality, but the CUDA library has not been loaded by the "
    "dynamic linker for some reason.  The CUDA library MUST be loaded, EVEN IF you don't "
    "directly use any symbols from the CUDA library! One common culprit is a lack of "
    "-Wl,--no-as-needed in your link arguments; many dynamic linkers will delete dynamic library "
    "dependencies if you don't depend on any of their symbols.  You can check if this has "
    "occurred by using ldd on your binary to see if there is a dependency on *_cuda.so library.")


def not_available(name: str) -> TypeError:
    return TypeError(f"type {name} not available. Torch not compiled with CUDA enabled.")


class _CudaTypeMeta(type):
    """torch.cuda.FloatTensor and its kin, which old code names: they exist, no tensor is one,
    and making one fails as the CPU-only build fails."""

    def __instancecheck__(cls, obj) -> bool:
        return False

    def __repr__(cls) -> str:
        return f"<class 'torch.cuda.{cls.__name__}'>"


def _cuda_type(d: _dtypes.dtype) -> type:
    def new(cls, *args, **kwargs):
        raise not_available(f"torch.cuda.{d.legacy}")
    return _CudaTypeMeta(d.legacy, (), {"__new__": new, "dtype": d, "is_cuda": True,
                                        "__module__": "torch.cuda"})


globals().update({d.legacy: _cuda_type(d) for d in _dtypes.ALL if d.np is not None})
