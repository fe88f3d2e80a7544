"""A zygote: `python -m explorer.sandbox.worker <engine|torch> <control fd> [--test-native]`.

The worker imports NumPy and the engine once (or, with `torch`, real PyTorch for compare
mode) and then only forks. It never reads a job or a result: each run process is forked
before any learner code exists, raises the kernel's walls around itself (`confine`), reports
which went up, and only then reads its job from a pipe whose other end the worker handed to
the server. So no run process ever held another learner's code, and a run process holds two
file descriptors: its job and its result. After its warm-up the worker moves into a mount
namespace of its own whose root is empty (`confine.empty_root`), keeping only a descriptor of
the host's /proc, so its run processes are forked where no host file exists.

The control socket (SOCK_SEQPACKET, JSON messages) carries, from the server,
`{"op": "run", "wall": s, "demote": s}` and `{"op": "end"}`; from the worker, `{"ready": ..}`,
`{"pid": n}` with the run's two pipe ends attached, and `{"status": ...}` once the run process
is gone. The worker enforces the wall-clock limit, demotes a run that has used
`Limits.demote_after_cpu` of CPU to nice 19, and kills the run process when the server says
the run is over, so nothing outlives its run.

`--test-native` adds the test-only "native" task, which runs unrestricted Python inside the
confined run process (the OS-layer tests use it). The server's pools never pass it.
"""
from __future__ import annotations

import gc
import importlib
import json
import os
import resource
import select
import signal
import socket
import sys
import time

from .. import wire
from .confine import confine, empty_root
from .fit import fit
from .limits import DEFAULT, CpuLimitExceeded, Limits

__all__ = ["TASKS", "serve"]

# What a job can ask a run process to do: record a Run, snapshot the variables (compare mode),
# or one gradient-check probe. Each is called as fn(source, seed, limits, **options) and its
# result travels as the dataclass named third.
TASKS = {"run": ("explorer.sandbox.execute", "execute", "explorer.model:Run"),
         "snapshot": ("explorer.compare", "snapshot", "explorer.compare:Snapshot"),
         "probe": ("explorer.gradcheck", "probe", "explorer.gradcheck:Probe")}
_NATIVE = ("explorer.sandbox.native", "run_native", "explorer.model:Run")


def _load(path: str):
    """The object a "module:name" path names."""
    module, name = path.split(":")
    return getattr(importlib.import_module(module), name)


def result_type(task: str) -> type:
    """The dataclass a task's result is decoded as."""
    return _load(({**TASKS, "native": _NATIVE})[task][2])


# The host's /proc, held before the worker moves into its empty root (see serve): the worker
# still reads its run processes' CPU time there, and a run process its own size before it
# closes every fd.
_PROC: int | None = None


def _read_proc(path: str) -> bytes:
    fd = os.open(path if _PROC is not None else f"/proc/{path}", os.O_RDONLY | os.O_CLOEXEC,
                 dir_fd=_PROC)
    try:
        return os.read(fd, 4096)
    finally:
        os.close(fd)


def _vm_bytes() -> int:
    return int(_read_proc("self/statm").split()[0]) * resource.getpagesize()


