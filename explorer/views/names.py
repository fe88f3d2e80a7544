"""The names a learner knows tensors by, for every picture: their own variable names, and a
Module's parameters by path (`model.0.weight`), never the recorder's internal ids."""
from __future__ import annotations

from ..model import Run

__all__ = ["expressions", "leaf_name", "parameter_paths", "tensor_names"]


def parameter_paths(run: Run) -> dict[int, str]:
    """tensor id -> a Module parameter's full dotted path, e.g. "model.0.weight"."""
    paths: dict[int, str] = {}
    for var in run.variables:
        if var.kind == "module":
            for qualified, info in var.parameters:
                paths.setdefault(info.id, f"{var.name}.{qualified}")
    return paths


def tensor_names(run: Run) -> dict[int, list[str]]:
    """tensor id -> its names: the learner's variables bound to it, in order of definition,
    then the path of the Module parameter it is."""
    names: dict[int, list[str]] = {}
    for var in run.variables:
        if var.tensor is not None:
            names.setdefault(var.tensor.id, []).append(var.name)
    for tensor, path in parameter_paths(run).items():
        names.setdefault(tensor, []).append(path)
    return names


def leaf_name(run: Run, names: dict[int, list[str]], tensor: int) -> str:
    """What to call a leaf in a step or chain row: its names, else its shape (a leaf the code
    never bound to a name, such as a tensor made inside an expression)."""
    if names.get(tensor):
        return ", ".join(names[tensor])
    info = run.graph.tensors.get(tensor)
    shape = "×".join(map(str, info.shape)) if info is not None and info.shape else "scalar"
    return f"({shape})"


# How Python spells the binary ops a learner writes with an operator.
_OPERATORS = {"add": "+", "sub": "-", "mul": "*", "div": "/", "matmul": "@", "mm": "@",
              "bmm": "@", "pow": "**", "pow_tensor": "**", "rsub": "-"}
_SHAPE_ONLY = {"squeeze", "unsqueeze"}


def expressions(run: Run, names: dict[int, list[str]], tensors, width: int = 32) -> dict:
    """Each of `tensors` that no name is bound to, named by the expression that made it from
    its inputs' names: `a * b`, `relu(x @ w)`, with "…" for what lies deeper when the whole
    would be longer than `width` characters. Tensors no op made are left out."""
    producer = {t: op for op in run.graph.ops for t in op.outputs}
    found = {}
    for tensor in tensors:
        if names.get(tensor) or tensor not in producer:
            continue
        for depth in (4, 3, 2, 1):
            text, _ = _spelled(run, names, producer, tensor, depth, top=True)
            if len(text) <= width:
                break
        found[tensor] = text
    return found


def _spelled(run: Run, names: dict, producer: dict, tensor: int | None, depth: int,
             top: bool = False) -> tuple[str, bool]:
    """(the expression, whether it is a binary operation that needs brackets inside another)."""
    if tensor is None:
        return "…", False
    if names.get(tensor) and not top:
        return names[tensor][0], False
    info = run.graph.tensors.get(tensor)
    if info is not None and info.wrapped_number and info.values is not None:
        return str(info.values.data), False
    op = producer.get(tensor)
    if op is None:
        return "…", False
    if op.op.rstrip("_") in _SHAPE_ONLY and not top:   # what matmul of a vector adds around mm
        return _spelled(run, names, producer, op.inputs[0], depth)
    if depth == 0:
        return "…", False
    args = [_spelled(run, names, producer, t, depth - 1) for t in op.inputs if t is not None]
    symbol = _OPERATORS.get(op.op.rstrip("_"))
    if symbol and len(args) == 2:
        left, right = (f"({text})" if binary else text for text, binary in args)
        return f"{left} {symbol} {right}", True
    return f"{op.op}({', '.join(text for text, _ in args)})", False
