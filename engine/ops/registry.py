"""The op registry: every differentiable op declared once, like PyTorch's derivatives.yaml.

An entry holds the op's name, its NumPy forward, its backward (written in engine ops, so
create_graph works), the grad_fn class name, the per-input formula text the app shows, what it
saves, which saved values each input's gradient reads, and whether it returns a view.
`OpDef.__call__` runs the forward and records the node.

    @defop("mul", "MulBackward0", inputs=("self", "other"), saves=("self", "other"),
           formulas={"self": "grad * other", "other": "grad * self"},
           reads={"self": ("other",), "other": ("self",)})
    def MUL(a, b, *, dtype):                 # forward, on NumPy arrays
        return np.multiply(a, b, dtype=dtype)

    @MUL.derivative
    def _(grad, s):                          # backward, on tensors: one gradient per input
        return grad * s.other, grad * s.self

`reads` is stated, never parsed from the formula text: like PyTorch's codegen, a saved input is
only kept when a gradient that will be computed reads it (`mm` with only `self` requiring grad
keeps `mat2`, not `self`). Without `reads`, every gradient reads every saved value.
tests/test_registry_formulas.py checks that each formula's text names what its gradient reads.
"""
from __future__ import annotations

import functools
import importlib
import inspect
import sys
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .. import observe
from ..autograd import grad_mode
from ..autograd.graph import Node, SavedTensor
from ..dtypes import from_numpy_dtype, scalar_dtype
from ..tensor import Tensor

__all__ = ["OpDef", "defop", "REGISTRY", "Saved"]

REGISTRY: dict[str, "OpDef"] = {}


class Saved:
    """What a backward formula reads: `s.self`, `s.other`, `s.result`, `s.dim`, ..."""

    __slots__ = ("_node",)

    def __init__(self, node: Node) -> None:
        self._node = node

    def __getattr__(self, key: str):
        node = self._node   # node.saved(key), without a second call: formulas read these a lot
        value = node._saved[key]
        return value.unpack(node) if isinstance(value, SavedTensor) else value

    def needs(self, name: str) -> bool:
        """Whether input `name` gets a gradient (PyTorch's should_compute_output): a formula
        may skip the work, and return None, for one that does not (a layer's input batch)."""
        node = self._node
        diff = _plan(node._op)[0]
        names = node._op.inputs if diff is None else [node._op.inputs[i] for i in diff]
        return node.next_functions[names.index(name)][0] is not None


class OpNode(Node):
    """A grad_fn made from a registry entry: backward runs the entry's formula."""

    def apply(self, grad_outputs: tuple) -> tuple:
        op = self._op
        if op.n_outputs == 1:
            grad_outputs = grad_outputs[0]
            if grad_outputs is None:   # nothing flows in: nothing flows out
                return (None,) * len(self.next_functions)
        elif _all_none(grad_outputs):
            return (None,) * len(self.next_functions)
        if META_SEEN and _meta().involved(grad_outputs if op.n_outputs != 1 else
                                          (grad_outputs,), {}):
            return _meta().input_grads(self)
        grads = op.backward(grad_outputs, Saved(self))
        grads = grads if isinstance(grads, tuple) else (grads,)
        if op.non_differentiable:  # those inputs have no edge (e.g. where's condition)
            grads = tuple(g for name, g in zip(op.inputs, grads)
                          if name not in op.non_differentiable)
        return grads


def _all_none(values: tuple) -> bool:
    for v in values:   # a loop, not all(genexpr): this runs for every node in backward
        if v is not None:
            return False
    return True


@dataclass(eq=False)
class OpDef:
    name: str
    grad_fn: str | None
    forward: Callable
    inputs: tuple = ("self",)
    saves: tuple = ()
    formulas: dict = field(default_factory=dict)
    view: bool = False
    n_outputs: int = 1
    differentiable_outputs: tuple = (0,)
    backward: Callable | None = None
    node_cls: type | None = None
    defaults: dict = field(default_factory=dict)  # the forward's keyword defaults (saved too)
    non_differentiable: tuple = ()
    reads: dict | None = None   # input -> the saved keys its gradient reads (None: all of them)
    recording: tuple | None = None   # (saves, _plan(op)): worked out on the first record

    def differentiable(self, name: str) -> bool:
        return name not in self.non_differentiable

    def gradients_reading(self, key: str) -> set | None:
        """The inputs whose gradient reads saved value `key` (None: unknown, so any of them)."""
        if self.reads is None:
            return None
        readers = {name for name, keys in self.reads.items() if key in keys}
        return readers or None

    def derivative(self, fn: Callable) -> Callable:
        """Attach the backward formula: fn(grad, saved) -> one gradient (or None) per input."""
        self.backward = fn
        return fn

    def formula_text(self) -> dict:
        return dict(self.formulas)