def _apply_limits(limits, baseline: int) -> None:
    """Resource limits of one job (the kernel lets them only tighten from here)."""

    def on_cpu_limit(signum, frame):
        raise CpuLimitExceeded(limits.cpu_seconds)

    signal.signal(signal.SIGXCPU, on_cpu_limit)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    used = resource.getrusage(resource.RUSAGE_SELF)
    spent = used.ru_utime + used.ru_stime
    soft = max(1, int(spent + limits.cpu_seconds + 0.999))
    # The hard limit leaves room for recording the run once the learner's code is done.
    # Past the soft limit, SIGXCPU ends the learner's code; recording the run then gets
    # `record_cpu` more (execute.after_learner_code moves the soft limit up to the hard one's
    # last second), and the hard limit kills the process.
    resource.setrlimit(resource.RLIMIT_CPU, (soft, soft + max(1, round(limits.record_cpu)) + 1))
    resource.setrlimit(resource.RLIMIT_AS, (baseline + limits.memory_bytes,
                                            baseline + limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _readable(backend: str) -> tuple[str, ...]:
    """What a run process may read: nothing for the engine; real PyTorch's installation for
    compare mode, since PyTorch imports its modules lazily (and Landlock must then be on, or
    the run process would read everything its uid can)."""
    if backend != "torch":
        return ()
    import sysconfig

    import torch
    paths = {*(sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib", "purelib", "platlib")),
             os.path.dirname(os.path.dirname(torch.__file__))}
    return tuple(sorted(p for p in paths if os.path.isdir(p)))


def _run_process(job_fd: int, result_fd: int, tasks: dict, reads: tuple[str, ...],
                 root: str) -> None:
    """The run process: walls first, then its one job, then its one result, then exit."""
    baseline = _vm_bytes()
    os.environ.clear()
    try:
        layers = confine(job_fd, result_fd, reads, root)
        # compare mode's seccomp filter lets paths through (PyTorch imports lazily), so only
        # Landlock and the empty root keep the host's files out of its reach
        for layer in ("landlock", "empty_root"):
            if reads and layers[layer] != "on":
                raise PermissionError(f"reading PyTorch's modules needs the {layer} layer "
                                      f"({layers[layer]})")
    except PermissionError as exc:
        wire.write_frame(result_fd, wire.encode(failed=f"sandbox: {exc}"))
        os._exit(1)
    try:
        wire.write_frame(result_fd, wire.encode(layers))
        job = json.loads(bytes(wire.read_frame(job_fd, None)))
        os.close(job_fd)
        limits = Limits(**job["limits"])
        _apply_limits(limits, baseline)
        module, function, _ = tasks[job["task"]]
        task = getattr(importlib.import_module(module), function)
        result = task(job["source"], job["seed"], limits, **job["options"])
        frame = fit(result)
    except CpuLimitExceeded:      # recording the run used up its allowance too
        frame = wire.encode(failed="cpu")
    except BaseException as exc:  # noqa: BLE001 - report, never hang
        frame = wire.encode(failed=f"{type(exc).__name__}: {exc}"[:200])
    try:
        wire.write_frame(result_fd, frame)
    finally:
        os._exit(0)


def _spawn(tasks: dict, reads: tuple[str, ...], root: str) -> tuple[int, int, int]:
    """Fork a run process that waits for its job: (pid, job write end, result read end)."""
    job_r, job_w = os.pipe()
    result_r, result_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            _run_process(job_r, result_w, tasks, reads, root)
        finally:
            os._exit(1)
    os.close(job_r)
    os.close(result_w)
    return pid, job_w, result_r


_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (/proc/<pid>/stat fields 14 and 15)."""
    try:
        fields = _read_proc(f"{pid}/stat").rsplit(b")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICKS


def _demote(pid: int) -> None:
    """Nice 19 for the run process. Under CFS a nice-19 task gets about 1.5% of a nice-0
    task's share, so short runs keep the CPU while a runaway loop burns out its limit in the
    background; alone, it still gets a whole core."""
    try:
        os.setpriority(os.PRIO_PROCESS, pid, 19)
    except OSError:
        pass


def _status(code: int) -> str:
    if os.WIFSIGNALED(code):
        sig = os.WTERMSIG(code)
        return {signal.SIGKILL: "killed", signal.SIGXCPU: "cpu",
                signal.SIGSEGV: "crashed", signal.SIGBUS: "crashed",
                signal.SIGABRT: "crashed"}.get(sig, f"signal {sig}")
    return "exited" if os.WEXITSTATUS(code) == 0 else f"exit {os.WEXITSTATUS(code)}"


def _supervise(control: socket.socket, pid: int, wall: float, demote_after: float) -> str:
    """Watch one run until the server ends it: enforce the wall clock, demote a busy run, and
    kill what is left at the end. Returns how the run process ended."""
    pidfd = os.pidfd_open(pid)
    now = time.monotonic()
    deadline, look = now + wall, now + demote_after
    ended = None
    try:
        while True:
            now = time.monotonic()
            if ended is None and now >= deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                ended = "timeout"
            if ended is None and now >= look:
                left = demote_after - _cpu_seconds(pid)
                look = now + max(left, 0.01) if left > 0 else float("inf")
                if left <= 0:
                    _demote(pid)
            wait = None if ended is not None else max(0.0, min(deadline, look) - now)
            ready, _, _ = select.select([control, pidfd] if ended is None else [control],
                                        [], [], wait)
            if pidfd in ready:
                ended = _status(os.waitpid(pid, 0)[1])
            if control in ready:
                message = control.recv(4096)
                if ended is None:
                    os.kill(pid, signal.SIGKILL)
                    ended = _status(os.waitpid(pid, 0)[1]).replace("killed", "ended")
                if not message:
                    raise EOFError
                return ended
    finally:
        os.close(pidfd)


def _send(control: socket.socket, message: dict, fds: tuple = ()) -> None:
    socket.send_fds(control, [json.dumps(message).encode()], list(fds))


# Exercises what later runs would otherwise import lazily, which a run process could not do:
# it may open no file. (PyTorch's optimizers import its compiler stack on the first step.)
_WARM_UP = ("import torch\nx = torch.ones(2, 2, requires_grad=True)\n(x * x).sum().backward()\n"
            "torch.nn.Linear(2, 2)(x)\nimport numpy as np\nnp.ones(2)\n"
            "for opt in (torch.optim.SGD([x], lr=0.1, momentum=0.9), torch.optim.Adam([x])):\n"
            "    opt.step()\n    opt.zero_grad()\n")


def _warm_up(backend: str, tasks: dict) -> None:
    """Import and exercise everything once, so each forked run process starts hot."""
    from .preload import preload
    preload(backend)
    for module, function, result in tasks.values():
        importlib.import_module(module)
        _load(result)
    if backend == "torch":
        import torch
        # one thread: forking after OpenMP has started its pool could deadlock
        torch.set_num_threads(1)
        torch.set_num_interop_threads(1)
        getattr(importlib.import_module(tasks["snapshot"][0]), "snapshot")(
            _WARM_UP, 0, DEFAULT, backend="torch")
        return
    getattr(importlib.import_module(tasks["run"][0]), "execute")(_WARM_UP, 0, DEFAULT)


def serve(backend: str, control_fd: int, native: bool = False) -> None:
    """Fork run processes for the server until it closes the control socket."""
    control = socket.socket(fileno=control_fd)
    tasks = {**TASKS, "native": _NATIVE} if native else dict(TASKS)
    _warm_up(backend, tasks)
    gc.freeze()   # what warm-up imported lives for good: each run process's collector skips it
    reads = _readable(backend)
    # from here the worker needs no file but /proc: it moves into a mount namespace whose root
    # is empty (its run processes are forked there), holding the host's /proc
    global _PROC
    _PROC = os.open("/proc", os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
    root = empty_root(reads)
    spare = _spawn(tasks, reads, root)
    try:
        _send(control, {"ready": True, "pid": os.getpid()})
        while True:
            message = control.recv(4096)
            if not message:
                return
            request = json.loads(message)
            pid, job_w, result_r = spare
            _send(control, {"pid": pid}, (job_w, result_r))
            os.close(job_w)
            os.close(result_r)
            spare = _spawn(tasks, reads, root)
            _send(control, {"status": _supervise(control, pid, float(request["wall"]),
                                                 float(request["demote"]))})
    except (EOFError, OSError):
        return
    finally:
        os.kill(spare[0], signal.SIGKILL)


if __name__ == "__main__":
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("MKL_NUM_THREADS", "1")
    serve(sys.argv[1], int(sys.argv[2]), "--test-native" in sys.argv[3:])
