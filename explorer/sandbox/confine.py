"""The kernel's walls around a run process, raised before any learner code arrives.

Learner code is assumed to reach native execution inside its run process, so these walls, not
the Python-level sandbox, are what keep it in. In the order they go up:

- file descriptors: everything but the job pipe and the result pipe is closed;
- namespaces: a private, empty network (and IPC) namespace; as root the process then becomes
  `nobody`, otherwise it enters a new user namespace first;
- empty_root: the process was forked inside its worker's own mount namespace, whose root is an
  empty read-only tmpfs (pivot_root) with the host's file system detached: no path names a host
  file or /proc (compare mode gets its Python and PyTorch bind-mounted read-only). The worker
  builds it once (empty_root), after its warm-up;
- prctl: no new privileges, not dumpable (so no other process of the uid may read its memory),
  killed when its worker dies;
- Landlock: no file-system access at all, no TCP, no abstract UNIX sockets, no signals to
  processes outside it (as far as the kernel's Landlock ABI goes);
- seccomp: an allowlist of system calls (memory, time, signals to itself, reading its job and
  writing its one result fd); everything else fails with EPERM: no open, socket, exec, fork,
  ptrace, process_vm_readv, kill, and (but in compare mode) no call that takes a path, so the
  host's files stay out of sight even where no mount namespace may be made.

Each layer reports whether it went up. `REQUIRED` layers must, or the process refuses to run
code; the others are logged and shown on the app's status line when missing."""
from __future__ import annotations

import ctypes
import errno
import os
import signal

import pyseccomp as sc   # loads libseccomp now: a confined process can load nothing

__all__ = ["LAYERS", "REQUIRED", "confine"]

LAYERS = ("fds", "namespaces", "empty_root", "uid", "prctl", "landlock", "seccomp")
REQUIRED = frozenset({"fds", "prctl", "seccomp"})
NOBODY = 65534

_libc = ctypes.CDLL(None, use_errno=True)
_PR_SET_PDEATHSIG, _PR_SET_DUMPABLE, _PR_SET_NO_NEW_PRIVS = 1, 4, 38
_CLONE_NEWIPC, _CLONE_NEWUSER, _CLONE_NEWNET = 0x08000000, 0x10000000, 0x40000000
_CLONE_NEWNS = 0x00020000
_LANDLOCK_CREATE_RULESET, _LANDLOCK_ADD_RULE, _LANDLOCK_RESTRICT_SELF = 444, 445, 446
_SYS_PIVOT_ROOT, _MNT_DETACH = 155, 2
_MS_RDONLY, _MS_NOSUID, _MS_NODEV, _MS_NOEXEC, _MS_REMOUNT = 1, 2, 4, 8, 32
_MS_NOATIME, _MS_NODIRATIME, _MS_BIND, _MS_REC, _MS_PRIVATE = 1024, 2048, 4096, 16384, 1 << 18
_NEW_ROOT = "/tmp"    # where the empty root is built (in the new mount namespace only)
# O_TMPFILE without its O_DIRECTORY bit, which plain directory listings set
_O_WRITES = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND | \
    (os.O_TMPFILE & ~os.O_DIRECTORY)
_AT_EMPTY_PATH = 0x1000
_LOW_FD_MASK = 0xFFFFFF00      # an fd argument's bits 8-31: zero for fds 0-255, set for AT_FDCWD
_F_GETFD, _F_SETFD, _F_GETFL, _F_SETFL = 1, 2, 3, 4

# System calls a run may make: what CPython, NumPy and OpenBLAS (one thread) need to compute,
# allocate, keep time and handle their own signals. Calls with arguments worth checking are
# added with their conditions in _seccomp.
_ALLOWED = (
    "read", "readv", "close", "lseek", "brk", "mmap", "munmap", "mremap", "mprotect", "madvise",
    "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack", "futex", "sched_yield",
    "sched_getaffinity", "getpid", "gettid", "getuid", "geteuid", "getgid", "getegid",
    "clock_gettime", "clock_getres", "gettimeofday", "time", "nanosleep", "clock_nanosleep",
    "getrusage", "times", "getrlimit", "setrlimit", "getrandom", "uname", "exit", "exit_group",
    "restart_syscall", "rseq", "set_robust_list",
)


def _call(fn, *args) -> int:
    result = fn(*args)
    if result == -1:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))
    return result


