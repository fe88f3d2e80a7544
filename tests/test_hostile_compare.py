"""Compare mode against hostile learner code (the fifteenth outside attack).

F1: a snapshot's values are a flat prefix of its tensor, on the wire, in the run process and in
the server's comparison, so no forged or learner-made object makes the server broadcast (N,)
against (N, 1) into N x N arrays. A forged snapshot ends as a plain message, never cached.

F2: one real-PyTorch worker serves every session, so a check that cannot have it within
compare.TORCH_WAIT seconds, or that a session starts while its previous one still runs, ends at
once as a busy comparison (nothing ran), which the page says and the cache never keeps."""
from __future__ import annotations

import base64
import json
import threading
import tracemalloc

import numpy as np
import pytest
from test_app import app_with
from test_wire import pool, send  # noqa: F401 - the pool of run processes that send anything

import explorer
from explorer import compare, wire
from explorer.compare import (
    MAX_COMPARED,
    MAX_VARIABLES,
    Snapshot,
    TensorSnapshot,
    compare_snapshots,
    comparison_bytes,
    lasting,
    run_snapshot,
)
from explorer.run_cache import RunCache
from explorer.sandbox import worker
from explorer.sandbox.limits import Limits
from explorer.sandbox.pool import BUSY
from explorer.texts import t

LIMITS = Limits(cpu_seconds=10, wall_seconds=30)
N = 2000
REFUSED = "values no tensor can have"


def snap(*tensors: TensorSnapshot) -> Snapshot:
    return Snapshot("", None, tensors)


def tensor(values, shape=(N,), dtype="torch.float32", grad=None, numel=None) -> TensorSnapshot:
    return TensorSnapshot("x", shape, dtype, N if numel is None else numel, values, grad)


def through_wire(snapshot: Snapshot) -> Snapshot:
    """What the server decodes when a run process sends `snapshot` (any run process may forge)."""
    return wire.decode(wire.encode(snapshot)[wire.HEADER.size:], Snapshot)


FLAT = np.zeros(N, np.float32)
FORGED = {
    "values (N, 1)": tensor(np.zeros((N, 1), np.uint8)),
    "values (1, N)": tensor(np.zeros((1, N), np.float32)),
    "fewer values than its shape holds": tensor(np.zeros(N - 1, np.float32)),
    "more values than its shape holds": tensor(np.zeros(N + 1, np.float32)),
    "more values than a snapshot keeps": tensor(np.zeros(MAX_COMPARED + 1, np.float32),
                                                shape=(MAX_COMPARED + 1,),
                                                numel=MAX_COMPARED + 1),
    "a grad (N, 1)": tensor(FLAT, grad=np.zeros((N, 1), np.float32)),
    "a grad of another size": tensor(FLAT, grad=np.zeros(3, np.float32)),
    "a numel not its shape's": tensor(FLAT, numel=N * N),
    "a dtype the engine has not": tensor(FLAT, dtype="torch.complex64"),
    "a dtype named by nothing": tensor(FLAT, dtype="x" * 1000),
}


@pytest.mark.parametrize("name", FORGED)
def test_a_snapshot_whose_values_are_not_a_flat_prefix_of_its_tensor_is_refused(name):
    with pytest.raises(wire.WireError, match=REFUSED):
        through_wire(snap(FORGED[name]))


def test_a_snapshot_of_more_tensors_than_compared_is_refused():
    empty = TensorSnapshot("e", (0,), "torch.float32", 0, np.zeros(0, np.float32), None)
    assert len(through_wire(snap(*[empty] * MAX_VARIABLES)).tensors) == MAX_VARIABLES
    with pytest.raises(wire.WireError, match="a snapshot of"):
        through_wire(snap(*[empty] * (MAX_VARIABLES + 1)))


def test_honest_snapshots_of_every_dtype_the_engine_has_pass_the_wire():
    import engine
    assert wire.TENSOR_DTYPES == {str(d) for d in engine.dtypes.ALL}
    as_numpy = {"torch.bfloat16": "float32"}          # NumPy has no bfloat16
    honest = [TensorSnapshot(name, (2, 3), name, 6,
                             np.zeros(6, as_numpy.get(name, name.removeprefix("torch."))),
                             None) for name in sorted(wire.TENSOR_DTYPES)]
    big = (MAX_COMPARED + 5,)
    honest += [tensor(FLAT, grad=np.ones(N, np.float32)),
               TensorSnapshot("big", big, "torch.float64", big[0], np.zeros(MAX_COMPARED),
                              np.zeros(MAX_COMPARED)),
               TensorSnapshot("scalar", (), "torch.int64", 1, np.zeros(1, np.int64), None),
               TensorSnapshot("empty", (3, 0), "torch.bool", 0, np.zeros(0, bool), None)]
    assert [t.name for t in through_wire(snap(*honest)).tensors] == [t.name for t in honest]


