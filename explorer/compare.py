"""Check against PyTorch: run the same learner code on the engine and on real PyTorch, both in
the sandbox, and say where they differ (printed output, values and grads, the error).

Each side runs as the "snapshot" task of its own worker pool: the code runs once from a fresh
state with the same seed, and the child sends back its stdout, its error and the values and
grads of the learner's variables as NumPy arrays. Nothing here is drawn; the page shows it."""
from __future__ import annotations

import difflib
import importlib.util
import itertools
import math
import threading
import warnings
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from .model import ErrorInfo, Shape
from .sandbox.limits import DEFAULT, Limits

__all__ = ["INSTALL_TORCH", "Comparison", "Snapshot", "TensorSnapshot", "TorchUnavailable",
           "VariableDiff", "busy", "compare_snapshots", "one_check_each", "run_snapshot",
           "snapshot", "torch_available"]

INSTALL_TORCH = "pip install torch==2.13.0"
MAX_COMPARED = 100_000        # elements per variable sent back and compared (a prefix beyond)
MAX_VARIABLES = 1_000         # tensors compared (each of a Module's parameters and buffers is one)
TORCH_WAIT = 5.0              # seconds a check waits for the real-PyTorch worker (see busy())
# (rtol, atol) per dtype: the engine matches PyTorch to the last bits, not always the last bit
TOLERANCES = {"torch.float16": (1e-3, 1e-3), "torch.bfloat16": (1e-2, 1e-2),
              "torch.float32": (1e-5, 1e-6), "torch.float64": (1e-10, 1e-12)}


class TorchUnavailable(RuntimeError):
    """Real PyTorch is not installed in the server's environment."""


def torch_available() -> bool:
    """Whether real PyTorch can be imported here (checked without importing it)."""
    return importlib.util.find_spec("torch") is not None


@dataclass(frozen=True, eq=False)
class TensorSnapshot:
    name: str                      # "x", or "model.fc.weight" for a Module's parameter/buffer
    shape: Shape
    dtype: str                     # "torch.float32"
    numel: int
    values: np.ndarray             # flat, the first MAX_COMPARED elements
    grad: np.ndarray | None        # flat like values, None when .grad is None


@dataclass(frozen=True, eq=False)
class Snapshot:
    """One side of a comparison, as plain data."""

    stdout: str
    error: ErrorInfo | None
    tensors: tuple[TensorSnapshot, ...] = ()   # in order of definition


@dataclass(frozen=True)
class VariableDiff:
    name: str
    engine_shape: tuple | None     # None: the variable does not exist on that side
    torch_shape: tuple | None
    engine_dtype: str | None
    torch_dtype: str | None
    max_abs_diff: float | None     # of the values; None when they cannot be compared
    grad_max_abs_diff: float | None
    engine_has_grad: bool
    torch_has_grad: bool
    compared: int                  # elements compared (a prefix for big tensors)
    equal: bool
    note: str = ""                 # why not equal, in a few words


@dataclass(frozen=True)
class Comparison:
    source: str
    seed: int
    engine_stdout: str
    torch_stdout: str
    stdout_diff: tuple             # unified-diff lines, () when the output is identical
    engine_error: str | None       # "RuntimeError: first line", None when the code ran through
    torch_error: str | None
    variables: tuple               # VariableDiff, engine's order then PyTorch-only names
    equal: bool
    stopped: bool = False          # a side was stopped from outside (a busy server's clock)
    busy: bool = False             # nothing ran: the real-PyTorch worker was not free in time

    @property
    def differences(self) -> tuple:
        return tuple(v for v in self.variables if not v.equal)

    @property
    def difference_count(self) -> int:
        """The variables that differ, and the printed output and the error where they do."""
        return (len(self.differences) + bool(self.stdout_diff)
                + (self.engine_error != self.torch_error))


def lasting(comparison: Comparison) -> bool:
    """Whether a comparison says something about its code, not about how busy the server was:
    only those may be kept for other learners."""
    return not comparison.stopped


def busy(source: str, seed: int) -> Comparison:
    """What a check says when the real-PyTorch worker (one for the whole server, each holding a
    whole PyTorch) did not come free within TORCH_WAIT seconds: nothing ran, so it is stopped
    (never kept) and the page asks to try again. An ordinary check holds the worker for 0.1-1 s,
    so a few queued ones still pass within that wait; a runaway holds it up to its wall limit
    (10 s) and four of them queued made another session's one-line check wait 39 s (fifteenth
    outside attack)."""
    return Comparison(source, seed, "", "", (), None, None, (), False, stopped=True, busy=True)


_checking: set = set()
_checking_lock = threading.Lock()


