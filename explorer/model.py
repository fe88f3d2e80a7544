"""The Run: everything one execution of learner code produced, as plain data.

A Run is picklable and comparable, and a pure function of (source, seed): it holds no live
tensors, only shapes, strides, numbers and names, so it can be cached, sent between processes
and drawn by the views without the engine."""
from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields
from typing import NewType

__all__ = [
    "ArrayInfo",
    "BackwardCall",
    "BackwardEdge",
    "BackwardStep",
    "Edge",
    "ErrorInfo",
    "FailedOp",
    "KEPT_FAILURES",
    "MAX_MODULE_DEPTH",
    "MAX_MODULE_NAME",
    "FULL_VALUES",
    "ForwardStep",
    "Graph",
    "ModuleCall",
    "OpInfo",
    "OpNode",
    "Run",
    "TensorInfo",
    "TensorNode",
    "Values",
    "VariableInfo",
    "edge_inputs",
    "fast_constructor",
]


# A number, nested tuples of numbers in a tensor's shape, or a flat prefix (see Values.data).
Numbers = NewType("Numbers", tuple)
# A tensor's sizes: every field annotated Shape is checked as one on the wire (at most 64 dims,
# each in [0, 2**63)), whatever it describes (an operand, a broadcast, a gradient summed back).
Shape = NewType("Shape", tuple)
Strides = tuple[int, ...]      # in elements; checked with the shape they go with


# elements a recording keeps every value of (PyTorch prints them all); a larger tensor keeps a
# short flat prefix. The wire refuses more numbers than this in any one Values
FULL_VALUES = 1000


@dataclass(frozen=True)
class Values:
    """Tensor values: all of them when small, else the first elements plus summary numbers."""

    shape: Shape
    data: Numbers          # nested tuples in shape when complete, else a flat prefix
    complete: bool
    min: float | None = None
    max: float | None = None
    mean: float | None = None
    norm: float | None = None
    text: str = ""         # PyTorch's printed form, e.g. "tensor([1., 2.])"


@dataclass(frozen=True)
class ErrorInfo:
    type: str              # e.g. "RuntimeError"
    message: str           # PyTorch's first message line
    line: int | None       # 1-based line in the learner's code
    column: int | None
    explanation: str       # one or two plain sentences on why
    kind: str = "runtime"  # "syntax", "runtime", "limit", "security"

    @property
    def from_outside(self) -> bool:
        """The sandbox stopped the run from outside (the wall clock of a busy server, a crash):
        it says something about that moment, not about a line of the learner's code."""
        return self.kind == "limit" and self.line is None


@dataclass(frozen=True)
class TensorInfo:
    """A tensor as it was when recorded."""

    id: int                        # stable within the run: order of first sight
    shape: Shape
    dtype: str                     # "torch.float32"
    stride: Strides
    storage_offset: int
    storage_id: int                # tensors sharing memory share this id
    storage_size: int              # elements in the storage
    is_contiguous: bool
    is_channels_last: bool
    requires_grad: bool
    is_leaf: bool
    grad_fn: str | None
    base_id: int | None            # the tensor this one is a view of
    values: Values | None = None
    grad: Values | None = None
    version: int = 0
    wrapped_number: bool = False   # a Python number an op wrapped (3 in `3 * x`), not a tensor
    flat_stride: int | None = None  # the stride view(-1) would have; None: view(-1) fails
    device: str = "cpu"            # "meta": a shape, dtype and strides, and no values at all


@dataclass(frozen=True)
class VariableInfo:
    name: str
    kind: str                      # "tensor", "parameter", "module", "ndarray"
    tensor: TensorInfo | None = None
    module_text: str = ""          # print(model) for modules
    parameters: tuple[tuple[str, TensorInfo], ...] = ()   # (qualified name, TensorInfo)
    array: ArrayInfo | None = None   # for kind "ndarray": the NumPy array, where it lies
    buffers: tuple[tuple[str, TensorInfo], ...] = ()   # a Module's, as named_buffers() lists them


@dataclass(frozen=True)
class TensorNode:
    tensor: int                    # TensorInfo.id
    names: tuple[str, ...] = ()    # user variable names bound to it at the end


