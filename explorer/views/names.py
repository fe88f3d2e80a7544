"""The names a learner knows tensors by, for every picture: their own variable names, and a
Module's parameters by path (`model.0.weight`), never the recorder's internal ids."""
from __future__ import annotations

from ..model import Run

__all__ = ["leaf_name", "parameter_paths", "tensor_names"]


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
