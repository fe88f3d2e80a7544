"""What learner code may do, checked twice: when it is compiled and while it runs.

Compilation uses RestrictedPython (Zope's maintained restricted compiler) rather than our own
AST rules: it refuses names and attributes starting with "_", frame/code attributes, exec and
friends, and routes every attribute read, attribute write, item access, iteration and in-place
name update through guard functions, which are defined here. Our policy widens it only where
PyTorch code needs it: defining the dunder methods a Dataset or Module uses, calling
super().__init__(), `x[i] += 1`, reading `t._version` / `grad_fn._saved_*` as lessons do,
`torch.__version__` (of the torch module only) as tutorials do, and the harmless dunders
learners type (`x.__class__`, the same as type(x); `x.__len__()`; `f.__doc__`).

Names are not enough (NumPy's Cython functions hand out `func_globals`, str.format reads
attributes by string), so the read guard also judges what it returns: never a module, a
module's globals, the engine's op table or the bytes of an object array, whatever path led
there. Classes whose constructors build unsafe objects (type, numpy.ndarray, memoryview) reach
learner code only as stand-ins with a checked constructor.
"""
from __future__ import annotations

import _string
import ast
import builtins
import functools
import operator
import re
import string
import sys
import types

import numpy as np

from RestrictedPython.transformer import INSPECT_ATTRIBUTES, RestrictingNodeTransformer

__all__ = ["compile_learner_code", "SandboxError", "guarded_getattr", "guarded_write",
           "inplace_op", "DEFINABLE_DUNDERS", "safe_format", "shown_class"]

# Methods a learner may define in a class: they only ever run as the learner's own code.
DEFINABLE_DUNDERS = frozenset({
    "__init__", "__call__", "__len__", "__getitem__", "__setitem__", "__iter__", "__next__",
    "__repr__", "__str__", "__contains__", "__eq__", "__ne__", "__lt__", "__le__", "__gt__",
    "__ge__", "__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__", "__neg__",
    "__truediv__", "__matmul__", "__enter__", "__exit__", "__bool__", "__hash__",
})
# Underscore attributes PyTorch lessons read; each is checked again at run time.
READABLE_PRIVATE = re.compile(
    r"^(__init__|_version|_saved_[a-z0-9_]+|__name__|__version__|__class__|__len__|__doc__)$")
READABLE_NAMES = frozenset({"__name__"})


class SandboxError(Exception):
    """Learner code tried something the sandbox does not allow (a plain-language message)."""


SandboxError.__module__ = "builtins"   # shown to learners as plain "SandboxError"


class _Policy(RestrictingNodeTransformer):
    def check_name(self, node, name, allow_magic_methods=False):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and \
                name in DEFINABLE_DUNDERS and node.col_offset != 0:
            return
        if isinstance(node, ast.Name) and name in READABLE_NAMES and \
                isinstance(node.ctx, ast.Load):
            return
        super().check_name(node, name, allow_magic_methods)

    def visit_Attribute(self, node: ast.Attribute):
        if READABLE_PRIVATE.match(node.attr) and isinstance(node.ctx, ast.Load) and \
                node.attr not in INSPECT_ATTRIBUTES:
            node = self.node_contents_visit(node)
            call = ast.Call(func=ast.Name("_getattr_", ast.Load()),
                            args=[node.value, ast.Constant(node.attr)], keywords=[])
            return ast.copy_location(call, node)
        return super().visit_Attribute(node)

    def visit_AugAssign(self, node: ast.AugAssign):
        """`x[i] += v` and `obj.a += v`: read, apply the in-place operator, write back, as
        Python does (the target's parts are evaluated once each time they are named)."""
        if isinstance(node.target, ast.Name):
            return super().visit_AugAssign(node)
        load = self.visit(_as_load(node.target))
        target = self.visit(node.target)
        value = ast.Call(func=ast.Name("_inplacevar_", ast.Load()),
                         args=[ast.Constant(_IOPS[type(node.op)]), load, self.visit(node.value)],
                         keywords=[])
        assign = ast.Assign(targets=[target], value=value)
        ast.copy_location(assign, node)
        return ast.fix_missing_locations(assign)


