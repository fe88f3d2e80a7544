"""Autograd Explorer's core: run learner code safely and turn the run into pictures.

    from explorer import run_code
    run = run_code("import torch\\nx = torch.ones(2, requires_grad=True)\\n(x * x).sum()")

This package never imports streamlit; the pages only call it.
"""
from __future__ import annotations

import threading

from .model import Run
from .sandbox.limits import DEFAULT, Limits

__all__ = ["run_code", "Run", "Limits", "DEFAULT", "default_pool"]

_pool = None
_pool_lock = threading.Lock()


def default_pool():
    """The process-wide worker pool, started on first use."""
    global _pool
    with _pool_lock:
        if _pool is None:
            from .sandbox.pool import WorkerPool
            _pool = WorkerPool()
        return _pool


def run_code(source: str, *, seed: int = 0, limits: Limits = DEFAULT) -> Run:
    """Run learner code in a sandboxed worker process and return what happened, as data."""
    return default_pool().run(source, seed, limits)