@contextmanager
def one_check_each(owner):
    """Whether `owner` (a session) may start a check now: not while its previous one still
    runs. Streamlit starts a page's rerun at once (runner.fastReruns) while the earlier run is
    still waiting for its check, so clicking Check on other code again and again would queue
    as many checks for the one real-PyTorch worker. None: no owner, always free."""
    if owner is None:
        yield True
        return
    with _checking_lock:
        free = owner not in _checking
        _checking.add(owner)
    try:
        yield free
    finally:
        if free:
            with _checking_lock:
                _checking.discard(owner)


def comparison_bytes(comparison: Comparison) -> int:
    """What a comparison weighs in a cache: its texts, and a few hundred bytes per variable."""
    texts = (comparison.source, comparison.engine_stdout, comparison.torch_stdout,
             *comparison.stdout_diff)
    return sum(map(len, texts)) + 512 * (1 + len(comparison.variables))


# ---- in the sandboxed child ------------------------------------------------------------------
def snapshot(source: str, seed: int, limits: Limits = DEFAULT, *,
             backend: str = "engine") -> Snapshot:
    """Run the code once on `backend` and keep its output, error and variables."""
    from .sandbox.execute import after_learner_code, error_info, run_learner_code
    outcome = run_learner_code(source, seed, limits, backend=backend)
    after_learner_code()
    items = [(k, v) for k, v in outcome.namespace.items() if not k.startswith("_")]
    if outcome.result_value is not None:
        items.append(("_", outcome.result_value))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # .grad of a non-leaf warns in PyTorch
        tensors = tuple(_tensors(items, backend))
    return Snapshot(outcome.out.getvalue(), error_info(outcome), tensors)


def _tensors(items: list, backend: str):
    """The learner's tensors, then each Module's parameters and buffers, at most MAX_VARIABLES.

    Only the library's own tensors count, by their exact types, and everything sent is read
    from them by the library's code (a Module's are listed by the library's named_parameters
    and named_buffers, not a learner's): nothing is asked of an object of a learner's class. A
    Module whose named_parameters() gave objects of its own, claiming shape (N,) and giving
    (N, 1) values, had the server broadcast them against the engine's into N x N arrays
    (fifteenth outside attack); such a Module's tensors are not compared."""
    if backend == "torch":
        import torch
        tensor_types, module_type = (torch.Tensor, torch.nn.Parameter), torch.nn.Module
    else:
        import engine
        tensor_types = (engine.Tensor, engine.nn.Parameter, engine.nn.Buffer)
        module_type = engine.nn.Module

    def found():
        for name, value in items:
            if type(value) in tensor_types:
                yield name, value
            elif isinstance(value, module_type):
                for inner, t in itertools.chain(module_type.named_parameters(value),
                                                module_type.named_buffers(value)):
                    if type(inner) is str and type(t) in tensor_types:
                        yield f"{name}.{inner}", t

    snapshots = (_tensor_snapshot(name, t, tensor_types, backend) for name, t in found())
    return itertools.islice(filter(None, snapshots), MAX_VARIABLES)


def _tensor_snapshot(name: str, t, tensor_types: tuple, backend: str) -> TensorSnapshot | None:
    """`t` as plain data, None when its values cannot be read as NumPy's (a meta tensor, a
    dtype the engine does not have); its grad likewise."""
    from .wire import TENSOR_DTYPES
    values = _flat(t, backend) if str(t.dtype) in TENSOR_DTYPES else None
    if values is None:
        return None
    grad = t.grad
    if type(grad) in tensor_types and grad.shape == t.shape and \
            str(grad.dtype) in TENSOR_DTYPES:
        grad = _flat(grad, backend)
    else:
        grad = None
    shape = tuple(t.shape)
    return TensorSnapshot(name, shape, str(t.dtype), math.prod(shape), values, grad)


def _flat(t, backend: str) -> np.ndarray | None:
    """The first MAX_COMPARED values of a tensor of the library's own type, flat."""
    if backend == "torch":
        import torch
        if t.device.type != "cpu" or t.layout != torch.strided:
            return None
        t = t.detach()
        if t.dtype == torch.bfloat16:       # NumPy has no bfloat16
            t = t.float()
        arr = t.numpy()
    else:
        arr = t._data
    if type(arr) is not np.ndarray:
        return None
    return np.array(arr.reshape(-1)[:MAX_COMPARED])


# ---- on the server ---------------------------------------------------------------------------
DIFF_LINES = 2000    # lines of each output difflib compares: its time grows with their cube,
#                      and it runs in the server for every viewer (20,000 lines took 2 min)