@dataclass(frozen=True)
class ModuleCall:
    """One call of a Module that an op ran inside."""

    name: str                      # "model" (the learner's variable), then attribute paths: "0"
    type: str                      # the Module's class name, e.g. "Linear"
    call: int                      # which call this was, counted over the run
    # for a call the learner's code made itself (not one inside another Module): where the call
    # stands in their source, as OpNode.span, so its result can be named `model(images)`
    span: tuple[int, ...] = ()


# A Module call stack as recorded: names cut to MAX_MODULE_NAME characters, only the outermost
# MAX_MODULE_DEPTH calls (150 nested calls named 50,000 characters made 559 M characters of paths)
MAX_MODULE_NAME = 200
MAX_MODULE_DEPTH = 16


@dataclass(frozen=True)
class OpNode:
    id: int
    op: str                        # registry name, e.g. "mul"
    grad_fn: str | None            # "MulBackward0", or None when recorded without grad
    node_id: int | None            # id of the autograd node (shared by backward steps)
    inputs: tuple[int | None, ...]  # tensor ids (None for absent optional inputs)
    outputs: tuple[int, ...]       # tensor ids
    saved: tuple[str, ...] = ()              # names of what the node saved, e.g. ("self", "other")
    inplace: bool = False
    is_view: bool = False
    broadcast_shape: Shape | None = None
    module: tuple[ModuleCall, ...] = ()   # ModuleCall per enclosing Module call, outermost first
    line: int | None = None        # line of learner code that ran it
    # each output's version counter (t._version) just after the op: an in-place op bumps it
    versions: tuple[int, ...] = ()
    # where in the learner's source the expression that ran it stands: (line, end line, column,
    # end column) as Python's co_positions gives them, columns from 0; () when unknown
    span: tuple[int, ...] = ()


@dataclass(frozen=True)
class OpInfo:
    """The op registry's entry for one op, as the pictures need it, so they never import the
    engine: a Run carries one per op it recorded."""

    inputs: tuple[str, ...] = ()                  # its tensor inputs' names, in call order
    formulas: tuple[tuple[str, str], ...] = ()    # (input, gradient formula) as shown
    non_differentiable: tuple[str, ...] = ()      # inputs with no next_functions edge


def edge_inputs(op: OpNode, info: OpInfo | None) -> tuple:
    """The inputs of a recorded op that own a next_functions edge, in edge order (some inputs,
    like where's condition, get none)."""
    if info is None or not info.non_differentiable or not info.inputs:
        return op.inputs
    return tuple(t for name, t in zip(info.inputs, op.inputs)
                 if name not in info.non_differentiable)


@dataclass(frozen=True)
class Edge:
    src: str                       # "t3" for tensors, "o5" for ops
    dst: str
    kind: str = "data"             # "data", "view", "grad"


@dataclass(frozen=True)
class FailedOp:
    """An op that refused its operands, e.g. shapes that cannot broadcast (the learner may have
    caught the error, so it need not be the run's error)."""

    op: str                        # registry name; in-place ops end in "_", e.g. "add_"
    input_shapes: tuple[Shape | None, ...]   # shape of each tensor operand (None: absent)
    error_type: str                # "RuntimeError"
    message: str                   # PyTorch's first message line
    line: int | None = None        # line of learner code that ran it
    inputs: tuple[int | None, ...] = ()   # the operands' tensor ids (None for an absent one)
    count: int = 1                 # times it failed alike (same op, line and shapes: a loop)


# distinct failed ops a recording keeps (the rest are counted in Graph.more_failed): a loop of
# caught errors must not make a picture per failure
KEPT_FAILURES = 8


@dataclass(frozen=True)
class Graph:
    tensors: dict[int, TensorInfo]   # id -> TensorInfo (final state)
    ops: tuple[OpNode, ...]        # in execution order
    accumulate: tuple[tuple[int, int], ...] = ()         # (node_id, leaf tensor id) for AccumulateGrad nodes
    truncated: bool = False        # recording stopped at the node budget
    failed: tuple[FailedOp, ...] = ()   # the first KEPT_FAILURES distinct ops that raised
    more_failed: int = 0           # ops that raised after those, unlike any of them
    # (id before, id after) per in-place write, in order: the recorder gives a tensor written
    # in place a new id (its next version in the graph), and this says it is the same tensor
    versions: tuple[tuple[int, int], ...] = ()
    # a picture's graph scoped to part of the run: the run's whole op list, which names what it
    # draws (never sent: the wire refuses it)
    context: tuple[OpNode, ...] = ()


