"""The kernel's walls, tested as if learner code had escaped the Python-level sandbox.

Each case runs unrestricted Python (the test-only "native" task, which the server's pools
never offer) inside a real run process, tries one forbidden action, and prints BLOCKED when the
kernel refused it. Everything runs twice: with the workers as this user (root in CI) and as an
unprivileged user, as in the container; run processes of a root worker become `nobody`."""
from __future__ import annotations

import errno
import json
import os
import socket
import sysconfig
import textwrap
import time
from dataclasses import asdict

import pytest

from explorer import Limits, wire
from explorer.model import Run
from explorer.sandbox.confine import LAYERS
from explorer.sandbox.pool import WorkerPool, layer_status

LIMITS = Limits(cpu_seconds=3, wall_seconds=15)
NOBODY = 65534
USERS = ["self", "unprivileged"] if os.geteuid() == 0 else ["self"]


@pytest.fixture(scope="module", params=USERS)
def pool(request, tmp_path_factory):
    user = NOBODY if request.param == "unprivileged" else None
    workers = WorkerPool(size=1, native=True, user=user)
    workers.user = request.param
    yield workers
    workers.close()


def attempt(pool, body: str, **fill) -> str:
    """Run `body` natively in a run process; it prints BLOCKED when an OSError stopped it."""
    source = "try:\n" + textwrap.indent(textwrap.dedent(body).format(**fill), "    ") + \
        "\n    print('ALLOWED')\nexcept OSError as exc:\n    print('BLOCKED', exc.errno)\n"
    run = pool.call("native", source, 0, LIMITS)
    assert not isinstance(run, tuple), run
    assert run.error is None, run.error
    return run.stdout.strip()


def worker_pid(pool) -> int:
    return pool._idle.queue[0].proc.pid


def test_run_processes_raise_every_layer(pool):
    assert attempt(pool, "pass") == "ALLOWED"
    layers = layer_status()
    assert set(layers) == set(LAYERS)
    expected_off = {"uid"} if pool.user == "unprivileged" else set()
    assert {k for k, v in layers.items() if v != "on"} == expected_off, layers


def test_cannot_read_a_file(pool):
    assert attempt(pool, "open('/etc/passwd').read()").startswith("BLOCKED")


def test_cannot_read_the_projects_own_files(pool):
    here = os.path.abspath(__file__)
    assert attempt(pool, "open({path!r}).read()", path=here).startswith("BLOCKED")


def test_cannot_create_a_file(pool, tmp_path):
    os.chmod(tmp_path, 0o777)
    target = tmp_path / "created"
    assert attempt(pool, "open({path!r}, 'w').write('x')", path=str(target)).startswith("BLOCKED")
    assert not target.exists()


def test_cannot_rewrite_an_existing_file_through_mmap(pool, tmp_path):
    os.chmod(tmp_path, 0o777)
    target = tmp_path / "existing"
    target.write_bytes(b"original")
    os.chmod(target, 0o666)
    body = """
    fd = os.open({path!r}, os.O_RDWR)
    view = mmap.mmap(fd, 0)
    view[:8] = b'changed!'
    view.flush()
    """
    assert attempt(pool, body, path=str(target)).startswith("BLOCKED")
    assert target.read_bytes() == b"original"


def test_cannot_list_a_directory_or_stat_a_path(pool):
    assert attempt(pool, "os.listdir('/')").startswith("BLOCKED")
    assert attempt(pool, "os.stat('/etc/passwd')").startswith("BLOCKED")


