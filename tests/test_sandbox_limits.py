"""Resource bombs: each is stopped within its limit with a plain message, and the next run on
the same pool works. Limits are lowered here so the suite stays quick; the mechanism is the
one the defaults use."""
import pytest

from explorer import Limits
from explorer.sandbox.pool import WorkerPool

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
    "memory_growth": ("import numpy as np\nkeep = []\nwhile True:\n"
                      "    keep.append(np.ones(1000000))", "MemoryError", ""),
    "fork_bomb": ("import os\nwhile True:\n    os.fork()", "AttributeError",
                  "has no attribute 'fork'"),
    "string_bomb": ("'x' * (10 ** 12)", "MemoryError", ""),
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
