"""Pre-started worker processes (zygotes), shared by all sessions of one server.

A run borrows an idle worker, which hands it a fresh run process already walled in by the
kernel (see worker.py and confine.py). The server writes the job into that process's job pipe
and reads its result from the result pipe: JSON checked against the schema (wire.py), capped
in size, read in linear time. A worker that dies or stops answering is killed and replaced;
a run that fails gets a plain error instead."""
from __future__ import annotations

import json
import logging
import os
import queue
import socket
import subprocess
import sys
import threading
import time
from dataclasses import asdict, replace
from pathlib import Path

from .. import wire
from ..model import ErrorInfo, Run
from .limits import DEFAULT, Limits
from .worker import result_type

__all__ = ["BUSY", "WorkerLost", "WorkerPool", "default_size", "failure_error", "layer_status"]

_ROOT = Path(__file__).resolve().parents[2]
_FAILURES = {
    "timeout": ("WallClockExceeded", "the code ran for more than {wall:g} s and was stopped"),
    "killed": ("LimitExceeded", "the run was stopped: it used too much CPU time or memory"),
    "cpu": ("CpuLimitExceeded", "the code used more than {cpu:g} s of CPU time and was stopped"),
    "crashed": ("RuntimeError", "the run crashed inside the engine"),
    "garbled": ("RuntimeError", "the run sent back something that is not a result, so it was "
                                "discarded"),
    "sandbox": ("RuntimeError", "the sandbox could not be set up, so the code was not run"),
}
BUSY = ("failed", "busy")      # no worker came free within the wait a call allowed
_READY_SECONDS = 5.0           # for a run process's first message: the walls it raised
_log = logging.getLogger(__name__)
_layers: dict = {}             # the last state reported per sandbox layer (layer_status)
_layers_lock = threading.Lock()


class WorkerLost(Exception):
    """The worker process died or stopped answering."""


def layer_status() -> dict[str, str]:
    """Each kernel layer's state as the last run process reported it ("on", or "off: why");
    empty before the first run. Shown on the app's status line."""
    with _layers_lock:
        return dict(_layers)


def _note_layers(layers: dict) -> None:
    with _layers_lock:
        changed = layers != _layers
        _layers.clear()
        _layers.update(layers)
    if changed:
        off = {k: v for k, v in layers.items() if v != "on"}
        (_log.warning if off else _log.info)("sandbox layers: %s", layers)


class _Worker:
    def __init__(self, backend: str = "engine", native: bool = False,
                 user: int | None = None) -> None:
        env = {"PYTHONPATH": str(_ROOT), "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
               "MKL_NUM_THREADS": "1", "PATH": os.environ.get("PATH", ""),
               "PYTHONDONTWRITEBYTECODE": "1"}
        self.backend = backend
        self.control, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        argv = [sys.executable, "-m", "explorer.sandbox.worker", backend, str(theirs.fileno())]
        self.proc = subprocess.Popen(argv + (["--test-native"] if native else []),
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     pass_fds=(theirs.fileno(),), cwd=str(_ROOT), env=env,
                                     user=user, group=user, extra_groups=[] if user else None)
        theirs.close()
        self.ready = False

    def _receive(self, timeout: float, fds: int = 0) -> tuple[dict, list]:
        self.control.settimeout(timeout)
        try:
            data, received, _, _ = socket.recv_fds(self.control, 4096, fds)
        except (OSError, socket.timeout) as exc:
            raise WorkerLost("timeout" if isinstance(exc, socket.timeout) else "exited") \
                from exc
        if not data:
            raise WorkerLost("exited")
        return json.loads(data), received

    def wait_ready(self, timeout: float = 120.0) -> None:
        if not self.ready:
            if not self._receive(timeout)[0].get("ready"):
                raise WorkerLost("bad handshake")
            self.ready = True

    def request(self, job: dict, kind: type, limits: Limits):
        """Run one job in the worker's next run process: the decoded result, or
        ("failed", problem)."""
        self.wait_ready()
        try:
            self.control.send(json.dumps({"op": "run", "wall": limits.wall_seconds,
                                          "demote": limits.demote_after_cpu}).encode())
        except OSError as exc:
            raise WorkerLost("exited") from exc
        _, fds = self._receive(30.0, fds=2)
        if len(fds) != 2:
            raise WorkerLost("no run process")
        job_w, result_r = fds
        try:
            answer = self._exchange(job_w, result_r, job, kind, limits)
        finally:
            os.close(result_r)
        try:
            self.control.send(b"end")
        except OSError as exc:
            raise WorkerLost("exited") from exc
        status = self._receive(limits.wall_seconds + 30)[0].get("status")
        if answer is None:    # the run process ended without a whole message: say why
            return ("failed", status if status in _FAILURES else "crashed")
        return answer

    @staticmethod
    def _exchange(job_w: int, result_r: int, job: dict, kind: type, limits: Limits):
        """Read the walls the run process raised, send its job, read its result. None when it
        ended before sending a whole message."""
        started = time.monotonic()
        try:
            try:
                layers = wire.decode(wire.read_frame(result_r, started + _READY_SECONDS),
                                     dict[str, str])
                if isinstance(layers, tuple):       # it could not raise its walls
                    _log.error("%s", layers[1])
                    return ("failed", "sandbox")
                _note_layers(layers)
                wire.write_frame(job_w, wire.frame(json.dumps(job).encode()))
            finally:
                os.close(job_w)
            body = wire.read_frame(result_r, started + limits.wall_seconds + 5)
            answer = wire.decode(body, kind)
        except (wire.Truncated, BrokenPipeError):
            return None
        except wire.WireError:
            return ("failed", "garbled")
        return replace(answer, wire_bytes=len(body)) if isinstance(answer, Run) else answer

    def kill(self) -> None:
        try:
            self.proc.kill()
            self.proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self.control.close()


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

    def __init__(self, size: int | None = None, backend: str = "engine", *,
                 native: bool = False, user: int | None = None) -> None:
        """`native` offers the test-only "native" task; `user` starts the workers as that uid
        (tests run the pool unprivileged this way)."""
        self.size = size or default_size()
        self.backend = backend
        self._start = lambda: _Worker(backend, native, user)
        self._idle: queue.Queue[_Worker] = queue.Queue()
        for _ in range(self.size):
            self._idle.put(self._start())

    def call(self, task: str, source: str, seed: int = 0, limits: Limits = DEFAULT, *,
             wait: float | None = None, **options) -> object:
        """Run one task (see worker.TASKS) in a fresh run process: its result, or ("failed",
        problem) when the run process was stopped, died or sent something unreadable. With
        `wait`, BUSY when no worker came free within that many seconds (nothing ran)."""
        try:
            worker = self._idle.get(timeout=wait)
        except queue.Empty:
            return BUSY
        job = {"task": task, "source": source, "seed": seed, "limits": asdict(limits),
               "options": options}
        try:
            answer = worker.request(job, result_type(task), limits)
        except WorkerLost as lost:
            worker.kill()
            worker = self._start()
            return ("failed", "timeout" if str(lost) == "timeout" else "crashed")
        finally:
            self._idle.put(worker)
        if isinstance(answer, Run):     # the server's own copy of what it sent, not the echo
            answer = replace(answer, source=source, seed=seed)
        return answer

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