class _Discard:
    """sys.stdout/stderr once fds 0-2 are gone: the interpreter's own writes go nowhere."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


def _close_fds(keep: tuple[int, ...]) -> None:
    import sys
    sys.stdin = None
    sys.stdout = sys.stderr = sys.__stdout__ = sys.__stderr__ = _Discard()
    low = 0
    for fd in sorted(keep):
        os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, 1 << 20)


def _namespaces() -> None:
    """New network and IPC namespaces (and, when not root, a user namespace to own them)."""
    if os.geteuid() == 0:
        _call(_libc.unshare, _CLONE_NEWNET | _CLONE_NEWIPC)
    else:
        _call(_libc.unshare, _CLONE_NEWUSER | _CLONE_NEWNET | _CLONE_NEWIPC)


def _mount(source: str | None, target: str, fstype: str | None, flags: int,
           data: str | None = None) -> None:
    _call(_libc.mount, source and source.encode(), target.encode(), fstype and fstype.encode(),
          ctypes.c_ulong(flags), data and data.encode())


def _map_ids(uid: int, gid: int) -> None:
    """In a new user namespace, map `uid`/`gid` to the ids this process had outside it (so it
    may create the mount points below in its own tmpfs), and nothing else."""
    outer_uid, outer_gid = os.getuid(), os.getgid()   # still the outer ones: ids are unmapped
    for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {outer_uid} 1"),
                       ("gid_map", f"{gid} {outer_gid} 1")):
        fd = os.open(f"/proc/self/{name}", os.O_WRONLY | os.O_CLOEXEC)
        try:
            os.write(fd, text.encode())
        finally:
            os.close(fd)


def _empty_root(reads: tuple[str, ...]) -> None:
    """Make the root an empty, read-only tmpfs and detach the host's file system from this
    mount namespace, so no path names a host file: no /proc, /etc, /tmp or checkout. The
    directories in `reads` (compare mode's Python and PyTorch) are bind-mounted read-only at
    their own paths. Runs only inside a mount namespace of its own (see empty_root)."""
    # nothing mounted here may reach the host's mounts (they are often shared)
    _mount(None, "/", None, _MS_REC | _MS_PRIVATE)
    base = _NEW_ROOT
    _mount("none", base, "tmpfs", _MS_NOSUID | _MS_NODEV | _MS_NOEXEC, "size=64k,mode=0755")
    outer = [p for p in sorted(set(reads))
             if not any(p.startswith(q.rstrip("/") + "/") for q in reads if q != p)]
    for path in outer:
        target = base + path
        os.makedirs(target, exist_ok=True)
        _mount(path, target, None, _MS_BIND | _MS_REC)
        # read-only; keep the flags the host mount has, which a user namespace may not clear
        # (statvfs's ST_NOSUID … ST_NODIRATIME bits are the MS_ ones; relatime is the default)
        locked = os.statvfs(path).f_flag & (_MS_NOSUID | _MS_NODEV | _MS_NOEXEC | _MS_NOATIME |
                                            _MS_NODIRATIME)
        _mount(None, target, None, _MS_REMOUNT | _MS_BIND | _MS_RDONLY | _MS_NOSUID |
               _MS_NODEV | locked)
    _mount(None, base, None, _MS_REMOUNT | _MS_RDONLY | _MS_NOSUID | _MS_NODEV | _MS_NOEXEC)
    os.chdir(base)
    _call(_libc.syscall, _SYS_PIVOT_ROOT, b".", b".")   # the old root now lies on top of "."
    _call(_libc.umount2, b".", _MNT_DETACH)            # and is gone from this namespace
    os.chdir("/")


def empty_root(reads: tuple[str, ...] = ()) -> str:
    """Move this process (a worker, once, after its warm-up) into a mount namespace of its own
    whose root is empty (see _empty_root); every run process it forks then starts there, at no
    cost per run. Returns the layer's state, "on" or "off: why", for its run processes to
    report. A worker that is not root makes a user namespace to own the mount namespace, with
    only its own ids mapped (its run processes still make their own, where they are nobody)."""
    uid, gid = os.getuid(), os.getgid()
    try:
        if uid == 0:
            _call(_libc.unshare, _CLONE_NEWNS)
        else:
            _call(_libc.unshare, _CLONE_NEWUSER | _CLONE_NEWNS)
            _map_ids(uid, gid)
    except OSError as exc:
        return f"off: no mount namespace ({exc})"[:200]
    try:    # only now, inside its own mount namespace: pivot_root here would move the host's
        _empty_root(reads)
    except OSError as exc:
        return f"off: {exc}"[:200]
    return "on"


def _drop_uid() -> None:
    """Root becomes nobody; an unprivileged worker already is someone with nothing to lose
    here (its user namespace maps nobody, and the other walls hold either way)."""
    if os.geteuid() != 0:
        raise PermissionError("not root: the run keeps the worker's uid")
    os.setgroups([])
    os.setresgid(NOBODY, NOBODY, NOBODY)
    os.setresuid(NOBODY, NOBODY, NOBODY)


def _prctl() -> None:
    _call(_libc.prctl, _PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    _call(_libc.prctl, _PR_SET_DUMPABLE, 0, 0, 0, 0)
    _call(_libc.prctl, _PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


def landlock_abi() -> int:
    """The kernel's Landlock ABI version (0 without Landlock)."""
    version = _libc.syscall(_LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0),
                            ctypes.c_uint32(1))
    return max(version, 0)


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


_READ_FILE_DIR = (1 << 2) | (1 << 3)     # LANDLOCK_ACCESS_FS_READ_FILE | READ_DIR