@dataclass(frozen=True)
class ForwardStep:
    op: int                        # OpNode.id
    input_shapes: tuple[Shape | None, ...]
    output_shapes: tuple[Shape, ...]
    broadcast_shape: Shape | None
    view_of: int | None


@dataclass(frozen=True)
class BackwardEdge:
    to_node: int | None            # node id the gradient flows to (None: no edge)
    to_tensor: int | None          # the input tensor this gradient belongs to
    grad: Values | None
    summed_from: Shape | None = None   # shape before summing back over broadcast dims
    unsummed: Values | None = None     # the gradient before that sum


@dataclass(frozen=True)
class BackwardStep:
    step: int
    node_id: int
    name: str                      # grad_fn name, or "AccumulateGrad"
    grad_in: tuple[Values | None, ...]   # arriving (one per forward output)
    grad_out: tuple[BackwardEdge, ...]   # one per next_functions edge
    leaf: int | None = None        # for AccumulateGrad: the leaf tensor id
    freed: bool = False            # saved tensors freed after this step (no retain_graph)


@dataclass(frozen=True)
class BackwardCall:
    roots: tuple[int, ...]         # tensor ids backward started from
    retain_graph: bool
    steps: tuple[BackwardStep, ...]   # in execution order
    line: int | None = None


@dataclass(frozen=True)
class Run:
    source: str
    seed: int
    stdout: str = ""
    result: str | None = None      # repr of a trailing expression's value, like a notebook
    error: ErrorInfo | None = None
    variables: tuple[VariableInfo, ...] = ()   # in order of definition
    graph: Graph = field(default_factory=lambda: Graph({}, ()))
    forward: tuple[ForwardStep, ...] = ()   # in execution order
    backward: tuple[BackwardCall, ...] = ()   # one per backward()/autograd.grad() call
    timings: dict[str, float] = field(default_factory=dict, compare=False)
    output_truncated: bool = False
    wire_bytes: int = field(default=0, compare=False)   # size of the encoded Run it came as
    ops_info: dict[str, OpInfo] = field(default_factory=dict)   # per op name in the graph
    # bytes the whole record would have taken when it was too large to send (0: sent whole);
    # values were then cut to a few per tensor, and beyond that the graph to its first ops
    trimmed_from: int = 0
    # the warnings the code raised, as PyTorch prints them to stderr ("line 4: UserWarning: ...")
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def failed_ops(self) -> tuple:
        """FailedOp per op that raised, caught or not, in order."""
        return self.graph.failed


@dataclass(frozen=True)
class ArrayInfo:
    """A learner's NumPy array, placed in the storage of a tensor it shares memory with
    (`torch.from_numpy(a)`, `t.numpy()`), so the memory picture can draw it beside the tensor."""

    shape: Shape
    dtype: str                     # NumPy's name, e.g. "float32"
    stride: Strides               # in elements (NumPy's byte strides / itemsize)
    storage_id: int | None = None  # the tensor storage its memory lies in (None: its own)
    storage_offset: int = 0        # in elements, from the start of that storage


def fast_constructor(cls):
    """A fast constructor for one of the Run's frozen dataclasses, keyword arguments only.

    A frozen dataclass's __init__ sets each field through object.__setattr__; on a graph of
    thousands of nodes that was a third of the recorder's time. This fills the instance's
    __dict__ directly, with the same fields and defaults, so the result is equal to cls(...)."""
    if any(f.default_factory is not MISSING for f in fields(cls)):
        raise TypeError(f"{cls.__name__}: a default_factory would be skipped")
    defaults = {f.name: f.default for f in fields(cls) if f.default is not MISSING}

    def build(**values):
        obj = object.__new__(cls)
        obj.__dict__.update(defaults, **values)
        return obj
    return build
