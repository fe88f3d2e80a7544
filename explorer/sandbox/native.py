"""Test-only: run unrestricted Python inside a confined run process.

The OS-layer tests (tests/test_sandbox_os.py) use it to check the kernel's walls as if
learner code had escaped the Python-level sandbox. A worker offers this task only when started
with `--test-native`, which the server's pools never pass; no learner input reaches it."""
from __future__ import annotations

import contextlib
import ctypes
import errno
import io
import mmap
import os
import socket
import traceback

from ..model import ErrorInfo, Run

__all__ = ["run_native"]

# What an attack needs, imported in the worker beforehand: the run process can load nothing.
_MODULES = {"ctypes": ctypes, "errno": errno, "mmap": mmap, "os": os, "socket": socket}


def _open_fds() -> list[int]:
    """The file descriptors this process holds (fcntl F_GETFD takes no path, so seccomp
    allows it; glibc's fstat passes a path, "", which seccomp cannot tell from any other)."""
    found = []
    for fd in range(256):
        try:
            os.get_inheritable(fd)
            found.append(fd)
        except OSError:
            pass
    return found


def run_native(source: str, seed: int, limits, **options) -> Run:
    """exec the code with real builtins; its printed output and its exception come back."""
    out = io.StringIO()
    error = None
    result_fd = max(_open_fds())   # what a test writes hostile bytes to
    with contextlib.redirect_stdout(out):
        try:
            exec(compile(source, "<native>", "exec"), {"__name__": "__native__", **_MODULES,
                                                       "RESULT_FD": result_fd,
                                                       "OPEN_FDS": _open_fds})
        except BaseException as exc:  # noqa: BLE001 - the test reads it
            last = traceback.format_exception_only(exc)[-1].strip()
            error = ErrorInfo(type(exc).__name__, last, None, None, "")
    return Run(source, seed, stdout=out.getvalue()[:100_000], error=error)
