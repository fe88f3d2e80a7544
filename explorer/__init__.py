"""Autograd Explorer's core: run learner code safely and turn the run into pictures.

    from explorer import run_code
    run = run_code("import torch\\nx = torch.ones(2, requires_grad=True)\\n(x * x).sum()")

This package never imports streamlit; the pages only call it.
"""
from __future__ import annotations

import threading

from .compare import (
    INSTALL_TORCH,
    Comparison,
    TorchUnavailable,
    VariableDiff,
    torch_available,
)
from .gradcheck import ElementCheck, GradCheck, LeafCheck
from .model import Run
from .sandbox.limits import DEFAULT, Limits

__all__ = [
    "DEFAULT",
    "INSTALL_TORCH",
    "Comparison",
    "ElementCheck",
    "GradCheck",
    "LeafCheck",
    "Limits",
    "Run",
    "TorchUnavailable",
    "VariableDiff",
    "check_gradients",
    "compare_with_torch",
    "default_pool",
    "run_code",
    "sandbox_layers",
    "torch_available",
    "torch_pool",
]

_pool = None
_torch_pool = None
_pool_lock = threading.Lock()


def default_pool():
    """The process-wide worker pool, started on first use; EXPLORER_WORKERS sets its size
    (default: sandbox.pool.default_size())."""
    global _pool
    with _pool_lock:
        if _pool is None:
            from .sandbox.pool import WorkerPool
            _pool = WorkerPool()
        return _pool


def run_code(source: str, *, seed: int = 0, limits: Limits = DEFAULT) -> Run:
    """Run learner code in a sandboxed worker process and return what happened, as data."""
    return default_pool().run(source, seed, limits)


def sandbox_layers() -> dict[str, str]:
    """Each kernel layer of the sandbox as the last run process reported it: "on", or "off:"
    and why (empty before the first run)."""
    from .sandbox.pool import layer_status
    return layer_status()


def torch_pool():
    """The worker pool with real PyTorch behind `import torch` (compare mode), started on first
    use: one worker, since each holds a whole PyTorch."""
    global _torch_pool
    if not torch_available():
        raise TorchUnavailable(f"PyTorch is not installed; install it with `{INSTALL_TORCH}`")
    with _pool_lock:
        if _torch_pool is None:
            from .sandbox.pool import WorkerPool
            _torch_pool = WorkerPool(size=1, backend="torch")
        return _torch_pool


def compare_with_torch(source: str, *, seed: int = 0, limits: Limits = DEFAULT,
                       owner=None) -> Comparison:
    """Run the code on the engine and on real PyTorch, both sandboxed, and diff the two. A
    busy comparison (nothing ran) when the real-PyTorch worker is not free within
    compare.TORCH_WAIT seconds, or while `owner` (a session) still has a check running."""
    from . import compare
    with compare.one_check_each(owner) as free:
        theirs = compare.run_snapshot(torch_pool(), source, seed, limits,
                                      wait=compare.TORCH_WAIT) if free else None
        if theirs is None:
            return compare.busy(source, seed)
        ours = compare.run_snapshot(default_pool(), source, seed, limits)
        return compare.compare_snapshots(source, seed, ours, theirs)


def check_gradients(source: str, *, seed: int = 0, limits: Limits = DEFAULT,
                    max_elements: int = 64, time_budget: float | None = None) -> GradCheck:
    """Autograd's gradient of the learner's scalar function against central finite
    differences, element by element (see explorer.gradcheck)."""
    from .gradcheck import gradient_check
    return gradient_check(default_pool(), source, seed=seed, limits=limits,
                          max_elements=max_elements, time_budget=time_budget)