def defop(name: str, grad_fn: str | None = None, *, inputs=("self",), saves=(), formulas=None,
          reads=None, view: bool = False, n_outputs: int = 1, differentiable_outputs=(0,),
          non_differentiable=()):
    """Declare an op; see the module docstring. `saves` names inputs, "result" or attrs;
    `reads` maps an input to the saved keys its gradient reads; `non_differentiable` names
    tensor inputs that get no edge in next_functions."""
    saves = tuple(saves)
    reads = None if reads is None else {k: tuple(v) for k, v in reads.items()}
    for keys in (reads or {}).values():
        if not set(keys) <= set(saves):
            raise ValueError(f"op {name!r} reads {sorted(set(keys) - set(saves))}, not saved")

    def register(forward: Callable) -> OpDef:
        op = OpDef(name, grad_fn, forward, tuple(inputs), saves, dict(formulas or {}),
                   view, n_outputs, tuple(differentiable_outputs),
                   non_differentiable=tuple(non_differentiable), reads=reads)
        op.defaults = {k: p.default for k, p in inspect.signature(forward).parameters.items()
                       if p.default is not p.empty}
        if grad_fn is not None:
            op.node_cls = _node_class(grad_fn, op)
        if name in REGISTRY:
            raise ValueError(f"op {name!r} registered twice")
        REGISTRY[name] = op
        return op
    return register


_NODE_CLASSES: dict[str, type] = {}


def _node_class(grad_fn: str, op: OpDef) -> type:
    """One Node subclass per grad_fn name, so type(t.grad_fn).__name__ reads like PyTorch."""
    cls = type(grad_fn, (OpNode,), {"_op": op, "__module__": "torch.autograd.graph"})
    _NODE_CLASSES[grad_fn] = cls
    return cls


META_SEEN = False   # set when the first meta tensor is made (engine/ops/meta.py)


def run(op: OpDef, /, *tensors: Tensor, **attrs):
    """op(*tensors, **attrs): run the forward on the tensors' arrays, wrap the outputs and
    record the grad_fn."""
    shape = attrs.get("_broadcast")
    if META_SEEN and _meta().involved(tensors, attrs):   # shapes, no data: meta's rules
        try:
            outputs = _meta().outputs(op, tensors, attrs)
        except BaseException as error:
            op_failed(op.name, tensors, error)
            raise
    else:
        if shape is not None and shape != tensors[0]._data.shape:   # an input's shape is ok
            _check_numel(shape)
        arrays = []
        for t in tensors:   # each input's array (a loop here: this runs for every op)
            if not isinstance(t, Tensor):
                arrays = _arrays(op, tensors)
                break
            arrays.append(t._data)
        try:
            result = op.forward(*arrays, **attrs)
        except BaseException as error:
            op_failed(op.name, tensors, error)
            raise
        if op.n_outputs != 1:
            outputs = tuple(_wrap_output(op, r, tensors) for r in result)
        elif op.view:
            outputs = (tensors[0]._make_view(result),)
        else:
            outputs = (Tensor._from_array(result),)
    node = _record(op, tensors, attrs, outputs) if (
        op.node_cls is not None and grad_mode._state.enabled) else None
    if observe.observers:
        observe.emit(observe.ForwardEvent(
            op.name, tensors, outputs, node, broadcast_shape=shape,
            view_of=tensors[0] if op.view else None, attrs=attrs))
    return outputs[0] if op.n_outputs == 1 else outputs


OpDef.__call__ = run    # an op is called like a function: MUL(a, b, dtype=...)


def _meta():
    """engine/ops/meta.py, imported on first use: only a program with meta tensors needs it."""
    return sys.modules.get(__package__ + ".meta") or importlib.import_module(
        __package__ + ".meta")


