"""torch.save / torch.load in a safe format: a zip of .npy arrays plus a JSON description.

Nothing is ever unpickled, so loading a file cannot run code. What can be saved: tensors
(and Parameters), dicts (OrderedDict kept), lists, tuples, numbers, strings, bools and None,
which covers tensors, model state_dicts and optimizer state_dicts."""
from __future__ import annotations

import io
import json
import zipfile
from collections import OrderedDict

import numpy as np

from .tensor import Tensor

__all__ = ["save", "load"]

_MAGIC = "autograd-explorer-save/1"


def _encode(obj, arrays: list):
    from .nn.parameter import Parameter
    if isinstance(obj, Tensor):
        arrays.append(np.array(obj._data, order="C"))
        return {"tensor": len(arrays) - 1, "requires_grad": obj.requires_grad,
                "parameter": isinstance(obj, Parameter)}
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return {"value": obj}
    if isinstance(obj, dict):
        return {"dict": [[_encode(k, arrays), _encode(v, arrays)] for k, v in obj.items()],
                "ordered": isinstance(obj, OrderedDict)}
    if isinstance(obj, (list, tuple)):
        return {"list" if isinstance(obj, list) else "tuple": [_encode(v, arrays) for v in obj]}
    raise TypeError(f"torch.save in Autograd Explorer stores tensors, dicts, lists, tuples, "
                    f"numbers, strings and None; it cannot store {type(obj).__name__}")


def _decode(node, arrays):
    from .nn.parameter import Parameter
    if "tensor" in node:
        t = Tensor._from_array(arrays(node["tensor"]))
        if node.get("parameter"):
            return Parameter(t, node["requires_grad"])
        return t.requires_grad_(node["requires_grad"]) if node["requires_grad"] else t
    if "value" in node:
        return node["value"]
    if "dict" in node:
        items = [(_decode(k, arrays), _decode(v, arrays)) for k, v in node["dict"]]
        return OrderedDict(items) if node["ordered"] else dict(items)
    if "list" in node:
        return [_decode(v, arrays) for v in node["list"]]
    return tuple(_decode(v, arrays) for v in node["tuple"])


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
        def array(i: int) -> np.ndarray:
            with zf.open(f"tensors/{i}.npy") as fh:
                return np.load(io.BytesIO(fh.read()), allow_pickle=False)
        return _decode(manifest["root"], array)
