"""Run learner code in the current process and record everything as a Run.

This is what a sandboxed child process calls after it has limited itself; it is also usable
directly in tests. It resets all global state the engine has, so a Run depends only on
(source, seed)."""
from __future__ import annotations

import random
import resource
import time
import traceback
import warnings
from contextlib import nullcontext
from dataclasses import dataclass, field

import numpy as np
from numpy.lib.array_utils import byte_bounds

import engine
from engine import observe
from engine.autograd import grad_mode
from engine.nn import Module
from engine.ops.creation import set_element_limit
from engine.tensor import Tensor

from ..explain import explain
from ..model import ArrayInfo, ErrorInfo, Run, VariableInfo
from ..recorder import SOURCE_NAME, Recorder, ops_info
from .limits import DEFAULT, LimitExceeded, Limits
from .namespace import BoundedOutput, build_globals
from .policy import CompileFailure, SandboxError

__all__ = ["execute", "reset_state", "run_learner_code", "Outcome", "error_info",
           "describe", "capped_repr"]

MAX_REPR = 100_000     # characters kept of a repr (a trailing expression, a Module's text)


def after_learner_code() -> None:
    """Give the recording phase its own CPU allowance (`Limits.record_cpu`, the room the run
    process's hard CPU limit leaves): the learner's budget is spent."""
    soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if soft != resource.RLIM_INFINITY and hard != resource.RLIM_INFINITY:
        resource.setrlimit(resource.RLIMIT_CPU, (hard - 1, hard))


def reset_state(lib, seed: int) -> None:
    """Everything global a previous run could have changed, back to PyTorch's defaults. `lib`
    is the engine, or real PyTorch in compare mode: both take the same calls."""
    lib.manual_seed(seed)
    np.random.seed(seed % 2**32)
    random.seed(seed)
    lib.set_default_dtype(lib.float32)
    lib.set_printoptions(profile="default")
    lib.set_grad_enabled(True)


@dataclass
class Outcome:
    """What running learner code left behind, live (only inside the child process)."""

    namespace: dict
    out: BoundedOutput
    error: BaseException | None = None      # what the learner's code raised, if anything
    result_value: object = None             # a trailing expression's value
    compile_failure: CompileFailure | None = None
    timings: dict = field(default_factory=dict)
    warned: list = field(default_factory=list)   # warnings.WarningMessage, as they came


def run_learner_code(source: str, seed: int, limits: Limits, *, backend: str = "engine",
                     observer=None) -> Outcome:
    """Compile and run learner code once, from a fresh state, with `observer` watching the
    engine's events. Shared by every kind of run (record, snapshot, gradient-check probe)."""
    started = time.perf_counter()
    if backend == "torch":
        import torch
        reset_state(torch, seed)
    else:
        reset_state(engine, seed)
        set_element_limit(limits.max_elements)   # real torch has no limit to set
    out = BoundedOutput(limits.output_bytes)
    try:
        body, trailing = _compile(source)
    except CompileFailure as failure:
        return Outcome({}, out, compile_failure=failure,
                       timings={"compile": time.perf_counter() - started})
    compiled = time.perf_counter()
    namespace, _files = build_globals(out, backend)
    outcome = Outcome(namespace, out)
    with observe.observing(observer) if observer is not None else nullcontext(), \
            warnings.catch_warnings(record=True) as outcome.warned:
        warnings.simplefilter("default")     # each once per line, as a script shows them
        try:
            exec(body, namespace)
            if trailing is not None:
                namespace["_print"] = namespace["_print_"]()   # what the exec part injected
                outcome.result_value = eval(trailing, namespace)
        except BaseException as exc:  # noqa: BLE001 - every failure becomes a learner message
            if isinstance(exc, (KeyboardInterrupt, SystemExit)) and not _from_learner(exc):
                raise
            outcome.error = exc
    outcome.timings = {"compile": compiled - started, "execute": time.perf_counter() - compiled}
    return outcome


def error_info(outcome: Outcome) -> ErrorInfo | None:
    """The learner-facing description of what went wrong, if anything."""
    if outcome.compile_failure is not None:
        failure = outcome.compile_failure
        return ErrorInfo(*_compile_error(failure), kind=failure.kind)
    return None if outcome.error is None else describe(outcome.error)


