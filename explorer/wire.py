"""What crosses from a run process to the server: JSON checked against the Run's own dataclasses.

A run process may be hostile (learner code is assumed to run natively in it), so what it sends
is untrusted bytes, never objects. The schema is the dataclasses themselves (`explorer.model`,
and the compare and gradient-check results): each instance is a JSON array of its fields in
declaration order, typed by its annotations. The decoder accepts exactly that: the right
number of fields, each of its declared type (`int`, `float`, `str`, `bool`, `None`, tuples,
`dict[int, X]` as a list of pairs, NumPy arrays as `[dtype, shape, base64]` of plain numeric
dtypes), nested no deeper than the schema allows. Strings have lone surrogates replaced, each
string and the whole message are capped, and reading is linear in the message size.

A message is an 8-byte big-endian length, then `{"ok": <value>}` or `{"failed": <problem>}`.
"""
from __future__ import annotations

import base64
import dataclasses
import json
import math
import os
import re
import select
import struct
import time
import types
import typing
from functools import lru_cache

import numpy as np

from .compare import MAX_COMPARED, MAX_VARIABLES, Snapshot, TensorSnapshot
from .gradcheck import PROBE_NOTES, Probe
from .model import (
    FULL_VALUES,
    KEPT_FAILURES,
    MAX_MODULE_DEPTH,
    MAX_MODULE_NAME,
    ArrayInfo,
    BackwardCall,
    Graph,
    Numbers,
    OpInfo,
    OpNode,
    Shape,
    TensorInfo,
    Values,
    fast_constructor,
)

__all__ = ["MAX_MESSAGE", "MAX_STRING", "TENSOR_DTYPES", "Truncated", "WireError", "decode",
           "encode", "frame", "read_frame", "write_frame"]

HEADER = struct.Struct("!Q")
MAX_MESSAGE = 8 << 20          # bytes in one message: a Run, a snapshot or a probe
MAX_STRING = 4 << 20           # characters in any one string (printed output, a Module's text)
MAX_DIMS = 64                  # torch's limit on a tensor's dims (its values nest as deep)
MAX_INT = 1 << 63              # ids, shapes and strides are int64 in the engine
_DTYPES = frozenset({"bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32",
                     "float64"})
# a compared tensor's dtype: the engine's, as torch names them (bfloat16 travels as float32)
TENSOR_DTYPES = frozenset({f"torch.{name}" for name in _DTYPES} | {"torch.bfloat16"})
_SURROGATE = re.compile("[\ud800-\udfff]")
_NUMBER_TYPES = frozenset({int, float, bool})


class WireError(ValueError):
    """The bytes are not a message of the expected schema (or exceed a cap)."""


class ImpossibleLayout(WireError):
    """A well-typed tensor layout no tensor can have: the message is forged."""


class Truncated(WireError):
    """The writer closed its end before a whole message arrived."""


# ---- encoding (in the run process) -----------------------------------------------------------
_SCALARS = frozenset({str, int, float, bool, type(None)})
_FIELDS: dict[type, tuple[str, ...]] = {}      # a dataclass's field names, looked up once


def _plain(value):
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is tuple or kind is list:
        if value and type(value[0]) in _SCALARS and all(type(v) in _SCALARS for v in value):
            return list(value)          # a row of numbers: most of a Run
        return [_plain(v) for v in value]
    names = _FIELDS.get(kind)
    if names is None and dataclasses.is_dataclass(kind):
        names = _FIELDS[kind] = tuple(f.name for f in dataclasses.fields(kind))
    if names is not None:
        return [_plain(getattr(value, name)) for name in names]
    if isinstance(value, dict):
        return [[_plain(k), _plain(v)] for k, v in value.items()]
    if isinstance(value, np.ndarray):
        arr = np.ascontiguousarray(value)
        return [arr.dtype.name, list(arr.shape), base64.b64encode(arr.tobytes()).decode()]
    if isinstance(value, np.generic):
        return value.item()
    # a subclass of str or int (a learner's __repr__ may return one) travels as the plain value
    for base in (bool, int, float, str):
        if isinstance(value, base):
            return base(value)
    raise TypeError(f"cannot send a {type(value).__name__}")


