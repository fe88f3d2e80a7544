"""Gradient check: autograd's gradient of the learner's scalar function beside a central
finite-difference estimate, element by element.

The scalar function is what the first backward() (or autograd.grad()) starts from: f = sum(root *
gradient), which is the root itself for the usual scalar loss. Without any backward call, it is
the trailing expression or the last variable that is a one-element tensor with a grad_fn.

How: the learner's code is deterministic for a seed, so it is simply run again, in the sandbox,
once per perturbed element and direction. Each run stops at that backward call and reports f.
The leaves are told apart by the order they are first used by an op that records a gradient, and
the perturbation is written into the leaf just before that first use, so it lands after any
initialisation (nn.init, copy_ under no_grad) and before anything reads it. A perturbed run that
runs a different number of ops took another branch; its estimate is dropped, not trusted.
"""
from __future__ import annotations

import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace

import numpy as np

from .model import ErrorInfo, Shape
from .sandbox.limits import DEFAULT, Limits

__all__ = ["PRECISION", "PROBE_NOTES", "ElementCheck", "GradCheck", "LeafCheck", "gradient_check", "probe",
           "probe_threads"]

# (eps, atol, rtol) by the precision f is computed in. float64 uses torch.autograd.gradcheck's
# defaults; in float32 the rounding of f (about 1e-7 relative) divided by a 2e-3 step leaves
# estimates good to about 1e-3, hence the looser tolerance.
PRECISION = {"float64": (1e-6, 1e-5, 1e-3), "float32": (1e-3, 1e-2, 1e-2)}

# what a reference probe may note as why there is nothing to check (or "" when there is): each
# the key of a sentence under view.gradcheck.message in explorer/texts. The wire refuses any
# other, so a forged probe cannot name a sentence the app does not have.
PROBE_NOTES = frozenset({"", "no_root", "meta", "independent"})


@dataclass(frozen=True)
class LeafCheck:
    index: int             # order of first use by an op that records a gradient
    name: str              # the learner's name ("w", "model.fc.weight"), or "leaf 2"
    shape: Shape
    dtype: str             # "torch.float32"
    numel: int
    checked: int           # elements compared; the rest were skipped (budget or time)
    eps: float             # perturbation size
    atol: float
    rtol: float            # an element passes when |autograd - numeric| <= atol + rtol*|numeric|
    note: str = ""         # why it was not checked, e.g. half precision


@dataclass(frozen=True)
class ElementCheck:
    leaf: int              # LeafCheck.index
    index: tuple           # the element's index inside the leaf
    autograd: float
    numeric: float | None  # None: the perturbed runs gave no usable estimate (see note)
    abs_error: float | None
    rel_error: float | None   # abs_error / max(|numeric|, tiny)
    ok: bool | None        # None when numeric is None
    note: str = ""         # why there is no estimate: "time", "stopped", "failed" or "branch",
                           # the key of its sentence under view.gradcheck.notes in explorer/texts


@dataclass(frozen=True)
class GradCheck:
    source: str
    seed: int
    root: str              # the scalar function, e.g. "loss", "sum(y * gradient)"
    root_line: int | None  # the learner's line that called backward(), if any
    value: float | None    # f at the unperturbed inputs
    leaves: tuple = ()     # LeafCheck
    elements: tuple = ()   # ElementCheck, leaf by leaf
    skipped: int = 0       # elements not checked (over max_elements or out of time)
    error: ErrorInfo | None = None   # the learner's code failed before its backward call
    # the sentence summing up, in no language yet: the key of its text under
    # view.gradcheck.message in explorer/texts and its fields, e.g. ("agree", (("total", 8),
    # ("root", "loss"))); views.gradcheck.gradcheck_message says it in the learner's language
    message_key: str = ""
    message_fields: tuple = ()

    @property
    def failures(self) -> tuple:
        return tuple(e for e in self.elements if e.ok is False)

    @property
    def passed(self) -> bool:
        return self.error is None and bool(self.elements) and \
            all(e.ok for e in self.elements)


