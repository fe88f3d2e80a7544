"""The names a learner knows tensors by, for every picture: their own variable names, and a
Module's parameters and buffers by path (`model.0.weight`, `bn.running_mean`), never the
recorder's internal ids."""
from __future__ import annotations

from ..model import Run
from ..texts import DEFAULT_LANGUAGE
from ..texts import t as text

__all__ = ["NAME_CHARS", "SHOWN_NAMES", "buffer_paths", "expressions", "focus_name", "leaf_name",
           "listed", "parameter_paths", "shortened", "tensor_names", "variable_names"]


def _earlier_versions(run: Run) -> dict[int, list[int]]:
    """tensor id -> the ids the same tensor had before in-place writes. The recorder gives a
    tensor written in place (`w -= lr * w.grad`, `h.relu_()`) a new id, its next version in
    the graph; a name the learner bound at the end is the name of every earlier version too:
    the w a backward() went through before the update is still the learner's `w`."""
    last: dict[int, int] = {}
    for before, after in reversed(run.graph.versions):    # the whole run's, in order, even
        last[before] = last.get(after, after)             # in a graph scoped to one call
    earlier: dict[int, list[int]] = {}
    for first, final in last.items():
        earlier.setdefault(final, []).append(first)
    return earlier


def _with_versions(run: Run, names: dict) -> dict:
    """`names` (tensor id -> its name or names) given to each earlier version of a named
    tensor that has none of its own: the final tensor's own value, shared, not copied (4,000
    names on a tensor written in place 12,000 times made 48 million list items, 2 GB)."""
    for last, firsts in _earlier_versions(run).items():
        if last in names:
            for first in firsts:
                names.setdefault(first, names[last])
    return names


def _own_paths(run: Run, kind: str) -> dict[int, str]:
    """tensor id -> the dotted path of the Module parameter or buffer it is at the end."""
    paths: dict[int, str] = {}
    for var in run.variables:
        if var.kind == "module":
            for qualified, info in getattr(var, kind):
                paths.setdefault(info.id, f"{var.name}.{qualified}")
    return paths


def _module_paths(run: Run, kind: str) -> dict[int, str]:
    return _with_versions(run, _own_paths(run, kind))


def parameter_paths(run: Run) -> dict[int, str]:
    """tensor id -> a Module parameter's full dotted path, e.g. "model.0.weight" (its earlier
    versions too, before an update written in place)."""
    return _module_paths(run, "parameters")


def buffer_paths(run: Run) -> dict[int, str]:
    """tensor id -> a Module buffer's full dotted path, e.g. "bn.running_mean": a buffer is
    no parameter, but the learner knows it by its path all the same (`num_batches_tracked`
    written in place keeps it too)."""
    return _module_paths(run, "buffers")


def variable_names(run: Run) -> dict[int, list[str]]:
    """tensor id -> the learner's variables bound to it (or to a later version of it, after
    an in-place write), in order of definition."""
    return _with_versions(run, _bound(run))


def _bound(run: Run) -> dict[int, list[str]]:
    """tensor id -> the learner's variables bound to it at the end, in order of definition."""
    names: dict[int, list[str]] = {}
    for var in run.variables:
        if var.tensor is not None:
            names.setdefault(var.tensor.id, []).append(var.name)
    return names


def focus_name(run: Run) -> str | None:
    """The variable the pictures focus on before the learner picks one: what the last
    backward() started from (a training loop's `loss`, not the accuracy printed after it,
    which has no grad_fn chain to show), else the last tensor variable the code defined."""
    tensors = [var.name for var in run.variables if var.tensor is not None]
    if run.backward:
        names = variable_names(run)
        for root in run.backward[-1].roots:
            if names.get(root):
                return names[root][0]
    return tensors[-1] if tensors else None


def tensor_names(run: Run) -> dict[int, list[str]]:
    """tensor id -> its names: the learner's variables bound to it, in order of definition,
    then the path of the Module parameter or buffer it is (given to its earlier versions
    too, the list shared with the final version: do not change it)."""
    names = _bound(run)
    for tensor, path in (*_own_paths(run, "parameters").items(),
                         *_own_paths(run, "buffers").items()):
        names.setdefault(tensor, []).append(path)
    return _with_versions(run, names)


