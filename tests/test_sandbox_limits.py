"""Resource bombs: each is stopped within its limit with a plain message, and the next run on
the same pool works. Limits are lowered here so the suite stays quick; the mechanism is the
one the defaults use."""
import os
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from explorer import Limits
from explorer.sandbox.pool import WorkerPool, default_size

LIMITS = Limits(cpu_seconds=1, memory_bytes=256 << 20, output_bytes=100_000,
                max_elements=1_000_000, wall_seconds=15)
HEALTHY = "import torch\nx = torch.ones(2, requires_grad=True)\n(x * 3).sum()"


@pytest.fixture(scope="module")
def pool():
    workers = WorkerPool(size=1)
    yield workers
    workers.close()


BOMBS = {
    "huge_tensor": ("import torch\ntorch.zeros(10000, 10000)", "RuntimeError",
                    "refusing to allocate a tensor of 100,000,000 elements"),
    "huge_broadcast": ("import torch\ntorch.ones(5000, 1) * torch.ones(1, 5000)", "RuntimeError",
                       "refusing to allocate"),
    "endless_loop": ("while True:\n    pass", "CpuLimitExceeded", "CPU time"),
    "busy_tensor_loop": ("import torch\nx = torch.ones(10)\nwhile True:\n    x = x + 1",
                         "CpuLimitExceeded", "CPU time"),
    "deep_recursion": ("def f(n):\n    return f(n + 1)\nf(0)", "RecursionError",
                       "maximum recursion depth"),
    "output_flood": ("while True:\n    print('spam' * 50)", "OutputLimitExceeded", "printed more"),
    "memory_growth": (("import numpy as np\nkeep = []\nwhile True:\n"
                      "    keep.append(np.ones(1000000))"), "MemoryError", ""),
    "fork_bomb": ("import os\nwhile True:\n    os.fork()", "AttributeError",
                  "has no attribute 'fork'"),
    "string_bomb": ("'x' * (10 ** 12)", "MemoryError", ""),
    # printing a Module runs its extra_repr: learner code, on the learner's CPU budget
    "extra_repr_loop": ("import torch\nclass M(torch.nn.Module):\n    def extra_repr(self):\n"
                        "        while True:\n            pass\nm = M()", "CpuLimitExceeded",
                        "more than 1 s of CPU time"),
    "repr_loop": ("import torch\nclass M(torch.nn.Module):\n    def extra_repr(self):\n"
                  "        while True:\n            pass\nM()", "CpuLimitExceeded", "CPU time"),
}


@pytest.mark.parametrize("name", BOMBS)
def test_bomb_is_stopped_with_a_plain_message_and_the_next_run_works(pool, name):
    source, error_type, fragment = BOMBS[name]
    run = pool.run(source, 0, LIMITS)
    assert run.error is not None, f"{name} ran to completion"
    assert run.error.type == error_type, run.error
    assert fragment in run.error.message
    assert run.error.explanation, "a plain sentence comes with it"
    after = pool.run(HEALTHY, 0, LIMITS)
    assert after.error is None and after.result == "tensor(6., grad_fn=<SumBackward0>)"


def test_output_before_the_flood_is_kept(pool):
    run = pool.run("print('first')\nwhile True:\n    print('spam')", 0, LIMITS)
    assert run.stdout.startswith("first\nspam") and run.output_truncated
    assert len(run.stdout.encode()) <= LIMITS.output_bytes


def test_a_worker_killed_by_the_wall_clock_is_replaced():
    workers = WorkerPool(size=1)
    try:
        # time.sleep is unavailable, so block the child in a way the CPU limit can't see:
        # a long single NumPy call is still counted as CPU; use a tiny wall limit instead.
        tight = Limits(cpu_seconds=30, wall_seconds=0.5)
        run = workers.run("import numpy as np\nwhile True:\n    np.ones(1000).sum()", 0, tight)
        assert run.error is not None and run.error.type == "WallClockExceeded"
        assert workers.run(HEALTHY, 0, LIMITS).error is None
    finally:
        workers.close()


