"""The server's run cache: bounded in bytes, least recently used out first, one computation per
key however many sessions ask at once, and safe under threads. No Streamlit needed."""
from __future__ import annotations

import dataclasses

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from explorer.model import ErrorInfo, Run
from explorer.run_cache import (
    BUDGET_ENV,
    DEFAULT_BUDGET_MB,
    MEMORY_PER_WIRE_BYTE,
    RunCache,
    budget_from_env,
    run_bytes,
)


def weigh_len(value: str) -> int:
    return len(value)


def test_values_are_evicted_by_bytes_least_recently_used_first():
    cache = RunCache(100, weigh_len)
    for key in "abc":
        cache.get(key, lambda key=key: key * 30)          # 90 bytes kept
    assert cache.keys() == ["a", "b", "c"] and cache.bytes == 90
    assert cache.get("a", lambda: pytest.fail("a is cached")) == "a" * 30   # a is now newest
    cache.get("d", lambda: "d" * 30)                       # 120 > 100: the oldest (b) goes
    assert cache.keys() == ["c", "a", "d"] and cache.bytes == 90
    cache.get("e", lambda: "e" * 70)                       # needs 70: c and a go
    assert cache.keys() == ["d", "e"] and cache.bytes == 100


def test_a_value_larger_than_the_whole_budget_is_returned_but_not_kept():
    cache = RunCache(100, weigh_len)
    cache.get("small", lambda: "s" * 10)
    assert cache.get("huge", lambda: "h" * 500) == "h" * 500
    assert "huge" not in cache and cache.keys() == ["small"] and cache.bytes == 10
    calls = []
    cache.get("huge", lambda: calls.append(1) or "h" * 500)
    assert calls == [1], "not kept, so asked again it runs again"


def test_a_zero_budget_keeps_nothing():
    cache = RunCache(0, weigh_len)
    assert cache.get("a", lambda: "x") == "x"
    assert len(cache) == 0 and cache.bytes == 0


class Gate:
    """A computation that waits until released, then returns `outcome` (or raises it)."""

    def __init__(self, outcome: object) -> None:
        self.outcome, self.calls = outcome, 0
        self.started, self.release = threading.Event(), threading.Event()

    def __call__(self) -> object:
        self.calls += 1
        self.started.set()
        self.release.wait()
        if isinstance(self.outcome, BaseException):
            raise self.outcome
        return self.outcome


def test_sessions_asking_for_the_same_key_at_once_share_one_computation():
    cache = RunCache(10_000, weigh_len)
    compute = Gate("the run")
    with ThreadPoolExecutor(max_workers=8) as pool:
        first = pool.submit(cache.get, "lesson", compute)
        compute.started.wait()                           # the first caller is computing
        rest = [pool.submit(cache.get, "lesson", compute) for _ in range(7)]
        for _ in range(10_000):                          # until all seven wait on it
            if cache.hits == 7:
                break
            threading.Event().wait(0.001)
        assert cache.hits == 7 and not compute.release.is_set()
        compute.release.set()
        results = [first.result(), *(f.result() for f in rest)]
    assert compute.calls == 1
    assert all(r is results[0] for r in results), "every session gets the one object"
    assert cache.misses == 1


def test_an_error_reaches_every_waiting_caller_and_nothing_is_cached():
    cache = RunCache(10_000, weigh_len)
    broken = Gate(RuntimeError("the pool is gone"))
    with ThreadPoolExecutor(max_workers=2) as pool:
        first = pool.submit(cache.get, "k", broken)
        broken.started.wait()
        second = pool.submit(cache.get, "k", broken)
        broken.release.set()
        for future in (first, second):
            with pytest.raises(RuntimeError, match="the pool is gone"):
                future.result()
    assert "k" not in cache
    assert cache.get("k", lambda: "fine") == "fine"


def test_an_interrupted_computation_lets_a_waiting_caller_compute_it():
    cache = RunCache(10_000, weigh_len)
    # Not an error of the computation: e.g. the session that asked first was stopped.
    interrupted = Gate(KeyboardInterrupt())

    def owner() -> None:
        with pytest.raises(KeyboardInterrupt):
            cache.get("k", interrupted)

    with ThreadPoolExecutor(max_workers=2) as pool:
        first = pool.submit(owner)
        interrupted.started.wait()
        second = pool.submit(cache.get, "k", lambda: "computed by the waiter")
        interrupted.release.set()
        first.result()
        assert second.result() == "computed by the waiter"
    assert "k" in cache