def _arrays(op: OpDef, tensors: tuple) -> list:
    """Each input's array, from tensors only: an object posing as one brings a `_data` of its
    choosing (a learner's stand-in once fed mse_loss, linear's bias and batch_norm)."""
    arrays = []
    for position, t in enumerate(tensors):
        if t is None:
            arrays.append(None)
        elif isinstance(t, Tensor):
            arrays.append(t._data)
        else:
            name = op.inputs[position] if position < len(op.inputs) else op.inputs[-1]
            error = TypeError(f"{op.name}(): argument '{name}' (position {position + 1}) must "
                              f"be Tensor, not {type(t).__name__}")
            error.argument = (op.name, name, position + 1, t)   # as arguments.arg_error's
            raise error
    return arrays


def _check_numel(shape: tuple) -> None:
    """The sandbox's element limit; creation owns it (and imports this module, so it is found
    in sys.modules rather than imported on every op)."""
    sys.modules[__package__ + ".creation"].check_numel(shape)


def op_failed(name: str, tensors: tuple, error: BaseException) -> BaseException:
    """Tell the observers that op `name` failed on `tensors`; returns `error` to be raised.

    The learner sees the error unchanged. Callers check inside `except` or just before `raise`,
    so the success path pays nothing (a try block costs nothing until it catches)."""
    if observe.observers:
        observe.emit(observe.OpFailedEvent(name, tuple(tensors), error))
    return error


def _wrap_output(op: OpDef, arr, tensors: tuple) -> Tensor:
    if op.view:
        return tensors[0]._make_view(arr)
    return Tensor._from_array(arr)


def _record(op: OpDef, tensors: tuple, attrs: dict, outputs: tuple) -> Node | None:
    """The grad_fn of op's new outputs, None when no input requires grad or no output is
    floating (integers have no gradient). The outputs are new tensors, with no history and
    no hooks to move: each is given its grad_fn directly."""
    for t in tensors:
        if t is not None and (t._requires_grad or t._grad_fn is not None or (
                t._base is not None and t.grad_fn is not None)):   # a view's may be regenerated
            break
    else:
        return None
    for o in outputs:
        if o.dtype.is_floating_point:
            break
    else:
        return None
    cached = op.recording
    plan = cached[1] if cached is not None and cached[0] is op.saves else _plan(op)
    node = _new_node(op, tensors, attrs, self_value=None, plan=plan)
    if len(outputs) != 1:
        node._n_outputs = len(outputs)
    for i in (range(len(outputs)) if op.n_outputs == -1 else op.differentiable_outputs):
        out = outputs[i]
        if out.dtype.is_floating_point:
            out._grad_fn, out._output_nr, out._view_version = node, i, out._vc[0]
    for key in plan[2]:         # result, result1, ...: saved outputs
        node._saved[key] = SavedTensor(outputs[int(key[6:] or 0)], is_output=True)
    return node


_NO_EDGE = (None, 0)
GEOMETRY, ATTR, _INPUT = "geometry", "attr", "input"   # what a saved key refers to


def _new_node(op: OpDef, tensors: tuple, attrs: dict, self_value, plan=None) -> Node:
    """The grad_fn for op applied to tensors: edges of the differentiable inputs, saved values.

    Optional tensor inputs (a conv without bias) are None: no edge, nothing saved.
    `self_value` replaces tensors[0] as the saved `self` (an in-place op's original value).
    `plan`: _plan(op), when the caller already has it."""
    node = op.node_cls()
    diff, plan, _ = plan or _plan(op)
    edges, meta = [], []
    for t in tensors if diff is None else [tensors[i] for i in diff]:   # None: cat's list
        if t is None:
            edges.append(_NO_EDGE)
            meta.append(None)
            continue
        fn = t._grad_fn
        edges.append((fn, t._output_nr) if fn is not None and t._base is None else t._edge())
        meta.append((t._data.shape, t.dtype))
    node.next_functions = edges = tuple(edges)
    node._input_meta = tuple(meta)
    saved = node._saved
    for key, kind, index, readers in plan:
        if kind is _INPUT:   # kept only if a gradient that will be computed reads it
            t = self_value if key == "self" and self_value is not None else tensors[index]
            if t is None:
                saved[key] = None
                continue
            needed = readers is None
            for p in readers or ():
                if edges[p][0] is not None:
                    needed = True
                    break
            saved[key] = SavedTensor(t, needed=needed)
        elif kind is GEOMETRY:
            t = tensors[index]
            saved[key] = None if t is None else _geometry(key, t)
        else:
            value = attrs.get(key, op.defaults.get(key))
            saved[key] = SavedTensor(value) if isinstance(value, Tensor) else value
    return node


