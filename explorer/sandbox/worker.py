"""A pre-started worker process: `python -m explorer.sandbox.worker`.

The worker imports NumPy and the engine once (or, with the argument `torch`, real PyTorch for
compare mode), then serves jobs read from stdin. For each job it forks a child that limits
itself (CPU time, address space, file size, an empty environment, no network namespace where
the OS allows it), runs the learner's code, and writes the pickled result (a Run, or a task's
plain data) back. The worker waits for the child with a wall-clock timeout and kills it if needed, so a
runaway run never takes the worker, let alone the server, with it. A child that has used more
than `Limits.demote_after_cpu` of CPU is reniced to 19, so it cannot slow other learners' short
runs while it uses up its own limits.

Messages on stdin/stdout are length-prefixed pickles. They are only exchanged between the
server and its own workers; learner data crosses as plain Run objects.
"""
from __future__ import annotations

import ctypes
import gc
import importlib
import os
import pickle
import resource
import select
import signal
import struct
import sys
import time

__all__ = ["read_message", "serve", "unpickle", "write_message"]

_HEADER = struct.Struct("!Q")


def write_message(stream, obj) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def read_message(stream):
    header = _read_exactly(stream, _HEADER.size)
    if header is None:
        return None
    (size,) = _HEADER.unpack(header)
    return unpickle(_read_exactly(stream, size))


def unpickle(data: bytes):
    """pickle.loads with the cyclic collector paused. A Run is a tree of many small objects
    and no cycles, yet creating them would trigger collections that walk the whole heap again
    and again: a 6,600-op Run took 0.7 s to load instead of 0.15 s."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return pickle.loads(data)
    finally:
        if enabled:
            gc.enable()


def _read_exactly(stream, n: int):
    chunks, got = [], 0
    while got < n:
        chunk = stream.read(n - got)
        if not chunk:
            return None
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _vm_bytes() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[0]) * resource.getpagesize()


def _unshare_network() -> None:
    """Best effort: a fresh, empty network namespace (needs CAP_SYS_ADMIN; ignored without)."""
    clone_newnet = 0x40000000
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.unshare(clone_newnet)
    except (OSError, AttributeError):
        pass


def _limit_child(limits) -> None:
    """Runs in the forked child before any learner code: it can only tighten from here."""
    from .limits import CpuLimitExceeded

    def on_cpu_limit(signum, frame):
        raise CpuLimitExceeded(limits.cpu_seconds)

    signal.signal(signal.SIGXCPU, on_cpu_limit)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    soft = max(1, int(limits.cpu_seconds + 0.999))
    # The hard limit leaves room for recording the run once the learner's code is done.
    resource.setrlimit(resource.RLIMIT_CPU, (soft, soft + 10))
    baseline = _vm_bytes()
    resource.setrlimit(resource.RLIMIT_AS, (baseline + limits.memory_bytes,
                                            baseline + limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    os.environ.clear()
    _unshare_network()


# What a job can ask a child to do: record a Run, snapshot the variables (compare mode), or one
# gradient-check probe. Each is called as fn(source, seed, limits, **job["options"]).
TASKS = {"run": ("explorer.sandbox.execute", "execute"),
         "snapshot": ("explorer.compare", "snapshot"),
         "probe": ("explorer.gradcheck", "probe")}


def _task(name: str):
    module, function = TASKS[name]
    return getattr(importlib.import_module(module), function)


def _run_child(job, write_fd: int) -> None:
    """The forked child: limit itself, run the task, send its result, exit without cleanup."""
    try:
        task = _task(job.get("task", "run"))
        _limit_child(job["limits"])
        result = task(job["source"], job["seed"], job["limits"], **job.get("options", {}))
        payload = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException as exc:  # noqa: BLE001 - report, never hang the worker
        payload = pickle.dumps(("failed", f"{type(exc).__name__}: {exc}"))
    try:
        view = memoryview(_HEADER.pack(len(payload)) + payload)
        while view:
            written = os.write(write_fd, view)
            view = view[written:]
    finally:
        os._exit(0)


_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time a child has used so far (/proc/<pid>/stat fields 14 and 15)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICKS


def _demote(pid: int) -> None:
    """Nice 19 for every thread of the child (Linux keeps a nice value per thread). Under CFS
    a nice-19 task gets about 1.5% of a nice-0 task's share, so short runs keep the CPU while
    a runaway loop burns out its limit in the background; alone, it still gets a whole core."""
    try:
        threads = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return
    for tid in threads:
        try:
            os.setpriority(os.PRIO_PROCESS, int(tid), 19)
        except OSError:
            pass


def _collect(read_fd: int, pid: int, deadline: float, demote_after: float):
    """Read the child's answer until it closes the pipe or the deadline passes. The child is
    demoted once it has used `demote_after` s of CPU: checked no earlier than that much wall
    time after each look, since a one-thread child's CPU time cannot run ahead of the clock."""
    chunks = []
    look = time.monotonic() + demote_after
    while True:
        now = time.monotonic()
        if now >= deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return None, "timeout"
        if now >= look:
            left = demote_after - _cpu_seconds(pid)
            if left > 0:
                look = now + max(left, 0.01)
            else:
                _demote(pid)
                look = float("inf")
        ready, _, _ = select.select([read_fd], [], [], min(deadline, look) - now)
        if not ready:
            continue
        chunk = os.read(read_fd, 1 << 20)
        if not chunk:
            break
        chunks.append(chunk)
    _, status = os.waitpid(pid, 0)
    data = b"".join(chunks)
    if len(data) < _HEADER.size:
        return None, _describe_status(status)
    return unpickle(data[_HEADER.size:]), None


