"""Run learner code in the current process and record everything as a Run.

This is what a sandboxed child process calls after it has limited itself; it is also usable
directly in tests. It resets all global state the engine has, so a Run depends only on
(source, seed)."""
from __future__ import annotations

import random
import time
import traceback

import numpy as np

import engine
from engine import observe
from engine.autograd import grad_mode
from engine.nn import Module
from engine.ops.creation import set_element_limit
from engine.tensor import Tensor

from ..explain import explain
from ..model import ErrorInfo, Run, VariableInfo
from ..recorder import SOURCE_NAME, Recorder
from .limits import DEFAULT, LimitExceeded, Limits
from .namespace import BoundedOutput, build_globals
from .policy import CompileFailure, SandboxError

__all__ = ["execute", "reset_engine_state"]


def after_learner_code() -> None:
    """Give the recording phase its own CPU allowance: the learner's budget is spent."""
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if soft != resource.RLIM_INFINITY and hard != resource.RLIM_INFINITY:
        resource.setrlimit(resource.RLIMIT_CPU, (hard - 1, hard))


def reset_engine_state(seed: int, limits: Limits) -> None:
    """Everything global a previous run could have changed, back to PyTorch's defaults."""
    engine.manual_seed(seed)
    np.random.seed(seed % 2**32)
    random.seed(seed)
    engine.set_default_dtype(engine.float32)
    engine.set_printoptions(profile="default")
    grad_mode._state["enabled"] = True
    set_element_limit(limits.max_elements)


def execute(source: str, seed: int = 0, limits: Limits = DEFAULT) -> Run:
    started = time.perf_counter()
    reset_engine_state(seed, limits)
    try:
        body, trailing = _compile(source)
    except CompileFailure as failure:
        return Run(source, seed, error=ErrorInfo(*_compile_error(failure), kind=failure.kind),
                   timings={"compile": time.perf_counter() - started})
    compiled = time.perf_counter()
    out = BoundedOutput(limits.output_bytes)
    namespace, _files = build_globals(out)
    recorder = Recorder(limits.node_budget)
    error, result, result_value = None, None, None
    with observe.observing(recorder):
        try:
            exec(body, namespace)
            if trailing is not None:
                namespace["_print"] = namespace["_print_"]()   # what the exec part injected
                result_value = eval(trailing, namespace)
                result = None if result_value is None else repr(result_value)
        except BaseException as exc:  # noqa: BLE001 - every failure becomes a learner message
            if isinstance(exc, (KeyboardInterrupt, SystemExit)) and not _from_learner(exc):
                raise
            error = describe(exc)
    executed = time.perf_counter()
    after_learner_code()
    with grad_mode.no_grad():
        variables = collect_variables(namespace, result_value, recorder)
        graph = recorder.graph()
    return Run(source, seed, stdout=out.getvalue(), result=result, error=error,
               variables=variables, graph=graph, forward=tuple(recorder.forward),
               backward=tuple(recorder.backward), output_truncated=out.truncated,
               timings={"compile": compiled - started, "execute": executed - compiled,
                        "record": time.perf_counter() - executed})


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
    text = str(exc).strip()
    if isinstance(exc, KeyError) and len(exc.args) == 1:
        text = repr(exc.args[0])
    message = text.splitlines()[0] if text else ""
    if isinstance(exc, SandboxError) or "in Autograd Explorer" in message:
        kind = "security"
    elif isinstance(exc, (LimitExceeded, MemoryError, RecursionError)) or \
            "refusing to allocate" in message:
        kind = "limit"
    else:
        kind = "runtime"
    return ErrorInfo(name, message, line, column, explain(name, message), kind=kind)


def collect_variables(namespace: dict, result_value, recorder: Recorder) -> tuple:
    """The learner's tensors, Parameters and Modules, in the order they were defined."""
    found = []
    items = [(k, v) for k, v in namespace.items() if not k.startswith("_")]
    if result_value is not None:
        items.append(("_", result_value))
    for name, value in items:
        if isinstance(value, Tensor):
            tid = recorder.tensor_id(value)
            kind = "parameter" if isinstance(value, engine.nn.Parameter) else "tensor"
            found.append(VariableInfo(name, kind, recorder.tensor_info(value, tid, True)))
        elif isinstance(value, Module):
            params = tuple((pname, recorder.tensor_info(p, recorder.tensor_id(p)))
                           for pname, p in value.named_parameters())
            found.append(VariableInfo(name, "module", module_text=repr(value),
                                      parameters=params))
    return tuple(found)