def _landlock(reads: tuple[int, ...]) -> None:
    """A ruleset that handles every access right this kernel knows and allows none of them,
    but reading beneath the directories `reads` (O_PATH descriptors, closed here)."""
    abi = landlock_abi()
    if abi < 1:
        raise OSError(errno.ENOSYS, "Landlock is not available")
    fs_rights = 13 + (abi >= 2) + (abi >= 3) + (abi >= 5)     # rights added by ABI 2, 3, 5
    attr = _RulesetAttr((1 << fs_rights) - 1,
                        0b11 if abi >= 4 else 0,               # bind and connect TCP
                        0b11 if abi >= 6 else 0)               # abstract UNIX sockets, signals
    size = 8 if abi < 4 else 16 if abi < 6 else 24
    fd = _call(_libc.syscall, _LANDLOCK_CREATE_RULESET, ctypes.byref(attr),
               ctypes.c_size_t(size), ctypes.c_uint32(0))
    try:
        for parent in reads:
            _call(_libc.syscall, _LANDLOCK_ADD_RULE, fd, 1,
                  ctypes.byref(_PathBeneath(_READ_FILE_DIR, parent)), ctypes.c_uint32(0))
        _call(_libc.syscall, _LANDLOCK_RESTRICT_SELF, fd, ctypes.c_uint32(0))
    finally:
        os.close(fd)


def _seccomp(result_fd: int, reads: bool) -> None:
    pid = os.getpid()
    rules = sc.SyscallFilter(defaction=sc.ERRNO(errno.EPERM))
    for name in _ALLOWED:
        rules.add_rule(sc.ALLOW, name)
    rules.add_rule(sc.ALLOW, "write", sc.Arg(0, sc.EQ, result_fd))
    rules.add_rule(sc.ALLOW, "writev", sc.Arg(0, sc.EQ, result_fd))
    # fstat of an open fd only: a path would tell which files exist. AT_EMPTY_PATH alone is
    # not enough (the kernel still resolves a non-empty path, and an absolute one ignores the
    # fd), and seccomp cannot read the string; so the path pointer must be NULL (Linux 6.11+
    # reads NULL with AT_EMPTY_PATH as ""), and the fd a real one, never AT_FDCWD: the kernel
    # reads only the fd's low 32 bits, and those must be 0-255.
    if not reads:
        rules.add_rule(sc.ALLOW, "newfstatat", sc.Arg(0, sc.MASKED_EQ, _LOW_FD_MASK, 0),
                       sc.Arg(1, sc.EQ, 0),
                       sc.Arg(3, sc.MASKED_EQ, _AT_EMPTY_PATH, _AT_EMPTY_PATH))
    rules.add_rule(sc.ALLOW, "fstat")
    for command in (_F_GETFD, _F_SETFD, _F_GETFL, _F_SETFL):     # never F_DUPFD
        rules.add_rule(sc.ALLOW, "fcntl", sc.Arg(1, sc.EQ, command))
    rules.add_rule(sc.ALLOW, "tgkill", sc.Arg(0, sc.EQ, pid))    # raise() and abort() only
    rules.add_rule(sc.ALLOW, "prlimit64", sc.Arg(0, sc.EQ, 0))   # its own limits only
    rules.add_rule(sc.ERRNO(errno.ENOSYS), "clone3")             # so glibc tries clone: EPERM
    if reads:   # opening for reading, where Landlock allows it; never for writing, and never
        # O_PATH, which Landlock does not check (the mount namespace is the wall for paths)
        rules.add_rule(sc.ALLOW, "openat", sc.Arg(2, sc.MASKED_EQ, _O_WRITES | os.O_PATH, 0))
        for name in ("newfstatat", "statx", "getdents64", "readlink", "readlinkat", "pread64",
                     "getcwd"):
            rules.add_rule(sc.ALLOW, name)
    rules.load()


def _root_state(root: str) -> None:
    if root != "on":
        raise PermissionError(root.removeprefix("off: "))


def confine(job_fd: int, result_fd: int, reads: tuple[str, ...] = (),
            root: str = "off: not in an empty root") -> dict[str, str]:
    """Raise every wall around this process; returns each layer's state ("on" or why not).
    `reads` are directories it may still read (real PyTorch imports modules lazily: the
    compare mode's workers pass its installation); `root` is what empty_root() returned in
    the worker this process was forked from. Raises PermissionError when a REQUIRED layer
    could not go up."""
    state = {}
    _close_fds((job_fd, result_fd))
    state["fds"] = "on"
    held = tuple(os.open(path, os.O_PATH | os.O_CLOEXEC) for path in reads)   # while root
    steps = (("namespaces", _namespaces), ("empty_root", lambda: _root_state(root)),
             ("uid", _drop_uid), ("prctl", _prctl),
             ("landlock", lambda: _landlock(held)),
             ("seccomp", lambda: _seccomp(result_fd, bool(reads))))
    try:
        for name, step in steps:
            try:
                step()
                state[name] = "on"
            except Exception as exc:  # noqa: BLE001 - reported; REQUIRED ones stop the run
                state[name] = f"off: {exc}"[:200]
    finally:
        for fd in held:
            os.close(fd)
    missing = sorted(name for name in REQUIRED if state[name] != "on")
    if missing:
        raise PermissionError(f"sandbox layers could not be set up: {', '.join(missing)}")
    return state