# ---- in the sandboxed child ------------------------------------------------------------------
@dataclass(frozen=True)
class Probe:
    """What one run of the code reports back: f, and for the reference run everything else."""

    value: float | None = None
    step: float = 0.0      # the perturbation actually applied, after rounding to the dtype
    ops: int = 0           # ops run before f was taken
    error: ErrorInfo | None = None
    root: str = ""
    root_line: int | None = None
    precision: str = "float64"
    leaves: tuple[LeafCheck, ...] = ()   # checked=0 (the server fills it in)
    # (leaf, flat index, element index, autograd value) per element to check
    selected: tuple[tuple[int, int, tuple[int, ...], float], ...] = ()
    note: str = ""         # why there is nothing to check: one of PROBE_NOTES


class _Stop(BaseException):
    """Ends a probe at its backward call; learner code's `except Exception` cannot catch it."""


class _Watcher:
    """Numbers the leaves by first use, perturbs one of them (a probe with a plan), and takes
    f at the first backward call."""

    def __init__(self, plan: tuple | None) -> None:
        self.plan = plan                  # (leaf, flat index, delta) or None
        self.leaves: list = []            # leaf tensors in order of first use (kept alive)
        self.seen: set[int] = set()
        self.ops = 0
        self.step = 0.0
        self.busy = False                 # our own autograd.grad call is running
        self.roots: tuple | None = None
        self.gradients: tuple | None = None
        self.line: int | None = None
        self.scopes: list = []            # where the learner's names live at the stop

    def before_op(self, tensors) -> None:
        from engine.autograd import grad_mode
        from engine.tensor import Tensor
        if self.busy or self.roots is not None:
            return
        self.ops += 1
        if not grad_mode.is_grad_enabled():
            return
        for t in tensors:
            if isinstance(t, Tensor) and t.requires_grad and t.is_leaf and id(t) not in self.seen:
                self.seen.add(id(t))
                self.leaves.append(t)
                if self.plan is not None and self.plan[0] == len(self.leaves) - 1:
                    self.step = _perturb(t, self.plan[1], self.plan[2])

    def __call__(self, event) -> None:
        from engine.observe import BackwardCallEvent
        if self.busy or not isinstance(event, BackwardCallEvent) or event.phase != "begin":
            return
        if self.roots is None:
            self.roots = tuple(event.roots)
            self.gradients = _gradient_arguments()
            frame = _learner_frame()
            if frame is not None:
                self.line = frame.f_lineno
                self.scopes = [frame.f_locals] if frame.f_locals is frame.f_globals else \
                    [frame.f_locals, frame.f_globals]
        raise _Stop()


def _perturb(t, flat: int, delta: float) -> float:
    arr = t._data
    where = np.unravel_index(flat, arr.shape)
    old = arr[where].item()
    arr[where] = old + delta
    return arr[where].item() - old


def _gradient_arguments() -> tuple | None:
    """The gradients backward() starts from (ones for a scalar root, else the learner's
    `gradient=`). The begin event carries only the roots, so they are read from the caller."""
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_name == "run_backward" and "grads" in frame.f_locals:
            return tuple(frame.f_locals["grads"])
        frame = frame.f_back
    return None


def _learner_frame():
    from .recorder import SOURCE_NAME
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename != SOURCE_NAME:
        frame = frame.f_back
    return frame


@contextmanager
def _watching_ops(before):
    """Call before(tensors) ahead of every op. The engine has no event before an op runs, so
    the child (a disposable fork) wraps the op entry points for the duration of one run."""
    from engine.autograd.function import Function
    from engine.ops import registry
    run, run_inplace, apply = registry.run, registry.run_inplace, Function.__dict__["apply"]

    def watched_run(op, /, *tensors, **attrs):
        before(tensors)
        return run(op, *tensors, **attrs)

    def watched_inplace(op, target, others, attrs):
        before((target, *others))
        return run_inplace(op, target, others, attrs)

    def watched_apply(cls, *args, **kwargs):
        before(args)
        return apply.__func__(cls, *args, **kwargs)

    swaps = [(module, name, original, wrapper)
             for module in [m for n, m in list(sys.modules.items())
                            if n == "engine" or n.startswith("engine.")]
             for name, original, wrapper in (("run_inplace", run_inplace, watched_inplace),)
             if getattr(module, name, None) is original]
    swaps.append((registry.OpDef, "__call__", run, watched_run))   # calling an op runs it
    swaps.append((Function, "apply", apply, classmethod(watched_apply)))
    for owner, name, _, wrapper in swaps:
        setattr(owner, name, wrapper)
    try:
        yield
    finally:
        for owner, name, original, _ in swaps:
            setattr(owner, name, original)