SHOWN_NAMES = 3     # names listed for one tensor; the rest counted ("and 3,997 more")
NAME_CHARS = 60     # characters shown of one name: a name may be 20,000 characters long


def shortened(name: str) -> str:
    """`name` cut to NAME_CHARS characters, "…" last: a picture or a sentence repeats a
    learner's name wherever it shows the tensor."""
    return name if len(name) <= NAME_CHARS else name[:NAME_CHARS - 1] + "…"


def listed(names: list[str], lang: str = DEFAULT_LANGUAGE) -> str:
    """A tensor's names for a label or a sentence: the first SHOWN_NAMES, shortened, then how
    many more (a tensor may have 4,000 names, and a picture repeats them in every label)."""
    shown = ", ".join(map(shortened, names[:SHOWN_NAMES]))
    more = len(names) - SHOWN_NAMES
    return text("view.names.more", lang, names=shown, n=f"{more:,}") if more > 0 else shown


def leaf_name(run: Run, names: dict[int, list[str]], tensor: int,
              lang: str = DEFAULT_LANGUAGE) -> str:
    """What to call a leaf in a step or chain row: its names, else its shape (a leaf the code
    never bound to a name, such as a tensor made inside an expression)."""
    if names.get(tensor):
        return listed(names[tensor], lang)
    info = run.graph.tensors.get(tensor)
    shape = "×".join(map(str, info.shape)) if info is not None and info.shape else "scalar"
    return f"({shape})"


# How Python spells the binary ops a learner writes with an operator.
_OPERATORS = {"add": "+", "sub": "-", "mul": "*", "div": "/", "matmul": "@", "mm": "@",
              "bmm": "@", "pow": "**", "pow_tensor": "**", "rsub": "-"}
_SHAPE_ONLY = {"squeeze", "unsqueeze"}
# Registry entries that are one overload of a torch function (`mul_scalar` is torch.mul with a
# number): spelled by the function's name, the number as "…".
_OVERLOADS = ("_scalar_self", "_scalar_other", "_scalar_base", "_scalar_tensor", "_scalar",
              "_tensor", "_dims", "_dim", "_stable")


def _called(op: str) -> tuple[str, bool]:
    """(torch's name for registry op `op`, whether it took a number besides its tensors)."""
    op = op.rstrip("_")
    for suffix in _OVERLOADS:
        if op.endswith(suffix):
            return op[:-len(suffix)], "_scalar" in suffix
    return op, False


ARGS = 3   # inputs spelled out in a call; more read "…" (a cat of 300 tensors is one label)


def expressions(run: Run, names: dict[int, list[str]], tensors, width: int = 32) -> dict:
    """Each of `tensors` that no name is bound to, named by the expression that made it: the
    learner's own text when the whole value of one expression in their code is this tensor
    (`3 * x`, `model(x)`, `(a * b).sum()`), else spelled from its inputs' names (`a * b`,
    `relu(x @ w)`, with "…" for what lies deeper when the whole would be longer than `width`
    characters). Tensors no op made are left out."""
    speller = _Speller(run, names, _written(run, width))
    found = {}
    for tensor in tensors:
        if names.get(tensor) or tensor not in speller.producer:
            continue
        if tensor in speller.written:
            found[tensor] = speller.written[tensor]
            continue
        for depth in (4, 3, 2, 1):
            text, _ = speller.spell(tensor, depth, top=True)
            if len(text) <= width:
                break
        found[tensor] = text
    return found


def _written(run: Run, width: int) -> dict[int, str]:
    """tensor id -> the learner's text of the expression whose value it is: the source an op
    ran at (its span), when no op using the tensor ran at the same span (then the tensor is a
    step inside that expression, such as the matmul inside `model(x)`), the text fits on one
    line within `width` characters."""
    lines = run.source.splitlines()

    def texts(span_of) -> dict[int, str]:
        spans = {t: span_of(op) for op in _every_op(run) for t in op.outputs}
        inner = {t for op in _every_op(run) for t in op.inputs if spans.get(t) == span_of(op)}
        found = {}
        for tensor, span in spans.items():
            if tensor in inner or len(span) != 4 or span[0] != span[1] or span[0] > len(lines):
                continue
            text = lines[span[0] - 1][span[2]:span[3]]
            if 0 < len(text) <= width:
                found[tensor] = text
        return found
    # What a Module call the learner made returns is the value of that call (`model(images)`),
    # though its last op ran inside their own forward() (`self.classifier(...)`).
    calls = texts(lambda op: op.module[0].span if op.module and op.module[0].span else op.span)
    made = _made_in_calls(run)
    return {**texts(lambda op: op.span), **{t: text for t, text in calls.items() if t in made}}


