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