def _describe_status(status: int) -> str:
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        return {signal.SIGKILL: "killed", signal.SIGXCPU: "cpu",
                signal.SIGSEGV: "crashed"}.get(sig, f"signal {sig}")
    return f"exit {os.WEXITSTATUS(status)}"


def run_job(job) -> object:
    """Fork a child for one job; return its Run, or ("failed", reason)."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _run_child(job, write_fd)
    os.close(write_fd)
    try:
        limits = job["limits"]
        result, problem = _collect(read_fd, pid, time.monotonic() + limits.wall_seconds,
                                   limits.demote_after_cpu)
    finally:
        os.close(read_fd)
    return result if problem is None else ("failed", problem)


# Exercises what later runs would otherwise import lazily inside a limited child (PyTorch's
# optimizers import its compiler stack on the first step, which probes for a temp directory).
_WARM_UP = ("import torch\nx = torch.ones(2, 2, requires_grad=True)\n(x * x).sum().backward()\n"
            "torch.nn.Linear(2, 2)(x)\nimport numpy as np\nnp.ones(2)\n"
            "for opt in (torch.optim.SGD([x], lr=0.1, momentum=0.9), torch.optim.Adam([x])):\n"
            "    opt.step()\n    opt.zero_grad()\n")


def _warm_up(backend: str) -> None:
    """Import and exercise everything once, so each forked child starts hot."""
    from .limits import DEFAULT
    if backend == "torch":
        import torch
        # one thread: forking after OpenMP has started its pool could deadlock
        torch.set_num_threads(1)
        torch.set_num_interop_threads(1)
        _task("snapshot")(_WARM_UP, 0, DEFAULT, backend="torch")
        return
    for name in TASKS:
        _task(name)
    _task("run")(_WARM_UP, 0, DEFAULT)


def serve(backend: str = "engine") -> None:
    """Answer jobs from stdin until it closes."""
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr   # nothing but messages may reach the real stdout
    _warm_up(backend)
    gc.freeze()   # what warm-up imported lives for good: each forked child's collector skips it
    write_message(stdout, "ready")
    while True:
        job = read_message(stdin)
        if job is None:
            return
        write_message(stdout, run_job(job))


if __name__ == "__main__":
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("MKL_NUM_THREADS", "1")
    serve(sys.argv[1] if len(sys.argv) > 1 else "engine")