def _as_load(target: ast.expr) -> ast.expr:
    clone = ast.parse(ast.unparse(target), mode="eval").body
    return ast.copy_location(clone, target)


_IOPS = {ast.Add: "+=", ast.Sub: "-=", ast.Mult: "*=", ast.Div: "/=", ast.FloorDiv: "//=",
         ast.Mod: "%=", ast.Pow: "**=", ast.MatMult: "@=", ast.BitAnd: "&=", ast.BitOr: "|=",
         ast.BitXor: "^=", ast.LShift: "<<=", ast.RShift: ">>="}
_INPLACE = {"+=": operator.iadd, "-=": operator.isub, "*=": operator.imul,
            "/=": operator.itruediv, "//=": operator.ifloordiv, "%=": operator.imod,
            "**=": operator.ipow, "@=": operator.imatmul, "&=": operator.iand,
            "|=": operator.ior, "^=": operator.ixor, "<<=": operator.ilshift,
            ">>=": operator.irshift}


def inplace_op(op: str, target, value):
    """The runtime half of augmented assignment (RestrictedPython's `_inplacevar_`)."""
    return _INPLACE[op](target, value)


class CompileFailure(Exception):
    """The code cannot run: a syntax error or a refused construct, with its line."""

    def __init__(self, message: str, line: int | None, column: int | None, kind: str) -> None:
        super().__init__(message)
        self.line, self.column, self.kind = line, column, kind


def compile_learner_code(source: str, filename: str):
    """(code of all statements, code of a trailing expression or None)."""
    try:
        tree = ast.parse(source, filename)
    except SyntaxError as exc:
        raise CompileFailure(f"{exc.msg}", exc.lineno, exc.offset, "syntax") from None
    trailing = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        trailing = ast.Expression(tree.body.pop().value)
    body = _compile(tree, filename, "exec")
    expr = _compile(trailing, filename, "eval") if trailing else None
    return body, expr


def _compile(tree: ast.AST, filename: str, mode: str):
    # Compile the parsed tree itself so line numbers stay those of the learner's source.
    policy_errors: list[str] = []
    transformer = _Policy(policy_errors, [], {})
    transformed = transformer.visit(tree)
    if policy_errors:
        message = policy_errors[0]
        match = re.match(r"Line (\d+): (.*)", message)
        line = int(match.group(1)) if match else None
        raise CompileFailure(match.group(2) if match else message, line, None, "security")
    ast.fix_missing_locations(transformed)
    return compile(transformed, filename, mode)


# ---- run-time guards -------------------------------------------------------------------------
_FORBIDDEN_TYPES = (types.FrameType, types.CodeType, types.TracebackType, types.CellType)
# Names that lead to globals, code, closures or frames without an underscore: Cython functions
# (NumPy's `np.random.seed.func_globals`, also through bound methods), Python 2 method names,
# cells, and the generator, coroutine, frame and traceback attributes RestrictedPython lists.
_INTROSPECTION_ATTRS = frozenset(INSPECT_ATTRIBUTES) | {
    "func_globals", "func_code", "func_closure", "func_defaults", "func_kwdefaults",
    "func_dict", "im_func", "im_self", "im_class", "cell_contents"}
_FORBIDDEN_ATTRS = _INTROSPECTION_ATTRS | {
    # a bit generator's capsule holds a raw pointer to its state: np.random.Generator(obj)
    # copies it from any object that has one and keeps only obj alive (use after free)
    "ctypes", "cffi", "capsule", "tofile", "dump", "dumps", "mro", "getbuffer",
    # real PyTorch (compare mode): storages mapped from files, shared memory, the compiler
    "from_file", "share_memory_", "compile"}
_BUILTINS_DICT = vars(builtins)
NO_RESIZE = ("ndarray.resize is not available in Autograd Explorer's sandbox: it frees memory "
             "that views of the array may still use; np.resize returns a resized copy")