# Every system call that takes a path (x86-64 numbers), with PATH where the path goes and DIRFD
# where a directory fd does; BUF is a scratch buffer. Each is tried with every fd trick below.
_PATH_CALLS = """
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
buf, buf2 = ctypes.create_string_buffer(4096), ctypes.create_string_buffer(4096)
L = ctypes.c_long
EMPTY, FDCWD = 0x1000, -100 & 0xffffffff
# AT_FDCWD as the kernel reads it (low 32 bits), sign-extended, with junk in the high bits,
# and a real fd (an absolute path ignores it; a relative one climbs from it)
DIRFDS = [L(-100), L((0x5a5a << 32) | FDCWD), L(RESULT_FD)]
CALLS = {{
    "stat": lambda P, D: (4, P, buf), "lstat": lambda P, D: (6, P, buf),
    "access": lambda P, D: (21, P, L(0)), "readlink": lambda P, D: (89, P, buf, L(4096)),
    "open O_PATH": lambda P, D: (2, P, L(0o10000000)), "chdir": lambda P, D: (80, P),
    "newfstatat": lambda P, D: (262, D, P, buf, L(0)),
    "newfstatat AT_EMPTY_PATH": lambda P, D: (262, D, P, buf, L(EMPTY)),
    "statx": lambda P, D: (332, D, P, L(0), L(0x7ff), buf),
    "statx AT_EMPTY_PATH": lambda P, D: (332, D, P, L(EMPTY), L(0x7ff), buf),
    "faccessat": lambda P, D: (269, D, P, L(0)),
    "faccessat2 AT_EMPTY_PATH": lambda P, D: (439, D, P, L(0), L(EMPTY)),
    "readlinkat": lambda P, D: (267, D, P, buf, L(4096)),
    "openat": lambda P, D: (257, D, P, L(0)),
    "openat O_PATH": lambda P, D: (257, D, P, L(0o10000000)),
    "name_to_handle_at": lambda P, D: (303, D, P, buf, buf2, L(EMPTY)),
    "utimensat": lambda P, D: (280, D, P, None, L(0)),
    "fchmodat": lambda P, D: (268, D, P, L(0o777)),
    "mkdirat": lambda P, D: (258, D, P, L(0o777)),
}}
outcome = {{}}
for path in {paths!r}:
    for name, call in CALLS.items():
        for dirfd in DIRFDS:
            rc = libc.syscall(*call(ctypes.c_char_p(path.encode()), dirfd))
            outcome.setdefault((name, dirfd.value), {{}})[path] = \
                "ok" if rc >= 0 else errno.errorcode[ctypes.get_errno()]
print(repr(outcome))
"""
# a host file, a host folder, /proc, this checkout, paths relative to the result fd, and a
# path that does not exist: the same refusal for each, or the answer is an oracle
_HOST_PATHS = ["/etc/passwd", "/etc", "/proc/1", "/proc/self/status", os.path.abspath(__file__),
               "../../../../../../../etc/passwd", "", "/no/such/path"]


def _path_outcomes(pool) -> dict:
    run = pool.call("native", _PATH_CALLS.format(paths=_HOST_PATHS), 0, LIMITS)
    assert not isinstance(run, tuple) and run.error is None, run
    return eval(run.stdout)     # noqa: S307 - a repr of str-keyed dicts from our own probe


def test_no_system_call_tells_whether_a_host_path_exists(pool):
    """newfstatat with AT_EMPTY_PATH but a real path stated any host file (attack 12, f9): now
    every call that takes a path fails the same way for a host file, a folder, /proc, the
    checkout and a path that does not exist, with AT_FDCWD as it is, with junk in its high 32
    bits (the kernel ignores them), and relative to the one fd the process holds."""
    for (name, dirfd), by_path in _path_outcomes(pool).items():
        assert set(by_path.values()) == {"EPERM"}, (name, dirfd, by_path)


def test_fstat_of_its_own_fd_still_works(pool):
    """The one form of fstat left: an fd of its own and a NULL path (Linux 6.11+), or fstat."""
    body = """
    libc = ctypes.CDLL(None, use_errno=True)
    buf = ctypes.create_string_buffer(256)
    print(libc.syscall(262, RESULT_FD, None, buf, 0x1000), libc.syscall(5, RESULT_FD, buf))
    print(libc.syscall(262, ctypes.c_long(-100), None, buf, 0x1000), ctypes.get_errno())
    """
    run = pool.call("native", textwrap.dedent(body), 0, LIMITS)
    assert run.stdout.split() == ["0", "0", "-1", str(errno.EPERM)], run