def test_the_comparison_of_values_of_other_shapes_reports_a_mismatch_without_broadcasting():
    """The server's last wall, whatever reaches it: (N,) against (N, 1) is a mismatch, never an
    N x N array (N = 8,000 took 1.35 GB and 4.6 s of the server's CPU)."""
    n = 3000
    ours = snap(TensorSnapshot("x", (n,), "torch.float32", n, np.zeros(n, np.float32),
                               np.zeros(n, np.float32)))
    theirs = snap(TensorSnapshot("x", (n,), "torch.float32", n, np.zeros((n, 1), np.uint8),
                                 np.zeros((n, 1), np.float32)))
    tracemalloc.start()
    try:
        comparison = compare_snapshots("x", 0, ours, theirs)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1 << 20, f"{peak:,} bytes"          # n * n float64 would be 72 MB
    [x] = comparison.variables
    assert not comparison.equal and not x.equal
    assert x.max_abs_diff is None and x.grad_max_abs_diff is None
    assert "values differ" in x.note and "grads differ" in x.note


class Forging:
    """A "pool" whose snapshot is whatever bytes a confined run process writes (the test-only
    native task), decoded by the server's own code as a Snapshot."""

    backend = "torch"

    def __init__(self, pool, body) -> None:
        self.pool, self.body = pool, body

    def call(self, task, source, seed, limits, **options):
        raw = wire.frame(json.dumps({"ok": self.body}, separators=(",", ":")).encode())
        return self.pool.call("native", send(repr(raw)), seed, limits)


def test_a_forged_snapshot_ends_as_a_plain_message_and_is_not_kept(pool, monkeypatch):
    """F1 of the attack: a run process sends the honest name, shape and dtype with (N, 1)
    values; the page said "Same output, same values, same gradients"."""
    native = worker._NATIVE
    monkeypatch.setattr(worker, "_NATIVE", (*native[:2], "explorer.compare:Snapshot"))
    source = f"import torch\nx = torch.zeros({N})\n"
    ours = run_snapshot(pool, source, 0, LIMITS)
    assert ours.error is None and [t.values.shape for t in ours.tensors] == [(N,)]
    column = ["uint8", [N, 1], base64.b64encode(bytes(N)).decode()]
    forged = ["", None, [["x", [N], "torch.float32", N, column, None]]]
    theirs = run_snapshot(Forging(pool, forged), source, 0, LIMITS)
    assert theirs.tensors == () and "not a result" in theirs.error.message
    comparison = compare_snapshots(source, 0, ours, theirs)
    assert not comparison.equal and comparison.stopped and not lasting(comparison)
    assert comparison.torch_error.startswith("RuntimeError: the run sent back something")
    cache = RunCache(1 << 20, weigh=comparison_bytes, keep=lasting)
    assert cache.get((source, 0), lambda: comparison) is comparison
    assert (source, 0) not in cache


FAKE_MODULE = f"""import torch
import numpy as np
N = {N}
class Fake:
    def __init__(self):
        self.grad = None
        self.shape = (N,)
        self.dtype = torch.float32
    def numel(self):
        return N
    def detach(self):
        return self
    def numpy(self):
        return self
    def reshape(self, *shape):
        return np.zeros((N, 1), dtype=np.uint8)
class M(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.w = torch.nn.Parameter(torch.ones(3))
    def named_parameters(self, *args, **kwargs):
        return [("fake", Fake()), ("w", self.w)]
m = M()
"""


@pytest.mark.parametrize("backend", ["torch", "engine"])
def test_a_modules_tensors_are_read_from_the_librarys_own_tensors_only(backend, pool,
                                                                        torch_pool):
    """F2 of the attack, plain learner code: a Module's named_parameters() handing out objects
    of the learner's own whose numpy().reshape(-1) is (N, 1). The snapshot lists a Module's
    tensors with the library's own named_parameters, of the library's exact types."""
    snapshot = run_snapshot(torch_pool if backend == "torch" else pool, FAKE_MODULE, 0,
                            LIMITS)
    assert snapshot.error is None, snapshot.error
    assert [(t.name, t.shape, t.values.shape) for t in snapshot.tensors] == \
        [("m.w", (3,), (3,))]