def probe(source: str, seed: int, limits: Limits = DEFAULT, *, plan: tuple | None = None,
          root: str | None = None, max_elements: int = 64) -> Probe:
    """Run the code once and report f. Without a plan this is the reference run: it also finds
    the leaves, picks the elements to check and computes autograd's gradient for them.
    `root` names the variable holding f when the code calls no backward()."""
    from .sandbox.execute import error_info, run_learner_code
    watcher = _Watcher(plan)
    with _watching_ops(watcher.before_op):
        outcome = run_learner_code(source, seed, limits, observer=watcher)
    if watcher.roots is None and (outcome.error is not None or
                                  outcome.compile_failure is not None):
        return Probe(error=error_info(outcome))
    if watcher.roots is None:
        name, tensor = _scalar_variable(outcome, root)
        if tensor is None:
            return Probe(note="no_root")
        watcher.roots, watcher.gradients = (tensor,), (None,)
        watcher.scopes = [outcome.namespace]
        described, line = name, None
    else:
        described, line = _describe_roots(watcher, source), watcher.line
    if any(r.is_meta for r in watcher.roots):   # a shape and no values: nothing to perturb
        return Probe(root=described, root_line=line, note="meta")
    value = _value(watcher.roots, watcher.gradients)
    if plan is not None:
        return Probe(value=value, step=watcher.step, ops=watcher.ops)
    return _reference(watcher, value, described, line, max_elements)


def _scalar_variable(outcome, name: str | None):
    from engine.tensor import Tensor
    candidates = [(k, v) for k, v in outcome.namespace.items() if not k.startswith("_")]
    if outcome.result_value is not None:
        candidates.append(("the result", outcome.result_value))
    for key, value in reversed(candidates):
        if (name is None or key == name) and isinstance(value, Tensor) and \
                value.grad_fn is not None and value.numel() == 1:
            return key, value
    return None, None


def _value(roots: tuple, gradients: tuple) -> float:
    total = 0.0
    for r, g in zip(roots, gradients):
        values = r._data.astype(np.float64)
        total += float(values.sum() if g is None else (values * g._data.astype(np.float64)).sum())
    return total


def _describe_roots(watcher: _Watcher, source: str) -> str:
    """The learner's name for the root, else the code before `.backward(` on its line."""
    names = [_name_of(r, watcher.scopes) for r in watcher.roots]
    plain = all(g is None or g.numel() == 1 and (g.is_meta or   # (a meta one has no value)
                                                 float(g._data.reshape(-1)[0]) == 1.0)
                for g in watcher.gradients)
    text = source.splitlines()[watcher.line - 1].strip() if watcher.line else ""
    unnamed = text[:text.index(".backward(")] if ".backward(" in text else "the root"
    described = ", ".join(n or unnamed for n in names)
    return described if plain and len(names) == 1 else f"sum({described} * gradient)"


def _name_of(t, scopes: list) -> str | None:
    """The learner's name for a tensor: a variable, or a Module's parameter path."""
    from engine.nn import Module
    for scope in scopes:
        for key, value in scope.items():
            if value is t and not key.startswith("_"):
                return key
    for scope in scopes:
        for key, value in scope.items():
            if isinstance(value, Module) and not key.startswith("_"):
                for pname, p in value.named_parameters():
                    if p is t:
                        return f"{key}.{pname}"
    return None


