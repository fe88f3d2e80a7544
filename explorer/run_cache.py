"""The server's cache of runs: least recently used first out, bounded in bytes, one run per key
at a time.

Why bounded in bytes: a count of entries bounds nothing when one Run is a few kilobytes and
another (a long loop, then backward) tens of megabytes; 512 of those filled the server's memory.
Why single-flight: a lecture hall opens the same lesson link at the same moment, and the
sandbox should run that code once, not once per learner.

The budget counts the memory each Run takes: its encoded size as it arrived from the sandbox
(`Run.wire_bytes`) times what decoding costs per byte (the objects take two to five times the
JSON; tests/test_run_cache.py measures it), with a cheap estimate from its contents as a floor
(for a Run that does not know its size). EXPLORER_RUN_CACHE_MB sets the budget (default
256 MB; 0 keeps nothing).

Never imports streamlit: the app keeps one RunCache in st.cache_resource, and tests use it
directly."""
from __future__ import annotations

import math
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from concurrent.futures import Future
from typing import Generic, TypeVar

from .model import Run

__all__ = ["BUDGET_ENV", "DEFAULT_BUDGET_MB", "RunCache", "budget_from_env", "lasting",
           "run_bytes"]

BUDGET_ENV = "EXPLORER_RUN_CACHE_MB"
DEFAULT_BUDGET_MB = 256
# The estimate's weight per recorded thing: a tensor carries shape, strides and a prefix of its
# values; an op, a forward step or a backward step a handful of ids and shapes.
_TENSOR_BYTES = 1024
_ITEM_BYTES = 256
MEMORY_PER_WIRE_BYTE = 7      # bytes of Python objects per byte of a decoded Run's JSON (at most)

V = TypeVar("V")


def run_bytes(run: Run) -> int:
    """What a Run weighs in the cache: the memory its decoded objects take, from its encoded
    size, or a lower estimate from its texts and the number of things it recorded when that
    is larger (or the size is unknown, 0)."""
    texts = len(run.source) + len(run.stdout) + len(run.result or "")
    if run.error is not None:
        texts += len(run.error.message) + len(run.error.type)
    items = (len(run.variables) + len(run.graph.ops) + len(run.forward)
             + sum(len(call.steps) for call in run.backward))
    estimate = texts + _TENSOR_BYTES * len(run.graph.tensors) + _ITEM_BYTES * items
    return max(MEMORY_PER_WIRE_BYTE * int(run.wire_bytes or 0), estimate)


def lasting(run: Run) -> bool:
    """Whether a Run says something about its code rather than about the moment it ran: not
    one the sandbox stopped from outside (the wall clock of a busy server, a crash), which
    carries no line of the learner's code."""
    return run.error is None or not run.error.from_outside


def budget_from_env(env: Mapping[str, str] = os.environ) -> int:
    """The cache budget in bytes from EXPLORER_RUN_CACHE_MB (megabytes, may be fractional);
    a value that is not a non-negative number is an error at start, not a silent default."""
    raw = env.get(BUDGET_ENV, "").strip()
    if not raw:
        return DEFAULT_BUDGET_MB * 2**20
    try:
        megabytes = float(raw)
    except ValueError:
        megabytes = math.nan
    if not math.isfinite(megabytes) or megabytes < 0:
        raise ValueError(f"{BUDGET_ENV}={raw!r}: expected a number of megabytes (>= 0)")
    return int(megabytes * 2**20)


class _Abandoned:
    """The computing caller was interrupted (not by an error of the computation): a waiter
    computes the value itself."""


class RunCache(Generic[V]):
    """A thread-safe LRU map bounded by the total weight of its values, with single-flight:
    concurrent `get`s of a missing key compute it once and all receive that one value.

    A value heavier than the whole budget is returned but not kept (and evicts nothing)."""

    def __init__(self, max_bytes: int, weigh: Callable[[V], int] = run_bytes,
                 keep: Callable[[V], bool] = lambda value: True) -> None:
        """`keep(value)` says whether a computed value may be kept at all (a run stopped by a
        busy server's wall clock is returned, not kept: the next visit tries again)."""
        if max_bytes < 0:
            raise ValueError("max_bytes must be >= 0")
        self.max_bytes = max_bytes
        self._weigh = weigh
        self._keep = keep
        self._lock = threading.Lock()
        self._items: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._pending: dict[Hashable, Future] = {}
        self._bytes = 0
        self.hits = self.misses = 0

    def get(self, key: Hashable, compute: Callable[[], V]) -> V:
        """The value for `key`: the cached one (now the most recently used), the one another
        thread is computing right now, or `compute()`'s, kept if it fits. An exception from
        `compute` reaches every caller waiting for it, and nothing is cached."""
        while True:
            with self._lock:
                found = self._items.get(key)
                if found is not None:
                    self._items.move_to_end(key)
                    self.hits += 1
                    return found[0]
                pending = self._pending.get(key)
                owner = pending is None
                if owner:
                    pending = self._pending[key] = Future()
                    self.misses += 1
                else:
                    self.hits += 1           # shares the computation under way
            if owner:
                return self._compute(key, compute, pending)
            value = pending.result()
            if not isinstance(value, _Abandoned):
                return value

    def _compute(self, key: Hashable, compute: Callable[[], V], pending: Future) -> V:
        try:
            value = compute()
            size = self._weigh(value) if self._keep(value) else None
        except Exception as exc:
            self._settle(key)
            pending.set_exception(exc)
            raise
        except BaseException:            # interrupted (e.g. the session stopped): let a waiter try
            self._settle(key)
            pending.set_result(_Abandoned())
            raise
        self._settle(key, value, size)
        pending.set_result(value)
        return value

    def _settle(self, key: Hashable, value: V | None = None, size: int | None = None) -> None:
        with self._lock:
            del self._pending[key]
            if size is None or size > self.max_bytes:
                return
            self._items[key] = (value, size)
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, (_, dropped) = self._items.popitem(last=False)
                self._bytes -= dropped

    @property
    def bytes(self) -> int:
        """The total weight of the values kept now."""
        with self._lock:
            return self._bytes

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._items

    def keys(self) -> list:
        """The keys kept, least recently used first."""
        with self._lock:
            return list(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0