def test_cannot_list_the_hosts_processes(pool):
    body = """
    libc = ctypes.CDLL(None, use_errno=True)
    buf = ctypes.create_string_buffer(256)
    seen = [pid for pid in range(1, 4096)
            if libc.syscall(262, ctypes.c_long(-100), b"/proc/%d" % pid, buf, 0x1000) == 0]
    print(len(seen))
    for probe in (lambda: os.listdir('/proc'), lambda: os.listdir('/proc/self/fd'),
                  lambda: open('/proc/self/status').read(), lambda: os.stat('/proc/1')):
        try:
            probe()
            print('ALLOWED')
        except OSError as exc:
            print('BLOCKED', exc.errno)
    """
    run = pool.call("native", textwrap.dedent(body), 0, LIMITS)
    lines = run.stdout.split("\n")
    assert lines[0] == "0", run
    assert all(line.startswith("BLOCKED") for line in lines[1:5]), run


def test_learners_files_still_work(pool):
    """torch.save/torch.load, os.path and tempfile work on the run's in-memory files, which
    need no directory: the run process holds no fd a relative path could climb from."""
    source = textwrap.dedent("""
    import os, tempfile
    import torch
    model = torch.nn.Linear(2, 1)
    torch.save(model.state_dict(), 'model.pt')
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, 'x.pt')
        torch.save({'x': torch.arange(3)}, path)
        print(torch.load(path)['x'].tolist(), os.path.exists(path))
    state = torch.load('model.pt')
    print(sorted(state), torch.equal(state['weight'], model.weight), os.path.exists('model.pt'))
    """)
    run = pool.run(source)
    assert run.error is None, run.error
    assert run.stdout == "[0, 1, 2] True\n['bias', 'weight'] True True\n"


def _run_process_without_namespaces(reads: tuple[str, ...], source: str):
    """A run process (worker._run_process, forked from this test) whose unshare() is refused,
    as Docker's default seccomp profile refuses it, as is its worker's (so no empty root):
    (its first message, its result or None)."""
    from explorer.sandbox import confine as confine_module
    from explorer.sandbox import native, worker   # noqa: F401 - imported before the fork

    def refused() -> bool:
        raise PermissionError(errno.EPERM, "unshare refused")

    job_r, job_w = os.pipe()
    result_r, result_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            confine_module._namespaces = refused
            worker._run_process(job_r, result_w, {**worker.TASKS, "native": worker._NATIVE},
                                reads, "off: no mount namespace")
        finally:
            os._exit(1)
    os.close(job_r)
    os.close(result_w)
    try:
        first = wire.decode(wire.read_frame(result_r, time.monotonic() + 10), dict[str, str])
        result = None
        if not isinstance(first, tuple):
            job = {"task": "native", "source": source, "seed": 0, "limits": asdict(LIMITS),
                   "options": {}}
            wire.write_frame(job_w, wire.frame(json.dumps(job).encode()))
            result = wire.decode(wire.read_frame(result_r, time.monotonic() + 20), Run)
        return first, result
    finally:
        os.close(job_w)
        os.close(result_r)
        os.kill(pid, 9)
        os.waitpid(pid, 0)


def test_without_namespaces_no_path_is_reachable_still():
    """In the container as built no namespace can be made: the root layer is then off and
    reported, and seccomp alone keeps every host path out of reach."""
    first, run = _run_process_without_namespaces((), _PATH_CALLS.format(paths=_HOST_PATHS))
    assert first["namespaces"].startswith("off") and first["empty_root"] == "off: no mount namespace"
    assert first["seccomp"] == "on"
    assert run.error is None, run.error
    for (name, dirfd), by_path in eval(run.stdout).items():   # noqa: S307 - our own repr
        assert set(by_path.values()) == {"EPERM"}, (name, dirfd, by_path)


def test_compare_mode_refuses_to_run_without_an_empty_root():
    """Compare mode's filter lets paths through (PyTorch imports lazily), so without a mount
    namespace it fails closed, saying why, instead of running with the host's files in sight."""
    first, run = _run_process_without_namespaces((sysconfig.get_paths()["stdlib"],), "pass")
    assert run is None and first[0] == "failed", first
    assert "needs the empty_root layer (off: no mount namespace)" in first[1]


@pytest.fixture(scope="module", params=USERS)
def torch_pool(request):
    pytest.importorskip("torch")
    user = NOBODY if request.param == "unprivileged" else None
    workers = WorkerPool(size=1, backend="torch", native=True, user=user)
    yield workers
    workers.close()