# What learner code may read from a NumPy array or scalar, and from the ndarray class: an
# allowlist, so a NumPy upgrade's new method is out of reach until someone has looked at it.
# Left out: raw memory and files (data, ctypes, tofile, dump, dumps), field access by dtype
# (getfield, setfield), flag and size changes (setflags, resize), devices (to_device).
NUMPY_API = frozenset({
    "T", "all", "any", "argmax", "argmin", "argpartition", "argsort", "astype", "base",
    "byteswap", "choose", "clip", "compress", "conj", "conjugate", "copy", "cumprod", "cumsum",
    "device", "diagonal", "dot", "dtype", "fill", "flags", "flat", "flatten", "imag", "item",
    "itemsize", "mT", "max", "mean", "min", "nbytes", "ndim", "nonzero", "partition", "prod",
    "put", "ravel", "real", "repeat", "reshape", "round", "searchsorted", "shape", "size", "sort",
    "squeeze", "std", "strides", "sum", "swapaxes", "take", "tobytes", "tolist", "trace",
    "transpose", "var", "view", "as_integer_ratio", "is_integer"})


def guarded_getattr(obj, name: str, *default):
    """Attribute reads from learner code: public attributes, never modules, frames, a module's
    globals, the engine's op table or raw memory of Python objects, whatever the path."""
    if isinstance(obj, _FORBIDDEN_TYPES) or name in _FORBIDDEN_ATTRS or _raw_objects(obj):
        raise SandboxError(f"'{name}' is not available in Autograd Explorer's sandbox")
    if name.startswith("_"):
        return _private(obj, name)
    if name in _RAW_WRITERS:
        raise SandboxError(f"'{name}' is not available in Autograd Explorer's sandbox: it writes "
                           "raw bytes into any buffer, a NumPy array of objects (pointers) "
                           "included; use read()")
    if name in _ACCESSORS and _library_descriptor(obj):
        raise SandboxError(f"'{name}' of a library property is not available in Autograd "
                           "Explorer's sandbox: it reaches the raw method, past its checks")
    owner = (obj.__self__ if obj.__self__ is not None else obj.__self_class__) \
        if isinstance(obj, super) else obj     # super(np.number, x).setfield is x's
    if name not in NUMPY_API and (isinstance(owner, (np.ndarray, np.generic)) or (
            isinstance(owner, type) and issubclass(owner, (np.ndarray, np.generic)))):
        raise SandboxError(NO_RESIZE if name == "resize" else
                           f"'{name}' of a NumPy array is not available in Autograd Explorer's "
                           "sandbox")
    if not _offered_on_tensors(owner, name):
        raise AttributeError(f"'Tensor' object has no attribute '{name}'")
    if name == "resize_" and _is_storage(owner):
        raise SandboxError("resizing a storage is not available in Autograd Explorer's "
                           "sandbox: the tensors over it would reach past its new end")
    value = getattr(obj, name, *default)
    if isinstance(value, _refused_values()) or _raw_objects(value) or (
            type(value) is dict and ("__builtins__" in value or value is _BUILTINS_DICT)):
        raise SandboxError(f"'{name}' leads outside what the sandbox provides")
    if value is np.ndarray.resize or _resizes(value):
        raise SandboxError(NO_RESIZE)
    if _sets_rng_state(value):
        return _checked_set_state(value)
    if value is np.random.RandomState.set_state:     # unbound: the state's owner comes first
        return lambda owner, state, *args, **kwargs: _checked_set_state(
            owner.set_state)(state, *args, **kwargs)
    if isinstance(value, (types.MethodDescriptorType, types.BuiltinMethodType)):
        return _safe_method(value)
    if isinstance(value, types.FunctionType) and isinstance(obj, type) and \
            _library_classes(obj):
        owner = _defining_class(obj, name)
        if owner is not None and _is_library(owner) and \
                isinstance(vars(owner)[name], types.FunctionType):
            return _instance_method(value, owner)
    return value


_RAW_WRITERS = frozenset({"readinto", "readinto1"})      # io's buffer fillers
_ACCESSORS = frozenset({"fget", "fset", "fdel", "getter", "setter", "deleter", "func"})