def test_a_snapshot_sends_at_most_the_tensors_compared(pool):
    source = ("import torch\nm = torch.nn.Sequential(*[torch.nn.Linear(1, 1, bias=False) "
              f"for _ in range({MAX_VARIABLES + 50})])\n")
    snapshot = run_snapshot(pool, source, 0, LIMITS)
    assert snapshot.error is None, snapshot.error
    assert len(snapshot.tensors) == MAX_VARIABLES
    assert snapshot.tensors[-1].name == f"m.{MAX_VARIABLES - 1}.weight"


# ---- F2: the one real-PyTorch worker ---------------------------------------------------------
def test_a_call_that_cannot_have_a_worker_in_time_is_busy_and_runs_nothing(pool):
    """Four queued `while True: pass` checks made another session's one-line check wait 39 s:
    the call waited for the pool's only worker however long."""
    held = pool._idle.get()              # another check has the only worker
    answers = []
    waiting = threading.Thread(target=lambda: answers.append(
        pool.call("run", "print('ran')", 0, LIMITS, wait=0.2)))
    try:
        waiting.start()
        waiting.join(timeout=20)         # generous: the answer comes after 0.2 s
        assert not waiting.is_alive(), "the call still waits for the worker"
    finally:
        pool._idle.put(held)
        waiting.join()
    assert answers == [BUSY]
    assert pool.run("print('next')", 0, LIMITS).stdout == "next\n"


class Refusing:
    """A pool that must not be asked."""

    backend = "engine"

    def call(self, *args, **options):
        raise AssertionError("this pool was asked")


class Busy:
    """A real-PyTorch pool whose worker never comes free: it notes each call's wait."""

    backend = "torch"

    def __init__(self) -> None:
        self.waits = []

    def call(self, task, source, seed, limits, *, wait=None, **options):
        self.waits.append(wait)
        return BUSY


def test_a_check_that_cannot_have_the_torch_worker_is_busy_and_not_kept(monkeypatch):
    torch_side = Busy()
    monkeypatch.setattr(explorer, "_torch_pool", torch_side)
    monkeypatch.setattr(explorer, "_pool", Refusing())      # the engine side never runs
    comparison = explorer.compare_with_torch("import torch\nx = torch.ones(2)\n")
    assert torch_side.waits == [compare.TORCH_WAIT] and compare.TORCH_WAIT is not None
    assert comparison.busy and comparison.stopped and not comparison.equal
    assert not lasting(comparison)
    cache = RunCache(1 << 20, weigh=comparison_bytes, keep=lasting)
    assert cache.get(("x", 0), lambda: comparison) is comparison and ("x", 0) not in cache


def test_a_session_starts_no_second_check_while_its_first_runs(monkeypatch):
    """Streamlit reruns a page at once (runner.fastReruns) while its previous run still waits
    for a check, so one session clicking Check on other code again and again queued a check per
    click for the one real-PyTorch worker."""
    torch_side = Busy()
    monkeypatch.setattr(explorer, "_torch_pool", torch_side)
    monkeypatch.setattr(explorer, "_pool", Refusing())
    with compare.one_check_each("session 1") as free:      # session 1's check is running
        assert free
        again = explorer.compare_with_torch("import torch\n", owner="session 1")
        assert again.busy and not lasting(again) and torch_side.waits == []
        other = explorer.compare_with_torch("import torch\n", owner="session 2")
        assert other.busy and torch_side.waits == [compare.TORCH_WAIT]
    explorer.compare_with_torch("import torch\n", owner="session 1")   # its first is done
    assert torch_side.waits == [compare.TORCH_WAIT] * 2


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_the_page_says_a_busy_check_plainly(lang, monkeypatch):
    monkeypatch.setattr(explorer, "compare_with_torch",
                        lambda source, **options: compare.busy(source, options["seed"]))
    app = app_with(code=f"import torch\nbusy = torch.ones(2)  # {lang}\n", lang=lang)
    app.switch_page("app_pages/compare.py").run()
    app.button(key="compare_run").click().run()
    assert not app.exception
    assert [i.value for i in app.info] == [t("compare.busy", lang)]
    assert not app.success and not app.warning
