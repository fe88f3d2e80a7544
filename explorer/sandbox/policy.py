"""What learner code may do, checked twice: when it is compiled and while it runs.

Compilation uses RestrictedPython (Zope's maintained restricted compiler) rather than our own
AST rules: it refuses names and attributes starting with "_", frame/code attributes, exec and
friends, and routes every attribute read, attribute write, item access, iteration and in-place
name update through guard functions, which are defined here. Our policy widens it only where
PyTorch code needs it: defining the dunder methods a Dataset or Module uses, calling
super().__init__(), `x[i] += 1`, and reading `t._version` / `grad_fn._saved_*` as lessons do.
"""
from __future__ import annotations

import ast
import functools
import operator
import re
import sys
import types

from RestrictedPython.transformer import INSPECT_ATTRIBUTES, RestrictingNodeTransformer

__all__ = ["compile_learner_code", "SandboxError", "guarded_getattr", "guarded_write",
           "inplace_op", "DEFINABLE_DUNDERS"]

# Methods a learner may define in a class: they only ever run as the learner's own code.
DEFINABLE_DUNDERS = frozenset({
    "__init__", "__call__", "__len__", "__getitem__", "__setitem__", "__iter__", "__next__",
    "__repr__", "__str__", "__contains__", "__eq__", "__ne__", "__lt__", "__le__", "__gt__",
    "__ge__", "__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__", "__neg__",
    "__truediv__", "__matmul__", "__enter__", "__exit__", "__bool__", "__hash__",
})
# Underscore attributes PyTorch lessons read; each is checked again at run time.
READABLE_PRIVATE = re.compile(r"^(__init__|_version|_saved_[a-z0-9_]+|__name__)$")
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
_FORBIDDEN_TYPES = (types.FrameType, types.CodeType, types.TracebackType)
_FORBIDDEN_ATTRS = frozenset(INSPECT_ATTRIBUTES) | {
    "ctypes", "cffi", "tofile", "dump", "dumps", "mro",
    # real PyTorch (compare mode): storages mapped from files, shared memory, the compiler
    "from_file", "share_memory_", "compile"}


def guarded_getattr(obj, name: str, *default):
    """Attribute reads from learner code: public attributes, never modules or frames."""
    if isinstance(obj, _FORBIDDEN_TYPES) or name in _FORBIDDEN_ATTRS:
        raise SandboxError(f"'{name}' is not available in Autograd Explorer's sandbox")
    if name.startswith("_"):
        return _private(obj, name)
    if isinstance(obj, str) and name in ("format", "format_map"):
        from .namespace import safe_format
        return functools.partial(safe_format, obj) if name == "format" else \
            (lambda mapping: safe_format(obj, **mapping))
    value = getattr(obj, name, *default)
    if isinstance(value, (types.ModuleType, *_FORBIDDEN_TYPES)):
        raise SandboxError(f"'{name}' leads outside what the sandbox provides")
    return value


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
        return getattr(obj, name)
    if name == "__init__" and isinstance(obj, super):
        return obj.__init__
    if name == "__name__" and isinstance(obj, (type, types.FunctionType)):
        return obj.__name__
    raise SandboxError(f"'{name}' is a private attribute and is not available here")


def guarded_write(obj):
    """Attribute writes (`obj.a = v`): allowed on learner objects, never on library code."""
    from .namespace import Proxy
    if isinstance(obj, (types.ModuleType, Proxy, type, types.FunctionType,
                        types.BuiltinFunctionType, types.MethodType)):
        raise SandboxError(f"changing attributes of {type(obj).__name__} objects is not allowed "
                          "here")
    return obj