def test_compare_mode_sees_only_its_python(torch_pool):
    """Compare mode's run process may stat and open paths (read-only, where Landlock allows), so
    its root is an empty tmpfs with Python and PyTorch bind-mounted read-only: host files,
    /proc and the checkout do not exist there, and what is mounted cannot be written."""
    body = """
    import sys, torch
    for path in ['/etc/passwd', '/proc/1', '/proc/self/status', {checkout!r}, '/tmp', '/dev']:
        try:
            os.stat(path)
            print(path, 'ALLOWED')
        except OSError as exc:
            print(path, 'BLOCKED', errno.errorcode[exc.errno])
    os.stat(torch.__file__)
    for probe in (lambda: os.listdir('/'), lambda: open(torch.__file__, 'a'),
                  lambda: os.mkdir('/x')):
        try:
            probe()
            print('ALLOWED')
        except OSError as exc:
            print('BLOCKED', errno.errorcode[exc.errno])
    """
    run = torch_pool.call("native", textwrap.dedent(body).format(checkout=__file__), 0, LIMITS)
    assert run.error is None, run.error
    lines = run.stdout.splitlines()
    assert all(line.endswith("BLOCKED ENOENT") for line in lines[:6]), run.stdout
    assert all(line.startswith("BLOCKED") for line in lines[6:9]), run.stdout
    assert layer_status()["empty_root"] == "on"


@pytest.fixture
def listener():
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(0.5)
    yield server
    server.close()


def _accepted(server: socket.socket) -> bool:
    try:
        server.accept()[0].close()
        return True
    except OSError:
        return False


def test_cannot_open_a_tcp_connection(pool, listener):
    port = listener.getsockname()[1]
    body = "s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\ns.connect(('127.0.0.1', {port}))"
    assert attempt(pool, body, port=port).startswith("BLOCKED")
    assert not _accepted(listener)