def _reference(watcher: _Watcher, value: float, described: str, line: int | None,
               max_elements: int) -> Probe:
    """Which leaves f depends on, the elements to check, and autograd's gradient there."""
    import engine
    reachable = _reachable_leaves(watcher.roots)
    leaves = [(i, t) for i, t in enumerate(watcher.leaves) if id(t) in reachable]
    if not leaves:
        return Probe(value=value, root=described, root_line=line, ops=watcher.ops,
                     note="independent")
    gradients = [g if g is not None else engine.ones_like(r)
                 for r, g in zip(watcher.roots, watcher.gradients)]
    watcher.busy = True
    try:
        grads = engine.autograd.grad(list(watcher.roots), [t for _, t in leaves], gradients,
                                     retain_graph=True, allow_unused=True)
    except Exception as exc:  # noqa: BLE001 - e.g. a custom backward that fails
        from .sandbox.execute import describe
        return Probe(error=describe(exc))
    watcher.busy = False
    precision = "float64" if all(str(r.dtype) == "torch.float64" for r in watcher.roots) \
        else "float32"
    infos, selected = [], []
    counts = _budget([t.numel() if _checkable(t) else 0 for _, t in leaves], max_elements)
    for (index, t), grad, count in zip(leaves, grads, counts):
        leaf_precision = "float64" if precision == "float64" and \
            str(t.dtype) == "torch.float64" else "float32"
        eps, atol, rtol = PRECISION[leaf_precision]
        note = "" if _checkable(t) else f"{t.dtype} is too coarse for finite differences"
        infos.append(LeafCheck(index, _name_of(t, watcher.scopes) or f"leaf {index}",
                               tuple(t.shape), str(t.dtype), t.numel(), 0, eps, atol, rtol, note))
        flat_grad = np.zeros(t.numel()) if grad is None else \
            grad._data.astype(np.float64).reshape(-1)
        for flat in np.unique(np.linspace(0, t.numel() - 1, count).round().astype(int)) \
                if count else ():
            where = tuple(int(i) for i in np.unravel_index(flat, tuple(t.shape)))
            selected.append((index, int(flat), where, float(flat_grad[flat])))
    return Probe(value=value, ops=watcher.ops, root=described, root_line=line,
                 precision=precision, leaves=tuple(infos), selected=tuple(selected))


def _checkable(t) -> bool:
    return str(t.dtype) in ("torch.float32", "torch.float64")


def _reachable_leaves(roots: tuple) -> set[int]:
    from engine.autograd.graph import AccumulateGrad
    found, stack, seen = set(), [r.grad_fn for r in roots if r.grad_fn is not None], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, AccumulateGrad):
            found.add(id(node.variable))
        stack.extend(fn for fn, _ in node.next_functions if fn is not None)
    return found


def _budget(sizes: list[int], total: int) -> list[int]:
    """Share `total` elements among the leaves: in turns, one each, until all are used."""
    counts = [0] * len(sizes)
    while total > 0 and any(c < s for c, s in zip(counts, sizes)):
        for i, size in enumerate(sizes):
            if total > 0 and counts[i] < size:
                counts[i] += 1
                total -= 1
    return counts


# ---- on the server ---------------------------------------------------------------------------
def probe_threads(pool_size: int) -> int:
    """Probes one gradient check runs at once: one per core the server may use, never the
    whole pool, so other learners' runs find a free worker while a check is under way."""
    return max(1, min(pool_size - 1, len(os.sched_getaffinity(0))))


def gradient_check(pool, source: str, *, seed: int = 0, limits: Limits = DEFAULT,
                   max_elements: int = 64, time_budget: float | None = None) -> GradCheck:
    """Run the reference probe, then two probes per selected element, within `time_budget`
    seconds (default: the wall-clock limit of one run) plus at most one probe's own run."""
    from .sandbox.pool import failure_error
    deadline = time.monotonic() + (limits.wall_seconds if time_budget is None else time_budget)
    ref = pool.call("probe", source, seed, limits, max_elements=max_elements)
    if not isinstance(ref, Probe):
        return _nothing(source, seed, error=failure_error(ref[1], limits))
    if not _honest(ref, max_elements):
        return _nothing(source, seed, error=failure_error("garbled", limits))
    if ref.error is not None or ref.note:
        return _nothing(source, seed, error=ref.error, key=ref.note, ref=ref)
    ref = _with_short_names(ref)
    root = None if ref.root_line is not None else ref.root
    eps = {leaf.index: leaf.eps for leaf in ref.leaves}

    def run(leaf: int, flat: int, delta: float):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        probe_limits = replace(limits, wall_seconds=min(limits.wall_seconds, max(remaining, 1.0)))
        return pool.call("probe", source, seed, probe_limits, plan=(leaf, flat, delta),
                         root=root)

    jobs = [(leaf, flat, sign * eps[leaf]) for leaf, flat, _, _ in ref.selected
            for sign in (1, -1)]
    with ThreadPoolExecutor(max_workers=probe_threads(pool.size)) as threads:
        answers = list(threads.map(lambda job: run(*job), jobs))
    leaves = {info.index: info for info in ref.leaves}
    elements = tuple(_element(leaves[sel[0]], ref, sel, answers[2 * i], answers[2 * i + 1])
                     for i, sel in enumerate(ref.selected))
    return _summary(source, seed, ref, elements)