def _library_descriptor(obj) -> bool:
    """A property of the engine's (or torch's) classes: its fget and fset are the raw
    functions (torch.Tensor.grad_fn.fset(t, x) put any object into a tensor's graph)."""
    if isinstance(obj, functools.cached_property):
        function = obj.func
    elif isinstance(obj, property):
        function = obj.fget or obj.fset or obj.fdel
    else:
        return False
    return _is_library(function)


def _defining_class(cls: type, name: str):
    """The class in `cls`'s MRO whose body defines `name` (an inherited method's owner:
    torch.nn.Parameter.view is Tensor's, torch.optim.SGD.step is Optimizer's)."""
    return next((c for c in cls.__mro__ if name in vars(c)), None)


def _instance_method(function, cls: type):
    """A library class's method read off the class (`torch.Tensor.view`), called with what it
    was written for: torch.Tensor.view(a_module, 4) had the engine read a Module's children
    as a tensor's private fields."""
    @functools.wraps(function)
    def checked(self, *args, **kwargs):
        if not isinstance(self, cls):
            owner = "torch._C.TensorBase" if cls.__name__ == "Tensor" else cls.__name__
            raise TypeError(f"descriptor '{function.__name__}' for '{owner}' objects "
                            f"doesn't apply to a '{type(self).__name__}' object")
        return function(self, *args, **kwargs)
    return checked


@functools.cache
def _refused_values() -> tuple:
    """Modules, frames and code, and the engine's OpDef: its `forward` is the raw NumPy kernel,
    past every argument check (a diagonal over one dim twice reads outside its array)."""
    from engine.ops.registry import OpDef
    return (types.ModuleType, OpDef, *_FORBIDDEN_TYPES)


def _resizes(value) -> bool:
    """A bound ndarray.resize: with refcheck=False it frees memory that views of the array
    still read and write."""
    return getattr(value, "__name__", None) == "resize" and \
        isinstance(getattr(value, "__self__", None), np.ndarray)


def _sets_rng_state(value) -> bool:
    """RandomState.set_state (also np.random.set_state): NumPy takes any position in the
    Mersenne Twister's state, and later draws then read memory past it."""
    return getattr(value, "__name__", None) == "set_state" and \
        isinstance(getattr(value, "__self__", None), np.random.RandomState)


def _checked_set_state(method):
    def set_state(state, *args, **kwargs):
        if isinstance(state, tuple) and len(state) >= 3:
            position = int(state[2])
            if not 0 <= position <= 624:
                raise ValueError(f"set_state: position {position} is outside the state "
                                 "(0 to 624)")
            state = (state[0], np.array(state[1], dtype=np.uint32), position, *state[3:])
        elif isinstance(state, dict):
            raise SandboxError("set_state with a dict is not available in Autograd Explorer's "
                               "sandbox; pass the tuple get_state() returns")
        return method(state, *args, **kwargs)
    return set_state


def _raw_objects(value) -> bool:
    """Any memoryview (ndarray.data, BytesIO.getbuffer()): the bytes of an array that holds
    objects are pointers, so writing them makes objects out of integers (id() and data_ptr()
    give addresses), and a view of some of its fields hides them from the view's format."""
    return type(value) is memoryview


# ---- str.format: the format mini-language reads attributes ("{0.__class__}") ------------------
class _SafeFormatter(string.Formatter):
    """str.format whose "{0.attr}" fields read attributes through guarded_getattr."""

    def get_field(self, field_name, args, kwargs):
        first, rest = _string.formatter_field_name_split(field_name)
        obj = self.get_value(first, args, kwargs)
        for is_attr, key in rest:
            obj = guarded_getattr(obj, key) if is_attr else obj[key]
        return obj, first


class _MappingFormatter(_SafeFormatter):
    """str.format_map: fields name keys of one mapping, never positions."""

    def get_value(self, key, args, kwargs):
        if isinstance(key, int):
            raise ValueError("Format string contains positional fields")
        return kwargs[key]