def encode(value=None, *, failed: str | None = None) -> bytes:
    """One message: `value` (a result dataclass), or a failure's short description."""
    body = {"failed": str(failed)} if failed is not None else {"ok": _plain(value)}
    return frame(json.dumps(body, ensure_ascii=True, separators=(",", ":")).encode("ascii"))


def frame(data: bytes) -> bytes:
    """A message body with its length in front."""
    return HEADER.pack(len(data)) + data


# ---- decoding (on the server) ----------------------------------------------------------------
def _clean(text: str) -> str:
    if len(text) > MAX_STRING:
        raise WireError(f"a string of {len(text):,} characters")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = _SURROGATE.sub("\ufffd", text)
    return text


def _expect(kind, value):
    if type(value) is not kind:
        raise WireError(f"expected {kind.__name__}, got {type(value).__name__}")
    return value


def _int(value):
    if type(value) is not int or not -MAX_INT <= value < MAX_INT:
        raise WireError(f"expected an int64, got {type(value).__name__}")
    return value


def _float(value):
    if type(value) is int:
        return float(_int(value))
    return _expect(float, value)


def _number(v):
    if type(v) not in (int, float, bool) or type(v) is int and not -MAX_INT <= v < 1 << 64:
        raise WireError(f"expected a number, got {type(v).__name__}")
    return v


def _numbers(value, depth: int = 0):
    """A number (a 0-d tensor's value), or nested lists of numbers, as tuples."""
    if type(value) is not list:
        return _number(value) if depth == 0 else _expect(list, value)
    if depth > MAX_DIMS:
        raise WireError("values nested too deep")
    if value and type(value[0]) is list:
        return tuple(_numbers(v, depth + 1) for v in value)
    kinds = set(map(type, value))          # one pass in C, not a call per number
    if not kinds <= _NUMBER_TYPES or int in kinds and not (
            -MAX_INT <= min(v for v in value if type(v) is int) and
            max(v for v in value if type(v) is int) < 1 << 64):
        for v in value:
            _number(v)                      # says which
    return tuple(value)


def _array(value):
    if type(value) is not list or len(value) != 3:
        raise WireError("expected an array as [dtype, shape, data]")
    dtype, shape, data = value
    if dtype not in _DTYPES or type(shape) is not list or type(data) is not str:
        raise WireError("expected an array as [dtype, shape, data]")
    shape = tuple(_int(n) for n in shape)
    if any(n < 0 for n in shape) or len(shape) > MAX_DIMS:
        raise WireError("a bad array shape")
    try:
        raw = base64.b64decode(data, validate=True)
    except ValueError as exc:
        raise WireError("bad array data") from exc
    if len(raw) != math.prod(shape) * np.dtype(dtype).itemsize:
        raise WireError("array data does not fit its shape")
    return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()



def _shape(value) -> tuple:
    """Every field annotated Shape, whatever it describes (a tensor, an operand that failed, a
    broadcast, a gradient summed back): at most MAX_DIMS sizes, each in [0, 2**63). One failed
    op of 200,000 forged dims made a chart of 19 MB (twelfth outside attack)."""
    if type(value) is not list:
        raise WireError(f"expected a shape, got {type(value).__name__}")
    if len(value) > MAX_DIMS or not all(type(n) is int and 0 <= n < MAX_INT for n in value):
        raise ImpossibleLayout(f"a tensor layout no tensor can have: a shape of {len(value):,} "
                               "dims" if len(value) > MAX_DIMS else
                               "a tensor layout no tensor can have: a size out of [0, 2**63)")
    return tuple(value)