def _honest(ref: Probe, max_elements: int) -> bool:
    """What a real reference probe sends: a note among PROBE_NOTES (the wire checks that too,
    but a check is only as good as the probe it starts from), at most the elements asked for,
    each in a leaf it lists, indexed by as many numbers as that leaf has dims."""
    dims = {leaf.index: len(leaf.shape) for leaf in ref.leaves}
    return ref.note in PROBE_NOTES and len(ref.selected) <= max_elements and all(
        s[0] in dims and len(s[2]) == dims[s[0]] for s in ref.selected)


def _with_short_names(ref: Probe) -> Probe:
    """Names shortened as every picture shortens them: each is repeated per element and trace
    in the chart, where a forged name of 4 M characters made 1 GB of chart JSON (thirteenth
    outside attack)."""
    from .views.names import shortened
    return replace(ref, root=shortened(ref.root),
                   leaves=tuple(replace(leaf, name=shortened(leaf.name)) for leaf in ref.leaves))


def _element(info: LeafCheck, ref: Probe, selected: tuple, plus, minus) -> ElementCheck:
    leaf, _, where, autograd = selected
    for answer in (plus, minus):
        if answer is None:
            return ElementCheck(leaf, where, autograd, None, None, None, None, "time")
        if not isinstance(answer, Probe) or answer.error is not None and \
                answer.error.from_outside:   # a busy server's wall clock, a crash: not the code's
            return ElementCheck(leaf, where, autograd, None, None, None, None, "stopped")
        if answer.value is None:
            return ElementCheck(leaf, where, autograd, None, None, None, None, "failed")
        if answer.ops != ref.ops:
            return ElementCheck(leaf, where, autograd, None, None, None, None, "branch")
    if not plus.step > 0 > minus.step:      # forged: a real probe steps each way
        return ElementCheck(leaf, where, autograd, None, None, None, None, "failed")
    numeric = (plus.value - minus.value) / (plus.step - minus.step)
    abs_error = abs(autograd - numeric)
    rel_error = abs_error / max(abs(numeric), 1e-12)
    ok = abs_error <= info.atol + info.rtol * abs(numeric)
    return ElementCheck(leaf, where, autograd, numeric, abs_error, rel_error, ok)


def _summary(source: str, seed: int, ref: Probe, elements: tuple) -> GradCheck:
    ran = [e for e in elements if e.note != "time"]
    leaves = tuple(replace(info, checked=sum(1 for e in ran if e.leaf == info.index))
                   for info in ref.leaves)
    skipped = sum(info.numel for info in leaves) - sum(info.checked for info in leaves)
    failures = [e for e in elements if e.ok is False]
    unusable = [e for e in ran if e.ok is None]
    if failures:
        key, fields = "disagree", {"failed": len(failures), "total": len(elements)}
    elif ran and not unusable:
        key, fields = "agree", {"total": len(ran)}
    else:
        key, fields = "partial", {"agreed": len(ran) - len(unusable), "unusable": len(unusable)}
    fields["root"] = ref.root
    return GradCheck(source, seed, ref.root, ref.root_line, ref.value, leaves, elements, skipped,
                     message_key=key, message_fields=tuple(fields.items()))


def lasting(check: GradCheck) -> bool:
    """Whether a check says something about its code rather than about how busy the server
    was: no element ran out of time and no probe was stopped from outside. Only those may be
    kept for other learners (a busy pool once left "1 checked element agrees, 7 were not
    checked" cached for everyone)."""
    return (check.error is None or not check.error.from_outside) and \
        all(e.note not in ("time", "stopped") for e in check.elements)


def check_bytes(check: GradCheck) -> int:
    """What a check weighs in a cache: its source, and a few hundred bytes per leaf and element."""
    return len(check.source) + 512 * (1 + len(check.leaves) + len(check.elements))


def _nothing(source: str, seed: int, *, error: ErrorInfo | None = None, key: str = "",
             ref: Probe | None = None) -> GradCheck:
    root = ref.root if ref else ""
    fields = {"root": root}
    if error is not None:
        key, fields["error"] = "stopped", error.type
    return GradCheck(source, seed, root, ref.root_line if ref else None,
                     ref.value if ref else None, error=error, message_key=key,
                     message_fields=tuple(fields.items()))