def safe_format(template: str, *args, **kwargs) -> str:
    """`template.format(*args, **kwargs)`, with guarded attribute fields."""
    return _SafeFormatter().vformat(template, args, kwargs)


class _FormatMethod:
    """What learner code gets for str.format / str.format_map, bound or not (`str.format(t, x)`,
    `type('').format_map`, `super().format`), so every route runs through _SafeFormatter."""

    __slots__ = ("_template", "_mapping")

    def __init__(self, template, mapping: bool) -> None:
        self._template, self._mapping = template, mapping

    def __call__(self, *args, **kwargs) -> str:
        name = "format_map" if self._mapping else "format"
        if self._template is None:   # unbound: the template is the first argument
            if not args or not isinstance(args[0], str):
                got = type(args[0]).__name__ if args else "nothing"
                raise TypeError(f"descriptor '{name}' for 'str' objects doesn't apply to a "
                                f"'{got}' object")
            return _FormatMethod(args[0], self._mapping)(*args[1:], **kwargs)
        if not self._mapping:
            return safe_format(self._template, *args, **kwargs)
        if len(args) != 1 or kwargs:
            raise TypeError(f"format_map() takes exactly one argument ({len(args)} given)")
        return _MappingFormatter().vformat(self._template, (), args[0])

    def __repr__(self) -> str:
        name = "format_map" if self._mapping else "format"
        if self._template is None:
            return f"<method '{name}' of 'str' objects>"
        return f"<built-in method {name} of str object at {id(self._template):#x}>"


def _safe_method(method):
    """str.format and str.format_map, bound or not, as _FormatMethod; any other method as is."""
    if method is str.format or method is str.format_map:
        return _FormatMethod(None, method is str.format_map)
    owner = getattr(method, "__self__", None)
    if isinstance(owner, str) and getattr(method, "__name__", None) in ("format", "format_map"):
        return _FormatMethod(owner, method.__name__ == "format_map")
    return method


def _autograd_types() -> tuple[tuple, tuple]:
    """The tensor and graph-node classes lessons read `_version` and `_saved_*` from: the
    engine's, and real PyTorch's when compare mode has imported it."""
    import engine
    from engine.autograd.graph import Node
    from engine.tensor import Tensor
    torch = sys.modules.get("torch")
    if torch is None or torch is engine:
        return (Tensor,), (Node,)
    return (Tensor, torch.Tensor), (Node, torch.autograd.graph.Node)


def _private(obj, name: str):
    tensors, nodes = _autograd_types()
    if name == "_version" and isinstance(obj, tensors):
        return int(obj._version)
    if name.startswith("_saved_") and isinstance(obj, nodes):
        saved = getattr(obj, "saved_names", None)   # the engine's nodes; torch's have none
        if saved is None or name[len("_saved_"):] in saved():   # not ctx._saved_list
            return getattr(obj, name)
    if name == "__version__" and _is_torch_module(obj):
        return getattr(obj, name)
    if name == "__init__" and isinstance(obj, super):
        return obj.__init__
    if name == "__class__" and not _is_module(obj):   # a module's is the sandbox's machinery
        return learner_type(obj)
    if name == "__len__":
        if hasattr(type(obj), "__len__"):
            return functools.partial(len, obj)
        raise AttributeError(f"'{type(obj).__name__}' object has no attribute '__len__'")
    if name == "__doc__":
        doc = getattr(obj, "__doc__", None)
        return doc if isinstance(doc, str) else None
    if name == "__name__" and isinstance(obj, (type, types.FunctionType)):
        return obj.__name__
    if name == "__name__" and isinstance(obj, ClassStandIn):
        return object.__getattribute__(obj, "_cls").__name__
    raise SandboxError(f"'{name}' is a private attribute and is not available here")


# What real PyTorch may answer beyond the engine's tensor, so compare mode can show it: the
# engine refuses bfloat16 (NumPy has none), PyTorch converts.
_TORCH_ONLY = frozenset({"bfloat16"})