@lru_cache(maxsize=None)
def _decoder(tp):
    """A function that checks one JSON value against the annotation `tp` and builds it."""
    if tp is Numbers:
        return _numbers
    if tp is Shape:
        return _shape
    if tp is np.ndarray:
        return _array
    if tp is int:
        return _int
    if tp is float:
        return _float
    if tp is bool:
        return lambda v: _expect(bool, v)
    if tp is str:
        return lambda v: _clean(_expect(str, v))
    if tp is type(None):
        return lambda v: _expect(type(None), v)
    if dataclasses.is_dataclass(tp):
        return _dataclass_decoder(tp)
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        return _union_decoder(args)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        item = _decoder(args[0])
        return lambda v: tuple(item(x) for x in _expect(list, v))
    if origin is tuple:
        items = [_decoder(a) for a in args]

        def fixed(v):
            if len(_expect(list, v)) != len(items):
                raise WireError(f"expected {len(items)} items, got {len(v)}")
            return tuple(f(x) for f, x in zip(items, v))
        return fixed
    if origin is dict:
        key, val = _decoder(args[0]), _decoder(args[1])

        def pairs(v):
            out = {}
            for pair in _expect(list, v):
                if type(pair) is not list or len(pair) != 2:
                    raise WireError("expected [key, value] pairs")
                out[key(pair[0])] = val(pair[1])
            return out
        return pairs
    raise TypeError(f"no wire form for {tp!r}")


def _union_decoder(args):
    options = [_decoder(a) for a in args]

    def union(v):
        if v is None and type(None) in args:
            return None
        for option in options:
            try:
                return option(v)
            except ImpossibleLayout:
                raise
            except WireError:
                continue
        raise WireError(f"no type of {args} fits a {type(v).__name__}")
    return union


def _dataclass_decoder(cls):
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    decoders = [_decoder(hints[name]) for name in names]
    required = sum(1 for f in dataclasses.fields(cls)
                   if f.default is dataclasses.MISSING and
                   f.default_factory is dataclasses.MISSING)

    try:
        construct = fast_constructor(cls)     # frozen dataclasses' __init__ is slow
    except TypeError:                         # a field with a default_factory
        construct = cls

    sane = _SANE.get(cls)

    def build(v):
        if type(v) is not list or not required <= len(v) <= len(names):
            raise WireError(f"expected a {cls.__name__}")
        built = construct(**{name: decode(x) for name, decode, x in zip(names, decoders, v)})
        if sane is not None:
            sane(built)
        return built
    return build


def _layout_sane(shape: tuple, stride: tuple, offset: int) -> None:
    """A layout the engine could have made: as many strides as dims (the shape is checked as
    every Shape is), no stride and no offset negative (views then draw in time bounded by their
    storage, not their element count, which an expand makes as large as it likes)."""
    if len(shape) != len(stride) or offset < 0 or any(s < 0 for s in stride):
        raise ImpossibleLayout("a tensor layout no tensor can have")


MAX_STORAGE = 1 << 31     # elements in one storage: more than a run's memory could hold
# a meta tensor's storage holds nothing, so it may be as large as torch allows; the pictures
# draw at most its first cells
STORAGE_LIMITS = {"cpu": MAX_STORAGE, "meta": 1 << 62}


def _tensor_sane(info: TensorInfo) -> None:
    """A layout (see _layout_sane) inside a storage a run could have held: a forged storage
    of 2**30 cells made the memory picture allocate that many (twelfth outside attack). Its
    values are of its own shape (the pictures reshape them by it), and a wrapped Python number
    is 0-dim, one value: a forged one of 400,000 numbers was spelled whole in the label of
    every temporary made from it, a DOT of 336 MB (fourteenth outside attack)."""
    _layout_sane(info.shape, info.stride, info.storage_offset)
    if info.values is not None and info.values.shape != info.shape or \
            info.wrapped_number and (info.shape or info.values and not info.values.complete):
        raise ImpossibleLayout("values no tensor can have: not of its shape, or a wrapped "
                               "number of more than one")
    if info.device not in STORAGE_LIMITS:
        raise ImpossibleLayout("a tensor on an unknown device")
    if not 0 <= info.storage_size <= STORAGE_LIMITS[info.device] or 0 not in info.shape and \
            info.storage_offset + sum((n - 1) * s for n, s in zip(info.shape, info.stride)) \
            >= info.storage_size:
        raise ImpossibleLayout("a tensor layout no tensor can have: outside its storage")