def _made_in_calls(run: Run) -> set[int]:
    """The tensors an op inside a Module call made."""
    return {t for op in _every_op(run) if op.module for t in op.outputs}


def _every_op(run: Run) -> tuple:
    """The whole run's ops, also when its graph was scoped to one backward: a tensor drawn
    there may have been made outside it (`xs[t]`, sliced without grad) and still has a name."""
    return run.graph.context or run.graph.ops


class _Speller:
    """Spells tensors from their inputs, each (tensor, depth) once: labels of a run whose ops
    take many inputs (a cat of K tensors, each a cat of K) must not cost K**depth."""

    def __init__(self, run: Run, names: dict, written: dict) -> None:
        self.run, self.names, self.written = run, names, written
        self.producer = {t: op for op in _every_op(run) for t in op.outputs}
        self.memo: dict = {}
        self.under: dict = {}     # tensor -> the input under its squeeze/unsqueeze chain

    def spell(self, tensor: int | None, depth: int, top: bool = False) -> tuple[str, bool]:
        """(the expression, whether it is a binary operation that needs brackets inside
        another)."""
        if tensor is None:
            return "…", False
        if not top:
            tensor = self._through_shape_ops(tensor)   # what matmul of a vector adds around mm
        key = (tensor, depth, top)
        if key not in self.memo:
            self.memo[key] = self._spelled(tensor, depth, top)
        return self.memo[key]

    def _through_shape_ops(self, tensor: int) -> int:
        """The input under a chain of squeeze/unsqueeze that made `tensor` (unnamed, not
        written), walked in a loop and remembered for the whole chain: a chain may be 10,000
        ops long, and every label along it asks."""
        chain = []
        while tensor not in self.under:
            op = self.producer.get(tensor)
            if (op is None or self.names.get(tensor) or tensor in self.written
                    or op.op.rstrip("_") not in _SHAPE_ONLY or not op.inputs
                    or op.inputs[0] is None or len(chain) > len(self.producer)):
                self.under[tensor] = tensor
                break
            chain.append(tensor)
            tensor = op.inputs[0]
        for t in chain:
            self.under[t] = self.under[tensor]
        return self.under[tensor]

    def _spelled(self, tensor: int, depth: int, top: bool) -> tuple[str, bool]:
        # a name, or a number, is cut as a label cuts it: every temporary made from it repeats
        # it (a wrapped number forged to hold 400,000 numbers, in 140 temporaries, made a DOT
        # of 336 MB; the wire refuses it, and this holds when a check is missed)
        if self.names.get(tensor) and not top:
            return shortened(self.names[tensor][0]), False
        op = self.producer.get(tensor)
        if tensor in self.written and not top:
            return self.written[tensor], op is not None and op.op.rstrip("_") in _OPERATORS
        info = self.run.graph.tensors.get(tensor)
        if info is not None and info.wrapped_number and info.values is not None:
            number = info.values.data     # one number, as a 0-dim tensor holds
            text = str(number[:NAME_CHARS] if type(number) is tuple else number)
            return shortened(text), False
        if op is None or depth == 0:
            return "…", False
        inputs = [t for t in op.inputs if t is not None]
        args = [self.spell(t, depth - 1) for t in inputs[:ARGS]]
        name, number = _called(op.op)
        if number:
            args.append(("…", False))
        symbol = _OPERATORS.get(name)
        if symbol and len(args) == 2:
            left, right = (f"({text})" if binary else text for text, binary in args)
            return f"{left} {symbol} {right}", True
        more = [("…", False)] if len(inputs) > ARGS else []
        return f"{name}({', '.join(text for text, _ in args + more)})", False