def _offered_on_tensors(obj, name: str) -> bool:
    """Compare mode runs real PyTorch behind the engine's surface: a real tensor (or the
    Tensor class) answers only the names an engine tensor has. Its sparse tensors trust
    indices a learner can rewrite in place: a write anywhere in memory."""
    torch = sys.modules.get("torch")
    if torch is None or getattr(torch, "__name__", "") != "torch" or \
            not hasattr(torch, "Tensor"):
        return True
    real = isinstance(obj, torch.Tensor) or (isinstance(obj, type) and
                                             issubclass(obj, torch.Tensor))
    if not real:
        return True
    from engine.tensor import Tensor
    return hasattr(Tensor, name) or name in _TORCH_ONLY


def _is_storage(obj) -> bool:
    """A storage (the engine's, or real PyTorch's in compare mode): PyTorch lets
    storage.resize_ shrink the memory under tensors that still span all of it."""
    return any(c.__name__ in ("UntypedStorage", "TypedStorage", "_StorageBase")
               and _is_library(c)
               for c in (obj.__mro__ if isinstance(obj, type) else type(obj).__mro__))


def _is_module(obj) -> bool:
    """A module, a module's stand-in, or one of torch.backends' flag sets (modules in torch)."""
    from engine.backends import Backend

    from .namespace import Proxy
    return isinstance(obj, (Proxy, types.ModuleType, Backend))


def _is_torch_module(obj) -> bool:
    """The `torch` learner code imports: the Proxy in front of the engine (or of real PyTorch
    in compare mode). Only its __version__ is readable: a str (torch's TorchVersion)."""
    from .namespace import Proxy
    return isinstance(obj, Proxy) and object.__getattribute__(obj, "_name") == "torch"


# ---- classes whose constructors are unsafe: type, numpy.ndarray, memoryview --------------------
class ClassStandIn:
    """Learner code's view of a class it may use but not call freely: `type` (three arguments
    build a class with any dunder), numpy.ndarray (buffer= turns raw bytes into objects),
    memoryview (of an object array: writable pointers). It prints, compares, answers isinstance
    and issubclass, and reads public attributes like the class; calling it goes through a
    checked constructor, and it cannot be subclassed."""

    __slots__ = ("_cls", "_construct")

    def __init__(self, cls: type, construct) -> None:
        object.__setattr__(self, "_cls", cls)
        object.__setattr__(self, "_construct", construct)

    def __call__(self, *args, **kwargs):
        return object.__getattribute__(self, "_construct")(*args, **kwargs)

    def __instancecheck__(self, obj) -> bool:
        return isinstance(obj, object.__getattribute__(self, "_cls"))

    def __subclasscheck__(self, sub) -> bool:
        return issubclass(_real_class(sub), object.__getattribute__(self, "_cls"))

    def __getattr__(self, name: str):
        if name.startswith("_"):   # NumPy and Python probe dunders: absent, not refused
            raise AttributeError(name)
        return guarded_getattr(object.__getattribute__(self, "_cls"), name)

    def __setattr__(self, name: str, value) -> None:
        raise SandboxError("the provided classes cannot be changed")

    def __mro_entries__(self, bases):
        cls = object.__getattribute__(self, "_cls")
        raise SandboxError(f"subclassing {cls.__name__} is not available in Autograd Explorer's "
                           "sandbox")

    def __eq__(self, other) -> bool:
        return _real_class(other) is object.__getattribute__(self, "_cls")

    def __hash__(self) -> int:
        return hash(object.__getattribute__(self, "_cls"))

    def __repr__(self) -> str:
        cls = object.__getattribute__(self, "_cls")
        return SHOWN_AS.get(cls) or repr(cls)


# How learner code sees a sandbox class's name: type(torch) is the Proxy standing in for a
# module, and prints as one (filled in by namespace.py)
SHOWN_AS: dict[type, str] = {}


def _real_class(value):
    return object.__getattribute__(value, "_cls") if isinstance(value, ClassStandIn) else value


