"""Resource limits for one run, and the errors raised when a run reaches them."""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT", "CpuLimitExceeded", "LimitExceeded", "Limits", "OutputLimitExceeded"]


@dataclass(frozen=True)
class Limits:
    cpu_seconds: float = 5.0
    memory_bytes: int = 1 << 30          # address space added on top of the worker's baseline
    output_bytes: int = 2_000_000        # printed text kept (a Run travels in 8 MB at most)
    max_elements: int = 20_000_000       # per tensor, refused before allocation
    wall_seconds: float = 10.0           # the worker is killed after this, whatever it does
    node_budget: int = 20_000            # ops recorded for the graph
    demote_after_cpu: float = 0.5        # CPU s after which a run drops to nice 19 (see worker)
    record_cpu: float = 2.0              # CPU s for recording the run after the code is done


DEFAULT = Limits()


class LimitExceeded(BaseException):
    """A run used up one of its limits; the message says which and how much. A BaseException,
    so learner code's `except Exception:` cannot swallow it and keep going."""


class CpuLimitExceeded(LimitExceeded):
    def __init__(self, seconds: float) -> None:
        super().__init__(f"the code used more than {seconds:g} s of CPU time and was stopped")


class OutputLimitExceeded(LimitExceeded):
    def __init__(self, limit: int) -> None:
        super().__init__(f"the code printed more than {limit / 1e6:g} MB and was stopped")
