"""The kernel's walls, tested as if learner code had escaped the Python-level sandbox.

Each case runs unrestricted Python (the test-only "native" task, which the server's pools
never offer) inside a real run process, tries one forbidden action, and prints BLOCKED when the
kernel refused it. Everything runs twice: with the workers as this user (root in CI) and as an
unprivileged user, as in the container; run processes of a root worker become `nobody`."""
from __future__ import annotations

import os
import socket
import textwrap
import time

import pytest

from explorer import Limits
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
