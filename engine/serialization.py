"""torch.save / torch.load in a safe format: a zip of .npy arrays plus a JSON description.

Nothing is ever unpickled, so loading a file cannot run code. What can be saved: tensors
(and Parameters), dicts (OrderedDict kept), lists, tuples, numbers, strings, bools and None,
which covers tensors, model state_dicts and optimizer state_dicts; NumPy arrays and scalars; and
whole Modules, as their class name only.

Like torch's default `weights_only=True`, load refuses NumPy values and Modules with torch's
"Weights only load failed" error. With `weights_only=False` it returns NumPy values (stored as
plain .npy, never pickled) but still refuses a whole Module: rebuilding one means running its
class's code, which is what pickle does and this format never does."""
from __future__ import annotations

import io
import json
import pickle
import zipfile
from collections import OrderedDict

import numpy as np

from .tensor import Tensor

__all__ = ["save", "load"]

_MAGIC = "autograd-explorer-save/1"


def _encode(obj, arrays: list):
    from .nn.parameter import Parameter
    if isinstance(obj, Tensor):
        if obj.is_meta:   # a shape and a dtype, no values to store
            return {"meta": list(obj.shape), "dtype": obj.dtype.name,
                    "requires_grad": obj.requires_grad, "parameter": isinstance(obj, Parameter)}
        arrays.append(np.array(obj._data, order="C"))
        return {"tensor": len(arrays) - 1, "requires_grad": obj.requires_grad,
                "parameter": isinstance(obj, Parameter)}
    if isinstance(obj, (np.ndarray, np.generic)) and obj.dtype.kind in "biufc":
        arrays.append(np.array(obj))   # before numbers: np.float64 is a float
        return {"numpy": len(arrays) - 1, "scalar": isinstance(obj, np.generic)}
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return {"value": obj}
    from .nn.module import Module
    if isinstance(obj, Module):
        return {"module": f"{type(obj).__module__}.{type(obj).__qualname__}"}
    if isinstance(obj, dict):
        return {"dict": [[_encode(k, arrays), _encode(v, arrays)] for k, v in obj.items()],
                "ordered": isinstance(obj, OrderedDict)}
    if isinstance(obj, (list, tuple)):
        return {"list" if isinstance(obj, list) else "tuple": [_encode(v, arrays) for v in obj]}
    raise TypeError(f"torch.save in Autograd Explorer stores tensors, dicts, lists, tuples, "
                    f"numbers, strings, None, NumPy arrays and Modules; it cannot store "
                    f"{type(obj).__name__}")


def _decode(node, arrays):
    from .nn.parameter import Parameter
    if "tensor" in node or "meta" in node:
        t = Tensor._from_array(arrays(node["tensor"])) if "tensor" in node else _meta(node)
        if node.get("parameter"):
            return Parameter(t, node["requires_grad"])
        return t.requires_grad_(node["requires_grad"]) if node["requires_grad"] else t
    if "value" in node:
        return node["value"]
    if "numpy" in node:
        value = arrays(node["numpy"])
        return value[()] if node["scalar"] else value
    if "module" in node:
        raise RuntimeError(f"Autograd Explorer's torch.load does not rebuild a whole "
                           f"{node['module']} (that runs the class's code, as unpickling does); "
                           "save and load its state_dict() instead")
    if "dict" in node:
        items = [(_decode(k, arrays), _decode(v, arrays)) for k, v in node["dict"]]
        return OrderedDict(items) if node["ordered"] else dict(items)
    if "list" in node:
        return [_decode(v, arrays) for v in node["list"]]
    return tuple(_decode(v, arrays) for v in node["tuple"])


def _meta(node) -> Tensor:
    from . import dtypes
    from .ops.meta import empty
    shape, name = node["meta"], node["dtype"]
    if not (isinstance(shape, list) and all(type(n) is int and n >= 0 for n in shape)
            and name in {d.name for d in dtypes.ALL if d.np is not None}):
        raise RuntimeError("a saved meta tensor's shape or dtype is not one a tensor can have")
    return empty(shape, dtypes._by_name(name))


def save(obj, f, pickle_module=None, pickle_protocol: int = 2,
         _use_new_zipfile_serialization: bool = True) -> None:
    """Write obj to a path or a binary file object."""
    arrays: list = []
    manifest = {"format": _MAGIC, "root": _encode(obj, arrays)}
    with zipfile.ZipFile(f, "w") as zf:
        zf.writestr("manifest.json", json.dumps(manifest))
        for i, arr in enumerate(arrays):
            buf = io.BytesIO()
            np.save(buf, arr, allow_pickle=False)
            zf.writestr(f"tensors/{i}.npy", buf.getvalue())


def load(f, map_location=None, pickle_module=None, *, weights_only: bool | None = None,
         mmap=None, **pickle_load_args):
    """Read what save() wrote; anything else is refused without being interpreted."""
    weights_only = True if weights_only is None else weights_only
    try:
        zf = zipfile.ZipFile(f)
        manifest = json.loads(zf.read("manifest.json"))
        if manifest.get("format") != _MAGIC:
            raise ValueError("unknown format")
    except (zipfile.BadZipFile, KeyError, ValueError, json.JSONDecodeError) as exc:
        raise RuntimeError("This file was not written by torch.save in Autograd Explorer, so it "
                           "cannot be loaded here (only the explorer's own safe format is "
                           "read, never pickles).") from exc
    with zf:
        unsafe = _first_global(manifest["root"]) if weights_only else None
        if unsafe is not None:
            raise pickle.UnpicklingError(_weights_only_failed(unsafe))

        def array(i: int) -> np.ndarray:
            with zf.open(f"tensors/{i}.npy") as fh:
                return np.load(io.BytesIO(fh.read()), allow_pickle=False)
        return _decode(manifest["root"], array)


def _first_global(node) -> str | None:
    """The first thing in the file, in pickle's order, that torch's weights-only unpickler
    refuses (the global it would have to import), or None."""
    if "numpy" in node:
        return "numpy._core.multiarray." + ("scalar" if node["scalar"] else "_reconstruct")
    if "module" in node:
        return node["module"]
    children = ([c for pair in node["dict"] for c in pair] if "dict" in node else
                node.get("list", node.get("tuple", [])))
    return next((g for g in map(_first_global, children) if g is not None), None)


def _weights_only_failed(name: str) -> str:
    return (
        "Weights only load failed. This file can still be loaded, to do so you have two options, "
        "\x1b[1mdo those steps only if you trust the source of the checkpoint\x1b[0m. \n\t(1) In "
        "PyTorch 2.6, we changed the default value of the `weights_only` argument in `torch.load` "
        "from `False` to `True`. Re-running `torch.load` with `weights_only` set to `False` will "
        "likely succeed, but it can result in arbitrary code execution. Do it only if you got "
        "the file from a trusted source.\n\t(2) Alternatively, to load with `weights_only=True` "
        "please check the recommended steps in the following error message.\n\tWeightsUnpickler "
        f"error: Unsupported global: GLOBAL {name} was not an allowed global by default. Please "
        f"use `torch.serialization.add_safe_globals([{name}])` or the "
        f"`torch.serialization.safe_globals([{name}])` context manager to allowlist this global "
        "if you trust this class/function.\n\nCheck the documentation of torch.load to learn "
        "more about types accepted by default with weights_only "
        "https://pytorch.org/docs/stable/generated/torch.load.html.")