def _plan(op: OpDef) -> tuple:
    """What recording op needs, worked out once per op (again if its `saves` is replaced):

    - the positions of the inputs that get an edge in next_functions (None: all of them, as
      for ops over a list of tensors such as cat), and
    - (key, kind, index, readers) per saved key recorded with the node. kind: GEOMETRY
      (index: which input), ATTR, or _INPUT (index: which input; readers: the edges whose
      gradient formula reads it, None: always kept), and
    - the keys of saved outputs (result, result1, ...), saved once the outputs have their
      history."""
    cached = op.recording
    if cached is not None and cached[0] is op.saves:
        return cached[1]
    diff = tuple(i for i, name in enumerate(op.inputs) if op.differentiable(name))
    edge_of = {op.inputs[i]: k for k, i in enumerate(diff)}
    if diff == tuple(range(len(op.inputs))):   # every input gets an edge (or cat's list)
        diff = None
    plan, results = [], []
    for key in op.saves:
        if key.startswith("result"):
            results.append(key)
        elif key in op.inputs:
            readers = op.gradients_reading(key)
            # A reader that is not an edge (or not an input) counts as always wanting a grad.
            positions = None if readers is None or any(r not in edge_of for r in readers) \
                else tuple(edge_of[r] for r in readers)
            plan.append((key, _INPUT, op.inputs.index(key), positions))
        elif key.endswith(("_sym_sizes", "_sym_numel")):
            plan.append((key, GEOMETRY, op.inputs.index(key.rsplit("_sym_", 1)[0]), None))
        else:
            plan.append((key, ATTR, None, None))
    op.recording = (op.saves, (diff, tuple(plan), tuple(results)))
    return op.recording[1]


def record_inplace(op: OpDef, target: Tensor, tensors: tuple, attrs: dict, original=None) -> Node:
    """The grad_fn for an in-place `op` on `target`, made before target's history changes.

    tensors[0] stands for target's old value: its edge is taken now, and `original` is a copy of
    its old data for ops whose backward needs it.
    """
    return _new_node(op, tensors, attrs, self_value=original)


def _geometry(key: str, t: Tensor):
    """`self_sym_sizes` / `self_sym_numel`: what PyTorch saves of an input's geometry."""
    return t._data.shape if key.endswith("_sizes") else t._data.size   # (plain ints, as t.shape's)


def broadcast_shapes(*shapes: tuple) -> tuple:
    """The shape operands of these shapes (tuples) broadcast to, taken in order as
    TensorIterator does, or PyTorch's error: dims are matched from the right, so it names the
    rightmost one that fails (counted from the left of the longer shape)."""
    return _broadcast_shape(shapes)


@functools.lru_cache(maxsize=4096)
def _broadcast_shape(shapes: tuple) -> tuple:
    """broadcast_shapes, cached by the shapes: a loop or a training step broadcasts the same
    few shapes again and again (a failure raises, and is not cached)."""
    shape = shapes[0]
    for other in shapes[1:]:
        if other == shape:
            continue
        n = max(len(shape), len(other))
        a, b = (1,) * (n - len(shape)) + tuple(shape), (1,) * (n - len(other)) + tuple(other)
        for i in range(n - 1, -1, -1):
            if a[i] != b[i] and a[i] != 1 and b[i] != 1:
                raise RuntimeError(f"The size of tensor a ({a[i]}) must match the size of "
                                   f"tensor b ({b[i]}) at non-singleton dimension {i}")
        shape = tuple(y if x == 1 else x for x, y in zip(a, b))
    return tuple(shape)


# The public API, filled by the op modules: torch.X functions and Tensor.X methods.
TORCH_FUNCTIONS: dict[str, Callable] = {}
TENSOR_METHODS: dict[str, Callable] = {}


def expose(fn: Callable, *names: str, function: bool = True, method: bool = True) -> Callable:
    """Publish fn as torch.<name> and/or Tensor.<name> (first parameter becomes self)."""
    for name in names or (fn.__name__,):
        if function:
            TORCH_FUNCTIONS[name] = fn
        if method:
            TENSOR_METHODS[name] = fn
    return fn