def _values_sane(values: Values) -> None:
    """Numbers as a recording keeps them: all of a tensor's, nested in its shape, up to
    FULL_VALUES elements; else a flat prefix of at most FULL_VALUES numbers, never more than
    the tensor has. A forged shape (1,) holding 3.9 M numbers made the Graph and Steps tabs
    print every one on each rerun (10-15 s of CPU), and numbers that do not fill their shape
    raised where a picture reshapes them (fourteenth outside attack)."""
    size, data = math.prod(values.shape), values.data
    if values.complete:
        if size > FULL_VALUES or not _fills(data, values.shape):
            raise ImpossibleLayout(f"values no tensor can have: not {size:,} numbers in its "
                                   "shape")
    elif type(data) is not tuple or data and type(data[0]) is tuple or \
            len(data) > min(size, FULL_VALUES):
        raise ImpossibleLayout("values no tensor can have: not a flat prefix of its "
                               f"{size:,} numbers")


def _fills(data, shape: tuple) -> bool:
    """Whether `data` (as _numbers decoded it: each level all tuples or all numbers) is
    nested exactly in `shape`."""
    if not shape:
        return type(data) is not tuple
    if type(data) is not tuple or len(data) != shape[0]:
        return False
    if len(shape) == 1:
        return not data or type(data[0]) is not tuple
    return all(_fills(d, shape[1:]) for d in data)


def _array_sane(info: ArrayInfo) -> None:
    """A NumPy array may step backwards (a[::-1]); the rest is as for a tensor."""
    _layout_sane(info.shape, tuple(abs(s) for s in info.stride), info.storage_offset)


MAX_OPS = 1 << 16        # a recording stops at its node budget (20,000 ops by default)
MAX_TENSORS = 1 << 18


def _graph_sane(graph: Graph) -> None:
    """No bigger than a recording can be: the pictures walk every op and tensor per draw, and
    draw each failed op kept (30,000 of them took minutes of server CPU)."""
    if len(graph.ops) > MAX_OPS or len(graph.tensors) > MAX_TENSORS or \
            len(graph.versions) > MAX_OPS:
        raise WireError(f"a graph of {len(graph.ops):,} ops and {len(graph.tensors):,} tensors")
    if graph.context:
        raise WireError("a graph scoped by a picture")
    if len(graph.accumulate) > len(graph.ops) + len(graph.tensors):
        # a recording's AccumulateGrad nodes are each a leaf's (a new one only after `.data`
        # gave it another shape), first met in an op that read it: 600,000 forged for one
        # leaf drew a node each (the graph draws at most its budget, too)
        raise WireError(f"a graph of {len(graph.accumulate):,} AccumulateGrad nodes")
    if len(graph.failed) > KEPT_FAILURES or graph.more_failed < 0 or \
            any(f.count < 1 for f in graph.failed):
        raise WireError(f"a graph of {len(graph.failed):,} failed ops")


def _op_sane(op: OpNode) -> None:
    """A Module stack as the recorder keeps it: a forged one of 8,000 calls made the Graph
    tab build a path per prefix, D * D * L characters from D * L bytes."""
    longest = max((max(len(m.name), len(m.type)) for m in op.module), default=0)
    if len(op.module) > MAX_MODULE_DEPTH or longest > MAX_MODULE_NAME:
        raise WireError(f"an op in {len(op.module):,} Module calls, or one named too long")


def _call_sane(call: BackwardCall) -> None:
    """Each autograd node runs once per backward call: a forged call naming one node in every
    step made the Steps tab hand each step all the gradients before it (quadratic: 2,000
    steps took 8 s, 60,000 ran out of memory; thirteenth outside attack)."""
    nodes = [step.node_id for step in call.steps]
    if len(nodes) > MAX_OPS or len(set(nodes)) != len(nodes):
        raise WireError(f"a backward call of {len(nodes):,} steps over "
                        f"{len(set(nodes)):,} nodes")


MAX_FORMULA = 256        # characters of one gradient formula (the registry's longest is 131)
MAX_INPUTS = 16          # inputs an op names (the registry's most is 7)
MAX_INPUT_NAME = 64


def _op_info_sane(info: OpInfo) -> None:
    """The registry's sizes: every chain and steps row repeats its op's formulas, so a forged
    formula of 4 M characters on 400 ops made a 1.5 GB chain text (thirteenth outside attack)."""
    names = (*info.inputs, *info.non_differentiable, *(name for name, _ in info.formulas))
    if max(len(info.inputs), len(info.formulas), len(info.non_differentiable)) > MAX_INPUTS or \
            any(len(name) > MAX_INPUT_NAME for name in names) or \
            any(len(text) > MAX_FORMULA for _, text in info.formulas):
        raise WireError("an op's registry entry of a size no op has")