def learner_type(*args):
    """`type` for learner code: one argument only, and a stand-in for a metaclass, an ndarray
    class or memoryview, so `type(type(1))` or `type(np.ones(1))` is not the real constructor."""
    if len(args) != 1:
        raise SandboxError("type() can only be used to ask for an object's type here")
    return shown_class(type(_real_class(args[0])))


_STAND_INS: dict = {}


def shown_class(cls: type):
    """The class itself, or its stand-in when calling it could build unsafe objects."""
    if cls in _STAND_INS:
        return _STAND_INS[cls]
    if issubclass(cls, type):
        construct = learner_type
    elif cls is np.ndarray:
        construct = _checked_ndarray
    elif issubclass(cls, np.ndarray) or cls is memoryview or _is_machinery(cls):
        construct = _refuse_construct(cls)
    else:
        return cls
    return _STAND_INS.setdefault(cls, ClassStandIn(cls, construct))


def _is_machinery(cls: type) -> bool:
    """One of the sandbox's own classes (its errors aside): type(torch) is the Proxy in front
    of a module, and Proxy('x', {'__array_interface__': ...}) was an object NumPy read as an
    array at any address."""
    return cls.__module__.split(".")[0] == "explorer" and not issubclass(cls, BaseException)


def _checked_ndarray(shape, dtype=float, buffer=None, offset=0, strides=None, order=None):
    """numpy.ndarray(...), refusing an array of objects over a buffer and a buffer of objects
    (either reads pointers as data or data as pointers), any array reaching past its buffer
    (NumPy does not check strides over an empty buffer), and buffers that can move (a
    BytesIO's getbuffer() can be released and the memory freed under the array). Every
    argument is converted once, and NumPy gets exactly what was checked: a learner's list or
    dict subclass could answer differently the second time."""
    shape = _ints(shape)
    dtype = np.dtype(dtype if not isinstance(dtype, dict) else dict(dtype))
    offset = operator.index(offset)
    if strides is not None:
        strides = _ints(strides)
    if buffer is not None and type(buffer) not in (np.ndarray, bytes):
        raise SandboxError("numpy.ndarray(..., buffer=...) takes a NumPy array or bytes in "
                           "Autograd Explorer's sandbox")
    if buffer is not None and (dtype.hasobject or _holds_objects(buffer)):
        raise SandboxError("numpy.ndarray(..., buffer=...) with Python objects (dtype=object) "
                           "is not available in Autograd Explorer's sandbox: it would turn raw "
                           "bytes into objects")
    if buffer is not None and strides is not None:
        _check_extent(shape, np.dtype(dtype).itemsize, buffer, offset, strides)
    return np.ndarray(shape, dtype, buffer, offset, strides, order)


def _ints(value) -> tuple[int, ...]:
    """A shape or strides as a tuple of ints, read once."""
    if isinstance(value, int):
        return (operator.index(value),)
    return tuple(operator.index(n) for n in tuple(value))


def _check_extent(shape: tuple, itemsize: int, buffer, offset: int, strides: tuple) -> None:
    """The array fits its buffer (shape and strides already converted by _checked_ndarray)."""
    if len(shape) != len(strides) or any(n == 0 for n in shape):
        return                     # NumPy's own checks answer these
    with memoryview(buffer) as view:
        size = view.nbytes
    reach = [(n - 1) * s for n, s in zip(shape, strides)]
    low = offset + sum(r for r in reach if r < 0)
    high = offset + sum(r for r in reach if r > 0) + itemsize
    if low < 0 or high > size:
        raise ValueError("strides is incompatible with shape of requested array and size of "
                         "buffer")


def _holds_objects(buffer) -> bool:
    if isinstance(buffer, np.ndarray):
        return buffer.dtype.hasobject
    try:
        with memoryview(buffer) as view:
            return "O" in view.format
    except TypeError:
        return False


def _refuse_construct(cls: type):
    def refused(*args, **kwargs):
        raise SandboxError(f"creating {cls.__name__} objects this way is not available in "
                           "Autograd Explorer's sandbox")
    return refused