def writes_out(fn: Callable | None = None, *, name: str | None = None) -> Callable:
    """torch's `out=`: compute as usual, then copy into out (resized if empty) and return out.
    A creation op without a dtype takes out's, so it draws and rounds as torch does. `name`:
    the op torch's refusal of autograd through out= names, where not the result's own op."""
    if fn is None:
        return lambda f: writes_out(f, name=name)
    takes_dtype = "dtype" in inspect.signature(fn).parameters

    @functools.wraps(fn)
    def with_out(*args, out=None, **kwargs):
        if out is None:
            return fn(*args, **kwargs)
        if takes_dtype and kwargs.get("dtype") is None:
            kwargs["dtype"] = out.dtype
        from .views import copy_into_out
        return copy_into_out(out, fn(*args, **kwargs), name)
    return with_out


def scalar_tensor(value) -> Tensor:
    """A Python number as a 0-dim "wrapped number" tensor (it promotes like a scalar)."""
    t = Tensor._from_array(np.array(value, dtype=scalar_dtype(value).np))
    t._wrapped = True
    return t


def operand(x) -> Tensor:
    return x if isinstance(x, Tensor) else scalar_tensor(x)


def run_inplace(op: OpDef, target: Tensor, others: tuple, attrs: dict) -> Tensor:
    """Run op with target as first input and write the result into target's memory."""
    on_meta = META_SEEN and _meta().involved((target, *others), attrs)
    try:
        result = _meta().inplace_result(op, target, others, attrs) if on_meta else \
            np.asarray(op.forward(*_arrays(op, (target, *others)), **attrs))
    except BaseException as error:
        op_failed(op.name + "_", (target,) + tuple(others), error)
        raise
    if result.shape != target._data.shape:
        raise op_failed(op.name + "_", (target, *others), RuntimeError(
            f"output with shape [{', '.join(map(str, target.shape))}] doesn't match the "
            f"broadcast shape [{', '.join(map(str, result.shape))}]"))
    result_dtype = from_numpy_dtype(result.dtype)
    if result_dtype.category > target.dtype.category and not on_meta:
        raise RuntimeError(f"result type {_scalar_type_name(result_dtype)} can't be cast to the "
                           f"desired output type {_scalar_type_name(target.dtype)}")
    tensors = (target,) + tuple(others)
    record = (op.node_cls is not None and grad_mode._state.enabled
              and any(t.requires_grad for t in tensors))
    if record:
        check_inplace_allowed(target)
    check_no_internal_overlap(target)
    original = None
    if record and "self" in op.saves:
        original = _meta().from_shape_of(target) if on_meta else \
            Tensor._from_array(target._data.copy())
        original._vc = [0]
    node = record_inplace(op, target, tensors, attrs, original) if record else None
    if not on_meta:
        np.copyto(target._data, result, casting="unsafe")
    target._vc[0] += 1
    if node is not None:
        set_inplace_history(target, node)
        if "result" in op.saves:
            node._saved["result"] = SavedTensor(target, is_output=True)
    if observe.observers:
        observe.emit(observe.ForwardEvent(op.name, tensors, (target,), node,
                                          broadcast_shape=attrs.get("_broadcast"),
                                          inplace=True, attrs=attrs))
    return target


def _scalar_type_name(d) -> str:
    return d.legacy[:-len("Tensor")] if d.legacy.endswith("Tensor") else d.name


def check_inplace_allowed(target: Tensor) -> None:
    if target._grad_fn is None and target._requires_grad and target._base is None:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                           "operation.")
    base = target._base
    if base is not None and base._grad_fn is None and base._requires_grad:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                           "in-place operation.")


def check_no_internal_overlap(target: Tensor) -> None:
    if target._meta is not None or target._data.size == 0:
        return   # (torch's meta kernels do not check; nothing is written to an empty tensor)
    if any(s == 0 and n > 1 for s, n in zip(target._data.strides, target._data.shape)):
        raise RuntimeError("unsupported operation: more than one element of the written-to "
                           "tensor refers to a single memory location. Please clone() the tensor "
                           "before performing the operation.")


def set_inplace_history(target: Tensor, node: Node) -> None:
    """After an in-place op: target's grad_fn is node, or, for a view, its base gets CopySlices."""
    if target._base is None:
        target._set_history(node, 0)
        return
    from .views import copy_slices
    copy_slices(target, node)