def test_many_threads_on_many_keys_keep_the_byte_count_exact_and_within_budget():
    cache = RunCache(1_000, weigh_len)
    computed: dict[int, int] = {}
    lock = threading.Lock()

    def work(n: int) -> None:
        key = n % 40

        def compute() -> str:
            with lock:
                computed[key] = computed.get(key, 0) + 1
            return "x" * (10 + key * 3)

        assert cache.get(key, compute) == "x" * (10 + key * 3)

    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(work, range(4_000)))
    kept = cache.keys()
    assert cache.bytes == sum(10 + key * 3 for key in kept) <= 1_000
    assert len(set(kept)) == len(kept)


def test_a_run_weighs_its_wire_size_with_an_estimate_as_floor():
    run = Run(source="x = 1\n" * 100, seed=0, stdout="y" * 1_000)
    estimate = run_bytes(run)
    assert estimate >= 600 + 1_000
    assert run_bytes(Run(source=run.source, seed=0, stdout=run.stdout, wire_bytes=5)) == estimate
    assert run_bytes(Run(source="", seed=0, wire_bytes=7_000_000)) == \
        7_000_000 * MEMORY_PER_WIRE_BYTE
    failed = Run(source="", seed=0, error=ErrorInfo("RuntimeError", "m" * 5_000, 1, 0, ""))
    assert run_bytes(failed) >= 5_000


def test_the_budget_comes_from_the_environment_in_megabytes():
    assert budget_from_env({}) == DEFAULT_BUDGET_MB * 2**20
    assert budget_from_env({BUDGET_ENV: "64"}) == 64 * 2**20
    assert budget_from_env({BUDGET_ENV: "0.5"}) == 2**19
    assert budget_from_env({BUDGET_ENV: "0"}) == 0
    for wrong in ("-1", "lots", "nan", "inf"):
        with pytest.raises(ValueError, match=BUDGET_ENV):
            budget_from_env({BUDGET_ENV: wrong})


@pytest.mark.parametrize("steps, size", [(300, 300), (3000, 1000)])   # whole, thinned to fit
def test_a_runs_weight_covers_the_memory_its_objects_take(steps, size):
    """A decoded Run's objects take several times its JSON: the weight must cover them (or a
    budget of 256 MB would hold a gigabyte) without overstating them much."""
    import gc
    import tracemalloc

    from explorer import wire
    from explorer.sandbox.execute import execute
    from explorer.sandbox.fit import fit
    source = (f"import torch\ny = torch.ones({size}, requires_grad=True)\nz = y\n"
              f"for i in range({steps}):\n    z = z * 1.0001\nz.sum().backward()\n")
    frame = fit(execute(source, 0))
    gc.collect()
    tracemalloc.start()
    try:
        run = wire.decode(frame[wire.HEADER.size:], Run)
        taken, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    weight = run_bytes(dataclasses.replace(run, wire_bytes=len(frame) - wire.HEADER.size))
    assert taken <= weight <= 4 * taken, (taken, weight)


def test_a_run_stopped_from_outside_is_returned_but_not_kept():
    """A run the sandbox stopped (the wall clock of a busy server, a crash) says nothing lasting
    about its code: the next visit runs it again. The learner's own errors are kept."""
    from explorer.run_cache import lasting
    from explorer.sandbox.limits import DEFAULT
    from explorer.sandbox.pool import failure_error
    cache = RunCache(10 << 20, keep=lasting)
    stopped = Run("while True: pass", 0, error=failure_error("timeout", DEFAULT))
    calls = []
    for _ in range(2):
        assert cache.get(("a", 0), lambda: calls.append(1) or stopped) is stopped
    assert len(calls) == 2 and ("a", 0) not in cache
    mistake = Run("x", 0, error=ErrorInfo("NameError", "name 'x' is not defined", 1, 1, ""))
    cache.get(("b", 0), lambda: mistake)
    assert ("b", 0) in cache
