"""Pre-started worker processes, shared by all sessions of one server.

A run borrows an idle worker, sends it the job and waits for the Run. A worker that dies or
does not answer in time is killed and replaced; the run gets a plain error instead. Workers
are separate processes (`python -m explorer.sandbox.worker`), so nothing a run does can touch
the server's memory."""
from __future__ import annotations

import os
import queue
import select
import subprocess
import sys
import time
from pathlib import Path

from ..model import ErrorInfo, Run
from .limits import DEFAULT, Limits
from .worker import _HEADER, unpickle, write_message

__all__ = ["WorkerLost", "WorkerPool", "default_size", "failure_error"]

_ROOT = Path(__file__).resolve().parents[2]
_FAILURES = {
    "timeout": ("WallClockExceeded", "the code ran for more than {wall:g} s and was stopped"),
    "killed": ("LimitExceeded", "the run was stopped: it used too much CPU time or memory"),
    "cpu": ("CpuLimitExceeded", "the code used more than {cpu:g} s of CPU time and was stopped"),
    "crashed": ("RuntimeError", "the run crashed inside the engine"),
}


class WorkerLost(Exception):
    """The worker process died or stopped answering."""


class _Worker:
    def __init__(self, backend: str = "engine") -> None:
        env = {"PYTHONPATH": str(_ROOT), "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
               "MKL_NUM_THREADS": "1", "PATH": os.environ.get("PATH", ""),
               "PYTHONDONTWRITEBYTECODE": "1"}
        self.backend = backend
        self.proc = subprocess.Popen([sys.executable, "-m", "explorer.sandbox.worker", backend],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, cwd=str(_ROOT), env=env)
        self.ready = False

    def _read(self, deadline: float):
        fd = self.proc.stdout.fileno()
        buf = b""
        need = _HEADER.size
        size = None
        while len(buf) < need:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise WorkerLost("timeout")
            ready, _, _ = select.select([fd], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(fd, max(need - len(buf), 1 << 16))
            if not chunk:
                raise WorkerLost("exited")
            buf += chunk
            if size is None and len(buf) >= _HEADER.size:
                (size,) = _HEADER.unpack(buf[:_HEADER.size])
                need = _HEADER.size + size
        return unpickle(buf[_HEADER.size:need])

    def wait_ready(self, timeout: float = 120.0) -> None:
        if not self.ready:
            if self._read(time.monotonic() + timeout) != "ready":
                raise WorkerLost("bad handshake")
            self.ready = True

    def request(self, job: dict, timeout: float):
        self.wait_ready()
        try:
            write_message(self.proc.stdin, job)
        except (BrokenPipeError, OSError) as exc:
            raise WorkerLost("exited") from exc
        return self._read(time.monotonic() + timeout)

    def kill(self) -> None:
        try:
            self.proc.kill()
            self.proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            pass


def default_size() -> int:
    """EXPLORER_WORKERS, else four workers per usable core plus two (10 on 2 cores).

    Many more workers than cores, because a runaway loop holds its worker until its limits stop
    it (up to `Limits.wall_seconds`) while, demoted to nice 19, it hardly uses the CPU: the
    spare workers let short runs pass it instead of queueing. (bench/load_test.py, 30 sessions
    with 6 endless loops on 2 cores: 6 workers still queued Run clicks behind the loops, 10 did
    not.) Cores are counted from the CPU affinity mask, which honours `--cpuset-cpus`;
    os.cpu_count() reports the host's cores in a container. Each engine worker holds about
    45 MB resident once warm (PSS 27 MB: NumPy's libraries are shared), plus what its current
    run allocates (at most `Limits.memory_bytes`)."""
    configured = os.environ.get("EXPLORER_WORKERS", "").strip()
    if not configured:
        return 4 * len(os.sched_getaffinity(0)) + 2
    if not configured.isdigit() or int(configured) < 1:
        raise ValueError(f"EXPLORER_WORKERS must be a positive whole number, not {configured!r}")
    return int(configured)


class WorkerPool:
    """`size` workers (default: `default_size()`); runs beyond that wait for a free one.
    backend "torch" starts workers with real PyTorch behind `import torch` (compare mode)."""

    def __init__(self, size: int | None = None, backend: str = "engine") -> None:
        self.size = size or default_size()
        self.backend = backend
        self._idle: queue.Queue[_Worker] = queue.Queue()
        for _ in range(self.size):
            self._idle.put(_Worker(backend))

    def call(self, task: str, source: str, seed: int = 0, limits: Limits = DEFAULT,
             **options) -> object:
        """Run one task (see worker.TASKS) in a fresh child: its result, or ("failed", problem)
        when the child was stopped or died."""
        worker = self._idle.get()
        try:
            return worker.request({"task": task, "source": source, "seed": seed,
                                   "limits": limits, "options": options},
                                  timeout=limits.wall_seconds + 30)
        except WorkerLost as lost:
            worker.kill()
            worker = _Worker(self.backend)
            return ("failed", "timeout" if str(lost) == "timeout" else "crashed")
        finally:
            self._idle.put(worker)

    def run(self, source: str, seed: int = 0, limits: Limits = DEFAULT) -> Run:
        answer = self.call("run", source, seed, limits)
        if isinstance(answer, Run):
            return answer
        return Run(source, seed, error=failure_error(answer[1], limits))

    def close(self) -> None:
        while not self._idle.empty():
            self._idle.get().kill()


def failure_error(problem: str, limits: Limits) -> ErrorInfo:
    """The learner's message for a child that was stopped or died (a pool "failed" answer)."""
    from ..explain import explain
    name, template = _FAILURES.get(problem, ("RuntimeError", "the run failed ({problem})"))
    message = template.format(wall=limits.wall_seconds, cpu=limits.cpu_seconds,
                              problem=problem)
    return ErrorInfo(name, message, None, None, explain(name, message), kind="limit")