def execute(source: str, seed: int = 0, limits: Limits = DEFAULT) -> Run:
    recorder = Recorder(limits.node_budget)
    outcome = run_learner_code(source, seed, limits, observer=recorder)
    if outcome.compile_failure is not None:
        return Run(source, seed, error=error_info(outcome), timings=outcome.timings)
    executed = time.perf_counter()
    result_value, error = outcome.result_value, error_info(outcome)
    # a __repr__ or extra_repr is learner code: it runs on the learner's budget, before the
    # recording's allowance
    try:
        result = None if result_value is None else capped_repr(result_value)
        texts = {id(v): capped_repr(v) for v in (*outcome.namespace.values(), result_value)
                 if isinstance(v, Module)}
    except (LimitExceeded, MemoryError, RecursionError, Exception) as exc:  # noqa: BLE001
        result, texts, error = None, {}, describe(exc)
    after_learner_code()
    with grad_mode.no_grad():
        variables = collect_variables(outcome.namespace, result_value, recorder, texts)
        graph = recorder.graph()
    return Run(source, seed, stdout=outcome.out.getvalue(), result=result,
               error=error, variables=variables, graph=graph,
               forward=tuple(recorder.forward), backward=tuple(recorder.backward),
               output_truncated=outcome.out.truncated, ops_info=ops_info(graph.ops),
               timings={**outcome.timings, "record": time.perf_counter() - executed},
               warnings=warning_lines(outcome.warned))


MAX_WARNINGS = 20


def warning_lines(warned: list) -> tuple[str, ...]:
    """What PyTorch would print to stderr, a line each: `line 4: UserWarning: volatile was
    removed ...` (the line when it is the learner's), the first MAX_WARNINGS of them."""
    lines = []
    for w in warned[:MAX_WARNINGS]:
        text = str.__str__(str(w.message)).strip().splitlines()
        where = f"line {w.lineno}: " if w.filename == SOURCE_NAME else ""
        lines.append(f"{where}{w.category.__name__}: {text[0] if text else ''}"[:MAX_REPR])
    return tuple(lines)


def capped_repr(value, limit: int = MAX_REPR) -> str:
    """repr() as a plain str of at most `limit` characters (a learner's __repr__ may return a
    str subclass, or megabytes)."""
    text = str.__str__(repr(value))
    return text if len(text) <= limit else text[:limit] + " …"


def _compile_error(failure: CompileFailure) -> tuple:
    name = "SyntaxError" if failure.kind == "syntax" else "SandboxError"
    return name, str(failure), failure.line, failure.column, explain(name, str(failure))


def _compile(source: str):
    from .policy import compile_learner_code
    return compile_learner_code(source, SOURCE_NAME)


def _from_learner(exc: BaseException) -> bool:
    return any(frame.filename == SOURCE_NAME for frame in traceback.extract_tb(exc.__traceback__))