def _diff(ours: str, theirs: str) -> tuple:
    """A unified diff of the two outputs' first DIFF_LINES lines, and a line saying where
    they part when that is further on."""
    mine, real = ours.splitlines(), theirs.splitlines()
    diff = tuple(difflib.unified_diff(mine[:DIFF_LINES], real[:DIFF_LINES],
                                      "Autograd Explorer", "PyTorch", lineterm="", n=2))
    if diff or mine == real:
        return diff
    line = next((k for k, (a, b) in enumerate(zip(mine, real)) if a != b),
                min(len(mine), len(real)))
    return (f"@@ the outputs part at line {line + 1:,} @@",)


def compare_snapshots(source: str, seed: int, ours: Snapshot, theirs: Snapshot) -> Comparison:
    """Diff the engine's snapshot against PyTorch's."""
    diff = _diff(ours.stdout, theirs.stdout)
    mine = {t.name: t for t in ours.tensors}
    real = {t.name: t for t in theirs.tensors}
    names = list(mine) + [n for n in real if n not in mine]
    variables = tuple(_diff_tensor(n, mine.get(n), real.get(n)) for n in names)
    errors = _error_line(ours.error), _error_line(theirs.error)
    equal = not diff and errors[0] == errors[1] and all(v.equal for v in variables)
    stopped = any(s.error is not None and s.error.from_outside for s in (ours, theirs))
    return Comparison(source, seed, ours.stdout, theirs.stdout, diff, *errors, variables, equal,
                      stopped)


def _error_line(error: ErrorInfo | None) -> str | None:
    return None if error is None else f"{error.type}: {error.message}"


def _diff_tensor(name: str, a: TensorSnapshot | None, b: TensorSnapshot | None) -> VariableDiff:
    if a is None or b is None:
        side = "PyTorch" if a is None else "Autograd Explorer"
        there = a or b
        return VariableDiff(name, a and a.shape, b and b.shape, a and a.dtype, b and b.dtype,
                            None, None, a is not None and a.grad is not None,
                            b is not None and b.grad is not None, 0, False,
                            f"only {side} has {name}" if there else "")
    notes = []
    if a.shape != b.shape:
        notes.append("shapes differ")
    if a.dtype != b.dtype:
        notes.append("dtypes differ")
    values = _max_abs_diff(a.values, b.values) if a.shape == b.shape else None
    grad = (_max_abs_diff(a.grad, b.grad)
            if a.shape == b.shape and a.grad is not None and b.grad is not None else None)
    if a.shape == b.shape and not _close(a.values, b.values, a.dtype):
        notes.append("values differ")
    if (a.grad is None) != (b.grad is None):
        notes.append("only one side has a .grad")
    elif a.grad is not None and a.shape == b.shape and not _close(a.grad, b.grad, a.dtype):
        notes.append("grads differ")
    return VariableDiff(name, a.shape, b.shape, a.dtype, b.dtype, values, grad,
                        a.grad is not None, b.grad is not None,
                        min(a.values.size, b.values.size), not notes, ", ".join(notes))


def _max_abs_diff(a: np.ndarray, b: np.ndarray) -> float | None:
    """None unless both are of one shape: NumPy would broadcast (N,) against (N, 1) into an
    N x N array (fifteenth outside attack)."""
    if a.shape != b.shape or a.dtype.kind not in "fiub" or b.dtype.kind not in "fiub":
        return None
    if a.size == 0:
        return 0.0
    delta = np.abs(a.astype(np.float64) - b.astype(np.float64))
    both_nan = np.isnan(a.astype(np.float64)) & np.isnan(b.astype(np.float64))
    delta[both_nan] = 0.0
    return float(np.nan_to_num(delta, nan=np.inf).max())


def _close(a: np.ndarray, b: np.ndarray, dtype: str) -> bool:
    if a.shape != b.shape:          # never broadcast (see _max_abs_diff)
        return False
    if dtype not in TOLERANCES:
        return bool(np.array_equal(a, b))
    rtol, atol = TOLERANCES[dtype]
    return bool(np.allclose(a.astype(np.float64), b.astype(np.float64), rtol=rtol, atol=atol,
                            equal_nan=True))


def run_snapshot(pool, source: str, seed: int, limits: Limits, *,
                 wait: float | None = None) -> Snapshot | None:
    """One side's snapshot from its pool; a stopped or crashed child becomes its error. None
    when no worker came free within `wait` seconds (None: waits for one however long)."""
    from .sandbox.pool import BUSY, failure_error
    answer = pool.call("snapshot", source, seed, limits, wait=wait, backend=pool.backend)
    if isinstance(answer, Snapshot):
        return answer
    if answer is BUSY:                  # the pool's own, not a run process's {"failed": "busy"}
        return None
    return Snapshot("", failure_error(answer[1], limits))