def _probe_sane(probe: Probe) -> None:
    """A gradient-check probe notes one of the sentences a probe can mean: the check shows the
    note's sentence, and a forged note named none (a KeyError on the page; fourteenth outside
    attack F6)."""
    if probe.note not in PROBE_NOTES:
        raise WireError("a probe's note that names no sentence")


def _snapshot_tensor_sane(t: TensorSnapshot) -> None:
    """A compared tensor as compare.snapshot sends it: of a dtype the engine has, its values
    and its grad each flat and exactly its first min(numel, MAX_COMPARED) numbers. Forged
    (N, 1) values beside the engine's (N,) made the server's comparison broadcast them into
    N x N arrays (fifteenth outside attack: N = 8,000 took 1.35 GB)."""
    numel = math.prod(t.shape)
    size = min(numel, MAX_COMPARED)
    if t.numel != numel or t.dtype not in TENSOR_DTYPES or any(
            a is not None and (a.ndim != 1 or a.size != size) for a in (t.values, t.grad)):
        raise ImpossibleLayout("values no tensor can have: not a flat prefix of its "
                               f"{numel:,} numbers, or a dtype the engine does not have")


def _snapshot_sane(snap: Snapshot) -> None:
    """At most the MAX_VARIABLES tensors a snapshot compares: the page shows a row each."""
    if len(snap.tensors) > MAX_VARIABLES:
        raise WireError(f"a snapshot of {len(snap.tensors):,} tensors")


_SANE = {TensorInfo: _tensor_sane, Values: _values_sane, ArrayInfo: _array_sane,
         Graph: _graph_sane, OpNode: _op_sane, BackwardCall: _call_sane, OpInfo: _op_info_sane,
         Probe: _probe_sane, TensorSnapshot: _snapshot_tensor_sane, Snapshot: _snapshot_sane}


def decode(data: bytes | bytearray | memoryview, kind: type):
    """The value of one message body (without its header) as a `kind`; a failure message
    comes back as ("failed", problem). Raises WireError for anything else."""
    if len(data) > MAX_MESSAGE:
        raise WireError(f"a message of {len(data):,} bytes")
    try:
        body = json.loads(bytes(data))
    except (ValueError, RecursionError) as exc:
        raise WireError("not JSON") from exc
    if type(body) is not dict or len(body) != 1:
        raise WireError("expected {\"ok\": ...} or {\"failed\": ...}")
    if "failed" in body:
        return ("failed", _clean(_expect(str, body["failed"]))[:200])
    if "ok" not in body:
        raise WireError("expected {\"ok\": ...}")
    try:
        return _decoder(kind)(body["ok"])
    except RecursionError as exc:
        raise WireError("nested too deep") from exc
    except WireError:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever a forged value makes NumPy or a
        raise WireError("a malformed value") from exc    # dataclass raise is a bad message


# ---- framing ---------------------------------------------------------------------------------
def write_frame(fd: int, frame: bytes) -> None:
    """Write a whole encoded message to a file descriptor."""
    view = memoryview(frame)
    while view:
        view = view[os.write(fd, view):]


def read_frame(fd: int, deadline: float | None, limit: int = MAX_MESSAGE) -> bytearray:
    """One message body from `fd`, read into a buffer sized by its header: linear in its size,
    refused at once when the header announces more than `limit` bytes. Raises WireError when
    the writer stops early or misses the deadline (time.monotonic(); None blocks, as a run
    process does: it may not call select)."""
    header = _read_into(fd, bytearray(HEADER.size), deadline)
    (size,) = HEADER.unpack(header)
    if size > limit:
        raise WireError(f"a message of {size:,} bytes (the limit is {limit:,})")
    return _read_into(fd, bytearray(size), deadline)


def _read_into(fd: int, buf: bytearray, deadline: float | None) -> bytearray:
    view, got = memoryview(buf), 0
    while got < len(buf):
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise WireError("no complete message before the deadline")
            if not select.select([fd], [], [], remaining)[0]:
                continue
        n = os.readv(fd, [view[got:]])
        if n == 0:
            raise Truncated(f"the message ended after {got} of {len(buf)} bytes")
        got += n
    return buf
