"""torch.cuda as a CPU-only PyTorch build reports it: nothing is available."""
from __future__ import annotations


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