def test_cannot_connect_a_unix_socket(pool, tmp_path):
    os.chmod(tmp_path, 0o777)
    path = str(tmp_path / "sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    os.chmod(path, 0o777)
    server.listen(1)
    server.settimeout(0.5)
    try:
        body = "s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\ns.connect({path!r})"
        assert attempt(pool, body, path=path).startswith("BLOCKED")
        assert attempt(pool, "socket.socketpair()").startswith("BLOCKED")
        assert not _accepted(server)
    finally:
        server.close()


def test_cannot_exec_or_fork(pool):
    assert attempt(pool, "os.execv('/bin/true', ['true'])").startswith("BLOCKED")
    assert attempt(pool, "os.fork()").startswith("BLOCKED")
    assert attempt(pool, "os.posix_spawn('/bin/true', ['true'], {{}})").startswith("BLOCKED")


def _syscall(number: int, *args: int) -> str:
    return ("libc = ctypes.CDLL(None, use_errno=True)\n"
            f"if libc.syscall({number}, {', '.join(map(str, args)) or '0'}) == -1:\n"
            "    raise OSError(ctypes.get_errno(), 'refused')")


def test_cannot_trace_or_read_another_process(pool):
    target = worker_pid(pool)
    assert attempt(pool, _syscall(101, 16, target)).startswith("BLOCKED")       # ptrace ATTACH
    assert attempt(pool, _syscall(310, target, 0, 1, 0, 1, 0)).startswith("BLOCKED")  # vm_readv
    assert attempt(pool, "open('/proc/{pid}/mem', 'rb')", pid=target).startswith("BLOCKED")


def test_cannot_read_the_workers_environment(pool):
    body = "print(open('/proc/{pid}/environ', 'rb').read())"
    assert attempt(pool, body, pid=worker_pid(pool)).startswith("BLOCKED")
    assert attempt(pool, "print(open('/proc/self/environ', 'rb').read())").startswith("BLOCKED")


def test_holds_no_fd_but_its_result(pool):
    run = pool.call("native", "print(RESULT_FD)", 0, LIMITS)
    result_fd = int(run.stdout)
    run = pool.call("native", "print(OPEN_FDS())", 0, LIMITS)
    assert run.stdout.strip() == f"[{result_fd}]"
    for fd in (0, 1, 2, result_fd + 1):
        assert attempt(pool, "os.write({fd}, b'forged')", fd=fd).startswith("BLOCKED")
    assert attempt(pool, "os.dup(RESULT_FD)").startswith("BLOCKED")
    assert attempt(pool, "os.memfd_create('x')").startswith("BLOCKED")
    assert attempt(pool, "os.pipe()").startswith("BLOCKED")


def test_cannot_signal_the_worker_or_the_server(pool):
    worker = worker_pid(pool)
    assert attempt(pool, "os.kill({pid}, 0)", pid=worker).startswith("BLOCKED")
    assert attempt(pool, "os.kill({pid}, 15)", pid=os.getpid()).startswith("BLOCKED")
    assert attempt(pool, "os.kill(-1, 9)").startswith("BLOCKED")
    assert pool._idle.queue[0].proc.poll() is None


def test_cannot_regain_privileges_or_make_namespaces(pool):
    assert attempt(pool, "os.setuid(0)").startswith("BLOCKED")
    assert attempt(pool, _syscall(272, 0x10000000)).startswith("BLOCKED")        # unshare user
    for number in (321, 298, 425, 323, 250):   # bpf, perf_event_open, io_uring, userfaultfd,
        assert attempt(pool, _syscall(number)).startswith("BLOCKED")             # keyctl


def test_runs_as_nobody(pool):
    """A root worker's run process becomes nobody; an unprivileged worker's is nobody inside
    its own user namespace (its ids are unmapped there)."""
    run = pool.call("native", "print(os.getuid(), os.geteuid(), os.getgid())", 0, LIMITS)
    assert run.stdout.split() == [str(NOBODY)] * 3


def test_nothing_outlives_its_run(pool):
    body = """
    import threading
    print(os.getpid(), flush=True)
    try:
        threading.Thread(target=lambda: None).start()
        print('thread started')
    except RuntimeError:
        print('no thread')
    """
    run = pool.call("native", textwrap.dedent(body), 0, LIMITS)
    pid = int(run.stdout.split()[0])
    assert "no thread" in run.stdout
    time.sleep(1.0)
    assert not os.path.exists(f"/proc/{pid}"), "the run process still exists after its run"


def test_a_run_that_will_not_stop_is_gone_after_its_run(pool):
    """Writes a whole result, then spins: the run ends when the result is in, and the process
    is killed then, not at the wall-clock limit."""
    body = """
    import json
    pid = os.getpid()
    data = json.dumps({{"ok": [{source!r}, 0, str(pid)]}}).encode()
    os.write(RESULT_FD, len(data).to_bytes(8, 'big') + data)
    while True:
        pass
    """
    started = time.monotonic()
    run = pool.call("native", textwrap.dedent(body).format(source="x"), 0, LIMITS)
    assert run.stdout.isdigit(), run
    assert time.monotonic() - started < LIMITS.wall_seconds
    time.sleep(1.0)
    assert not os.path.exists(f"/proc/{run.stdout}")


def _memory_holds(pid: int, needle: bytes) -> bool:
    """Whether any readable mapping of process `pid` contains `needle` (read as its parent)."""
    with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb", 0) as mem:
        for line in maps:
            span, perms = line.split()[:2]
            if not perms.startswith("r"):
                continue
            start, end = (int(x, 16) for x in span.split("-"))
            try:
                mem.seek(start)
                if needle in mem.read(end - start):
                    return True
            except (OSError, ValueError, OverflowError):
                continue
    return False


def test_the_worker_never_holds_a_learners_code(pool):
    """Run processes are forked from the worker before their job exists, and the worker never
    reads a job or a result: a run's code is nowhere in the worker's memory afterwards, so no
    later run process can inherit it."""
    marker = f"learner-secret-{os.urandom(8).hex()}"
    run = pool.call("native", f"print({marker!r})", 0, LIMITS)
    assert run.stdout.strip() == marker
    worker = worker_pid(pool)
    assert _memory_holds(worker, b"import") or _memory_holds(worker, b"numpy")   # it can see
    assert not _memory_holds(worker, marker.encode())