def guarded_write(obj):
    """Attribute writes (`obj.a = v`): free on the learner's own objects and on the library
    objects PyTorch code configures (a Module, an optimizer, a data loader, a backward's ctx);
    on a tensor only .grad, .requires_grad and .data; nothing else of the library's. A storage's
    array, a dtype's itemsize or a node's edges, rewritten, would steer the engine's memory."""
    from .namespace import Proxy
    if isinstance(obj, (types.ModuleType, Proxy, type, types.FunctionType,
                        types.BuiltinFunctionType, types.MethodType)):
        raise SandboxError(f"changing attributes of {type(obj).__name__} objects is not allowed "
                          "here")
    library = _library_classes(type(obj))
    if not library or library & _CONFIGURED:
        return obj
    return _CheckedWrites(obj, library)


# Library classes whose objects learner code sets attributes on, as PyTorch code does.
_CONFIGURED = frozenset({"Module", "Optimizer", "LRScheduler", "Dataset", "DataLoader",
                         "Sampler", "Backend", "_Matmul", "cuBLASModule"})   # backends' flags
_TENSORS = frozenset({"Tensor", "TensorBase"})
_TENSOR_WRITABLE = frozenset({"grad", "requires_grad", "data"})
_CTX = frozenset({"FunctionCtx"})    # a custom Function's ctx: ctx.scale = 2 is how it is used


def _is_library(cls) -> bool:
    """One of the engine's classes or functions (printed as torch's), or real PyTorch's in
    compare mode."""
    return str(getattr(cls, "__module__", "")).split(".")[0] in ("engine", "torch")


@functools.cache
def _library_classes(cls: type) -> frozenset:
    """The names of the engine's (or torch's) classes in `cls`'s ancestry; empty for a class
    of the learner's own, or one from NumPy or Python (which check their own writes)."""
    return frozenset(c.__name__ for c in cls.__mro__
                     if _is_library(c))


@functools.cache
def _engine_set(cls: type) -> frozenset:
    """The public attributes a library class's constructor sets on each instance (a ctx's
    next_functions and needs_input_grad), which a learner's write must not replace."""
    try:
        return frozenset(n for n in vars(cls()) if not n.startswith("_"))
    except Exception:  # noqa: BLE001 - no plain constructor: only class attributes count
        return frozenset()


@functools.cache
def _library_base(cls: type) -> type:
    """The first of the engine's (or torch's) classes in `cls`'s ancestry."""
    return next(c for c in cls.__mro__ if _is_library(c))


class _CheckedWrites:
    """What `obj.name = value` writes through for a library object: only the names its kind
    allows (and, on the learner's subclass of it, names of their own)."""

    __slots__ = ("_obj", "_library")

    def __init__(self, obj, library: frozenset) -> None:
        object.__setattr__(self, "_obj", obj)
        object.__setattr__(self, "_library", library)

    def _check(self, name: str) -> None:
        obj, library = object.__getattribute__(self, "_obj"), object.__getattribute__(
            self, "_library")
        if library & _TENSORS and name in _TENSOR_WRITABLE:
            return
        base = _library_base(type(obj))
        own = type(obj) is not base or library & _CTX      # the learner's subclass, or a ctx
        if own and not hasattr(base, name) and name not in _engine_set(base):
            return
        if library & _TENSORS:
            raise AttributeError(f"attribute '{name}' of 'torch._C.TensorBase' objects is not "
                                 "writable")
        raise SandboxError(f"'{name}' of a {type(obj).__name__} cannot be changed in Autograd "
                           "Explorer's sandbox")

    def __setattr__(self, name: str, value) -> None:
        object.__getattribute__(self, "_check")(name)
        setattr(object.__getattribute__(self, "_obj"), name, value)

    def __delattr__(self, name: str) -> None:
        object.__getattribute__(self, "_check")(name)
        delattr(object.__getattribute__(self, "_obj"), name)

    def __setitem__(self, key, value) -> None:     # `x[i] = v` comes through _write_ too
        object.__getattribute__(self, "_obj")[key] = value

    def __delitem__(self, key) -> None:
        del object.__getattribute__(self, "_obj")[key]