def describe(exc: BaseException) -> ErrorInfo:
    """PyTorch's first message line, the learner's line and column, and why."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == SOURCE_NAME]
    line = frames[-1].lineno if frames else None
    column = (frames[-1].colno + 1) if frames and frames[-1].colno is not None else None
    name = type(exc).__name__
    text = str.__str__(str(exc))[:MAX_REPR].strip()
    if isinstance(exc, KeyError) and len(exc.args) == 1:
        text = capped_repr(exc.args[0])
    message = text.splitlines()[0] if text else ""
    if isinstance(exc, SandboxError) or "in Autograd Explorer" in message:
        kind = "security"
    elif isinstance(exc, (LimitExceeded, MemoryError, RecursionError)) or \
            "refusing to allocate" in message:
        kind = "limit"
    else:
        kind = "runtime"
    return ErrorInfo(name, message, line, column, explain(name, message), kind=kind)


def collect_variables(namespace: dict, result_value, recorder: Recorder,
                      texts: dict) -> tuple:
    """The learner's tensors, Parameters, Modules and NumPy arrays, in the order they were
    defined; `texts` holds each Module's printed text by id (taken while the learner's budget
    lasted). An array is placed in the storage of a tensor it shares memory with."""
    found = []
    items = [(k, v) for k, v in namespace.items() if not k.startswith("_")]
    if result_value is not None:
        items.append(("_", result_value))
    storages: dict[int, Tensor] = {}       # id(storage) -> a tensor over it, for the arrays
    arrays = []
    for name, value in items:
        if isinstance(value, Tensor):
            tid = recorder.tensor_id(value)
            kind = "parameter" if isinstance(value, engine.nn.Parameter) else "tensor"
            found.append(VariableInfo(name, kind, recorder.tensor_info(value, tid, True)))
            storages.setdefault(id(Tensor.untyped_storage(value)), value)
        elif isinstance(value, Module):
            named = _module_parameters(value)
            held = _module_parameters(value, "_buffers")
            params, buffers = (tuple((pname, recorder.tensor_info(p, recorder.tensor_id(p)))
                                     for pname, p in found_here) for found_here in (named, held))
            found.append(VariableInfo(name, "module", module_text=texts.get(id(value), ""),
                                      parameters=params, buffers=buffers))
            for _, p in named + held:
                storages.setdefault(id(Tensor.untyped_storage(p)), p)
        elif type(value) is np.ndarray and len(arrays) < MAX_ARRAYS:
            arrays.append((len(found), value))
            found.append(VariableInfo(name, "ndarray"))
    for k, value in arrays:     # once every tensor is known: an array may come before its tensor
        found[k] = VariableInfo(found[k].name, "ndarray",
                                array=_array_info(value, storages.values(), recorder))
    return tuple(found)


def _module_parameters(module: Module, store: str = "_parameters") -> tuple:
    """(dotted name, parameter) of a Module and its children, in named_parameters() order
    (with store="_buffers": its buffers, as named_buffers() lists them), read from the
    engine's own stores: a learner's Module may override named_parameters() or
    named_modules() (or a child's), and none of its code runs here, after its budget."""
    found, seen_modules, seen = [], set(), set()
    stack = [("", module)]
    while stack:                                  # pre-order, as named_modules() walks
        prefix, m = stack.pop()
        if id(m) in seen_modules:
            continue
        seen_modules.add(id(m))
        stores = vars(m)
        for name, p in dict(stores.get(store) or {}).items():
            if isinstance(p, Tensor) and id(p) not in seen:
                seen.add(id(p))
                found.append((f"{prefix}.{name}" if prefix else name, p))
        children = [(f"{prefix}.{name}" if prefix else name, child)
                    for name, child in dict(stores.get("_modules") or {}).items()
                    if isinstance(child, Module)]
        stack.extend(reversed(children))
    return tuple(found)


MAX_ARRAYS = 200       # NumPy arrays placed in tensor storages (each is checked against each)


def _array_info(arr: np.ndarray, tensors, recorder: Recorder) -> ArrayInfo:
    """Shape, dtype and strides (in elements) of a learner's array, and the storage of the
    first tensor whose memory it lies in (what from_numpy and numpy() share), if any."""
    size = max(arr.itemsize, 1)
    stride = tuple(s // size for s in arr.strides)
    for t in tensors:
        memory = Tensor.untyped_storage(t).array
        if arr.size and np.may_share_memory(arr, memory):
            delta = arr.__array_interface__["data"][0] - memory.__array_interface__["data"][0]
            if _inside(arr, memory, delta):
                return ArrayInfo(arr.shape, arr.dtype.name, stride, recorder.storage_id(t),
                                 delta // size)
    return ArrayInfo(arr.shape, arr.dtype.name, stride)


def _inside(arr: np.ndarray, memory: np.ndarray, delta: int) -> bool:
    """Whether every element of `arr`, which starts `delta` bytes into `memory`, lies in it
    on its element grid: `torch.from_numpy(a[2:])` shares memory with all of `a`, whose first
    two elements lie before the tensor's storage (the storage holds no such place)."""
    (low, high), (start, end) = byte_bounds(arr), byte_bounds(memory)
    return arr.itemsize == memory.itemsize and delta % arr.itemsize == 0 and \
        start <= low and high <= end