def test_a_dead_worker_process_is_replaced():
    workers = WorkerPool(size=1)
    try:
        assert workers.run(HEALTHY, 0, LIMITS).error is None
        workers._idle.queue[0].proc.kill()
        lost = workers.run(HEALTHY, 0, LIMITS)
        assert lost.error is not None and lost.error.kind == "limit"
        assert workers.run(HEALTHY, 0, LIMITS).error is None
    finally:
        workers.close()


def test_learner_code_cannot_swallow_a_limit(pool):
    source = "try:\n    while True:\n        pass\nexcept Exception:\n    print('caught')\n"
    run = pool.run(source, 0, LIMITS)
    assert run.error is not None and run.error.type == "CpuLimitExceeded"
    assert "caught" not in run.stdout


def _nice_of_runs_in_flight() -> list[int]:
    """The nice value of every run in progress: the busy (running) children of this process's
    workers; the spare run process each worker keeps ready sleeps until its job arrives."""
    stats = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as fh:
                    stats[int(entry)] = fh.read().rsplit(b")", 1)[1].split()
            except OSError:
                continue
    workers = {pid for pid, fields in stats.items() if int(fields[1]) == os.getpid()}
    return [int(fields[16]) for fields in stats.values()
            if int(fields[1]) in workers and fields[0] == b"R"]


SHORT = ("import torch\nw = torch.randn(3, 4, requires_grad=True)\nx = torch.randn(5, 3)\n"
         "loss = (x @ w).relu().pow(2).mean()\nloss.backward()\nprint(w.grad.shape)")


def test_endless_loops_do_not_starve_a_short_run(monkeypatch):
    """More endless loops than cores, each demoted once past its CPU budget: a short run on the
    one worker they left still gets the CPU, and finishes while the loops burn their limit."""
    loops = len(os.sched_getaffinity(0)) + 1
    loop_limits = Limits(cpu_seconds=2, wall_seconds=60)
    monkeypatch.setenv("EXPLORER_WORKERS", str(loops + 1))
    workers = WorkerPool()
    try:
        with ThreadPoolExecutor(loops) as threads:
            looping = [threads.submit(workers.run, "while True:\n    pass", 0, loop_limits)
                       for _ in range(loops)]
            deadline = time.monotonic() + 30
            while _nice_of_runs_in_flight() != [19] * loops:
                assert time.monotonic() < deadline, "the loops were not demoted to nice 19"
                time.sleep(0.05)
            started = time.perf_counter()
            short = workers.run(SHORT, 0, LIMITS)
            took = time.perf_counter() - started
            assert not any(loop.done() for loop in looping), "the short run waited for a loop"
            assert short.error is None and short.stdout == "torch.Size([3, 4])\n"
            assert took < 3, f"the short run took {took:.1f} s beside the loops"
            for loop in looping:
                run = loop.result()
                assert run.error is not None and run.error.type == "CpuLimitExceeded"
                assert "more than 2 s of CPU time" in run.error.message
    finally:
        workers.close()


def test_explorer_workers_sizes_the_pool(monkeypatch):
    monkeypatch.setenv("EXPLORER_WORKERS", "1")
    workers = WorkerPool()
    try:
        assert workers.size == 1 and len(workers._idle.queue) == 1
    finally:
        workers.close()


@pytest.mark.parametrize("value", ["0", "-2", "two", "1.5"])
def test_a_bad_explorer_workers_is_refused(monkeypatch, value):
    monkeypatch.setenv("EXPLORER_WORKERS", value)
    with pytest.raises(ValueError, match="EXPLORER_WORKERS"):
        WorkerPool()


def test_the_default_size_counts_usable_cores_not_the_hosts(monkeypatch):
    """In a container given one core of a 64-core host, the pool is sized for one core."""
    monkeypatch.delenv("EXPLORER_WORKERS", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {5})
    assert default_size() == 4 * 1 + 2
