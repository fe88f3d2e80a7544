"""nn.Module: registers Parameters, buffers and sub-Modules from attribute assignment, and gives
them back by name (parameters(), state_dict(), ...). print(model) matches PyTorch's text."""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, Callable, Iterator

from .. import observe
from ..autograd.grad_mode import no_grad
from ..device import check_cpu, is_meta
from ..device import device as device_cls
from ..dtypes import dtype as dtype_cls
from ..tensor import Tensor
from .backward_hooks import BackwardHook, legacy_backward_hooks
from .parameter import Buffer, Parameter

__all__ = ["Module"]


def _addindent(text: str, spaces: int) -> str:
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    first = lines.pop(0)
    return first + "\n" + "\n".join((" " * spaces) + ln if ln.strip() else "" for ln in lines)


def _typename(value) -> str:
    if isinstance(value, Tensor):
        return "torch." + value.dtype.legacy
    module = type(value).__module__
    name = type(value).__qualname__
    return name if module in ("builtins", None) else f"{module}.{name}"


def zero_grads(params, set_to_none: bool = True) -> None:
    """Drop each gradient (set_to_none) or zero it in place; Module and Optimizer share this."""
    for p in params:
        if p.grad is None:
            continue
        if set_to_none:
            p.grad = None
        else:
            p.grad = p.grad.detach()
            p.grad.zero_()


def _plain_str(value):
    """A str subclass as the plain str it holds (anything else as it is): a caller's own
    startswith, split, rpartition, __eq__ or __hash__ must not decide which attribute a path
    reads or under which name a child is kept."""
    return str.__str__(value) if isinstance(value, str) and type(value) is not str else value


def _path_step(module: "Module", name: str):
    """One step of a dotted path (get_submodule, get_parameter, get_buffer), or PyTorch's
    "has no attribute" error. A registered child, parameter or buffer is found under any name;
    any other private name is never read, only reported as present (the caller then says it is
    not a Module / Parameter / buffer, as PyTorch does): a path is caller input and must not be
    a way to read a Module's internals by string."""
    name = _plain_str(name)
    d = module.__dict__
    for store in ("_modules", "_parameters", "_buffers"):
        registered = d.get(store)
        if registered is not None and name in registered:
            return registered[name]
    if name.startswith("_"):
        value = _PRIVATE if hasattr(module, name) else _MISSING
    else:
        value = getattr(module, name, _MISSING)
    if value is _MISSING:
        raise AttributeError(f"{module._get_name()} has no attribute `{name}`")
    return value


_PRIVATE = object()   # an attribute a dotted path may not read
_MISSING = object()


class _IncompatibleKeys(tuple):
    """load_state_dict's result: (missing_keys, unexpected_keys), printed like PyTorch's."""

    def __new__(cls, missing_keys, unexpected_keys):
        return super().__new__(cls, (missing_keys, unexpected_keys))

    @property
    def missing_keys(self) -> list:
        return self[0]

    @property
    def unexpected_keys(self) -> list:
        return self[1]

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return (f"_IncompatibleKeys(missing_keys={self.missing_keys}, "
                f"unexpected_keys={self.unexpected_keys})")

    __str__ = __repr__


class _RemovableHandle:
    def __init__(self, hooks: dict, key: int) -> None:
        self._hooks, self._key = hooks, key

    def remove(self) -> None:
        self._hooks.pop(self._key, None)


class Module:
    """Base class for layers and models: subclass it, assign layers in __init__, write forward."""

    training: bool
    _version = 1
    call_super_init = False

    def __init__(self, *args, **kwargs) -> None:
        if args or kwargs:
            raise TypeError(f"{type(self).__name__}.__init__() takes 1 positional argument but "
                            f"{len(args) + 1} were given")
        set_ = object.__setattr__
        set_(self, "training", True)
        set_(self, "_parameters", {})
        set_(self, "_buffers", {})
        set_(self, "_non_persistent_buffers_set", set())
        set_(self, "_modules", {})
        set_(self, "_forward_hooks", OrderedDict())
        set_(self, "_forward_pre_hooks", OrderedDict())
        set_(self, "_backward_hooks", OrderedDict())
        set_(self, "_is_full_backward_hook", None)
        set_(self, "_hook_id", 0)

    forward: Callable[..., Any]

    def forward(self, *input):  # noqa: F811 - documented signature, overridden by subclasses
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required '
                                  '"forward" function')

    # ---- calling ------------------------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        if not observe.observers:
            return self._call(args, kwargs)
        observe.emit(observe.ModuleEvent("enter", self))
        try:
            return self._call(args, kwargs)
        finally:
            observe.emit(observe.ModuleEvent("exit", self))

    def _call(self, args: tuple, kwargs: dict):
        if self._forward_pre_hooks:   # usually none: then no list is made
            for hook in list(self._forward_pre_hooks.values()):
                result = hook(self, args)
                if result is not None:
                    args = result if isinstance(result, tuple) else (result,)
        backward_hook = None
        if self._backward_hooks and self._is_full_backward_hook:
            backward_hook = BackwardHook(self, list(self._backward_hooks.values()))
            args = backward_hook.setup_input_hook(args)
        output = self.forward(*args, **kwargs)
        if self._forward_hooks:
            for hook in list(self._forward_hooks.values()):
                result = hook(self, args, output)
                if result is not None:
                    output = result
        if backward_hook is not None:
            output = backward_hook.setup_output_hook(output)
        elif self._backward_hooks:
            legacy_backward_hooks(self, list(self._backward_hooks.values()), args, output)
        return output

    def _next_hook_id(self) -> int:
        object.__setattr__(self, "_hook_id", self._hook_id + 1)
        return self._hook_id

    def register_forward_hook(self, hook, *, prepend: bool = False, with_kwargs: bool = False,
                              always_call: bool = False):
        return self._add_hook(self._forward_hooks, hook, prepend)

    def register_full_backward_hook(self, hook, prepend: bool = False):
        """hook(module, grad_input, grad_output) once the module's input gradients are known;
        it may return a replacement grad_input."""
        return self._register_backward_hook(hook, prepend, full=True)

    def register_backward_hook(self, hook):
        """The legacy hook: it sees the gradients of the output's grad_fn only."""
        return self._register_backward_hook(hook, False, full=False)

    def _register_backward_hook(self, hook, prepend: bool, full: bool):
        if self._is_full_backward_hook is (not full):
            raise RuntimeError("Cannot use both regular backward hooks and full backward hooks "
                               "on a single Module. Please use only one of them.")
        object.__setattr__(self, "_is_full_backward_hook", full)
        return self._add_hook(self._backward_hooks, hook, prepend)

    def register_forward_pre_hook(self, hook, *, prepend: bool = False,
                                  with_kwargs: bool = False):
        return self._add_hook(self._forward_pre_hooks, hook, prepend)

    def _add_hook(self, hooks: OrderedDict, hook, prepend: bool) -> _RemovableHandle:
        key = self._next_hook_id()
        hooks[key] = hook
        if prepend:
            hooks.move_to_end(key, last=False)
        return _RemovableHandle(hooks, key)

    # ---- registration -------------------------------------------------------------------------
    def _check_name(self, name, kind: str, store: dict) -> str:
        """The name to register under (a plain str), or PyTorch's error."""
        name = _plain_str(name)
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string. Got {_typename(name)}")
        if "." in name:
            raise KeyError(f'{kind} name can\'t contain "."')
        if name == "":
            raise KeyError(f'{kind} name can\'t be empty string ""')
        if hasattr(self, name) and name not in store:
            raise KeyError(f"attribute '{name}' already exists")
        return name

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        name = self._check_name(name, "parameter", self._parameters)
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{_typename(param)}' object to parameter '{name}' "
                            "(torch.nn.Parameter or None required)")
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        name = self._check_name(name, "buffer", self._buffers)
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{_typename(tensor)}' object to buffer '{name}' "
                            "(torch Tensor or None required)")
        if isinstance(tensor, Buffer):
            tensor = tensor.detach()
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def add_module(self, name: str, module: "Module | None") -> None:
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{_typename(module)} is not a Module subclass")
        name = self._check_name(name, "module", self._modules)
        self._modules[name] = module

    register_module = add_module

    def get_submodule(self, target: str) -> "Module":
        """The sub-Module at dotted path `target`, with PyTorch's errors: each step must be a
        Module, so the path never walks into a method, a function or its globals."""
        target = _plain_str(target)
        if target == "":
            return self
        module = self
        for item in target.split("."):
            module = _path_step(module, item)
            if not isinstance(module, Module):
                raise AttributeError(f"`{item}` is not an nn.Module")
        return module

    def get_parameter(self, target: str) -> Parameter:
        """The Parameter at dotted path `target` (PyTorch's errors for anything else)."""
        path, _, name = _plain_str(target).rpartition(".")
        param = _path_step(self.get_submodule(path), name)
        if not isinstance(param, Parameter):
            raise AttributeError(f"`{name}` is not an nn.Parameter")
        return param

    def get_buffer(self, target: str) -> Tensor:
        """The buffer at dotted path `target` (PyTorch's errors for anything else)."""
        path, _, name = _plain_str(target).rpartition(".")
        module = self.get_submodule(path)
        buffer = _path_step(module, name)
        if name not in module._buffers:
            raise AttributeError(f"`{name}` is not a buffer")
        return buffer

    def __getattr__(self, name: str):
        d = self.__dict__
        if name[:1] != "_":   # a child named like a private field (add_module("_data", ...))
            for store in ("_parameters", "_buffers", "_modules"):   # must not pose as one:
                if store in d and name in d[store]:                 # the engine reads t._data
                    return d[store][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __setattr__(self, name: str, value) -> None:
        d = self.__dict__
        params = d.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            self._forget(name, "_buffers", "_modules")
            self.register_parameter(name, value)
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(f"cannot assign '{_typename(value)}' as parameter '{name}' "
                                "(torch.nn.Parameter or None expected)")
            self.register_parameter(name, value)
        elif isinstance(value, Module):
            if d.get("_modules") is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            self._forget(name, "_parameters", "_buffers")
            d["_modules"][name] = value
        elif d.get("_modules") is not None and name in d["_modules"]:
            if value is not None:
                raise TypeError(f"cannot assign '{_typename(value)}' as child module '{name}' "
                                "(torch.nn.Module or None expected)")
            d["_modules"][name] = value
        elif isinstance(value, Buffer) or (d.get("_buffers") is not None
                                           and name in d["_buffers"]):
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{_typename(value)}' as buffer '{name}' "
                                "(torch.nn.Buffer, torch.Tensor or None expected)")
            persistent = value.persistent if isinstance(value, Buffer) else \
                name not in self._non_persistent_buffers_set
            self.register_buffer(name, value, persistent)
        else:
            object.__setattr__(self, name, value)

    def _forget(self, name: str, *stores: str) -> None:
        self.__dict__.pop(name, None)
        for store in stores:
            self.__dict__[store].pop(name, None)
        self._non_persistent_buffers_set.discard(name)

    def __delattr__(self, name: str) -> None:
        for store in ("_parameters", "_buffers", "_modules"):
            if name in self.__dict__.get(store, {}):
                del self.__dict__[store][name]
                self._non_persistent_buffers_set.discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self):
        return sorted(set(object.__dir__(self)) | set(self._parameters) | set(self._buffers)
                      | set(self._modules))

    # ---- iteration ----------------------------------------------------------------------------
    def named_modules(self, memo: set | None = None, prefix: str = "",
                      remove_duplicate: bool = True) -> Iterator[tuple[str, "Module"]]:
        memo = set() if memo is None else memo
        if self in memo:
            return
        if remove_duplicate:
            memo.add(self)
        yield prefix, self
        for name, module in self._modules.items():
            if module is None:
                continue
            yield from module.named_modules(memo, prefix + ("." if prefix else "") + name,
                                            remove_duplicate)

    def modules(self) -> Iterator["Module"]:
        for _, m in self.named_modules():
            yield m

    def named_children(self) -> Iterator[tuple[str, "Module"]]:
        seen = set()
        for name, module in self._modules.items():
            if module is not None and module not in seen:
                seen.add(module)
                yield name, module

    def children(self) -> Iterator["Module"]:
        for _, m in self.named_children():
            yield m

    def _named_members(self, store: str, prefix: str, recurse: bool, remove_duplicate: bool):
        memo = set()
        modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) \
            if recurse else [(prefix, self)]
        for module_prefix, module in modules:
            for name, value in module.__dict__[store].items():
                if value is None or value in memo:
                    continue
                if remove_duplicate:
                    memo.add(value)
                yield module_prefix + ("." if module_prefix else "") + name, value

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple[str, Parameter]]:
        yield from self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Tensor]]:
        yield from self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    # ---- state ------------------------------------------------------------------------------
    def state_dict(self, *args, destination=None, prefix: str = "", keep_vars: bool = False):
        destination = OrderedDict() if destination is None else destination
        for name, param in self._parameters.items():
            if param is not None:
                destination[prefix + name] = param if keep_vars else param.detach()
        for name, buf in self._buffers.items():
            if buf is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = buf if keep_vars else buf.detach()
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination=destination, prefix=prefix + name + ".",
                                  keep_vars=keep_vars)
        return destination

    def load_state_dict(self, state_dict, strict: bool = True, assign: bool = False):
        missing, unexpected, errors = [], [], []
        own = self.state_dict(keep_vars=True)
        for key, param in own.items():
            if key not in state_dict:
                missing.append(key)
                continue
            value = state_dict[key]
            if not isinstance(value, Tensor):
                errors.append(f'While copying the parameter named "{key}", expected torch.Tensor '
                              f"or Tensor-like object from checkpoint but received "
                              f"{type(value)}")
                continue
            if tuple(value.shape) != tuple(param.shape):
                errors.append(f"size mismatch for {key}: copying a param with shape "
                              f"{value.shape} from checkpoint, the shape in current model is "
                              f"{param.shape}.")
                continue
            with no_grad():
                param.copy_(value)
        for key in state_dict:
            if key not in own:
                unexpected.append(key)
        if strict:
            if unexpected:
                errors.insert(0, "Unexpected key(s) in state_dict: {}. ".format(
                    ", ".join(f'"{k}"' for k in unexpected)))
            if missing:
                errors.insert(0, "Missing key(s) in state_dict: {}. ".format(
                    ", ".join(f'"{k}"' for k in missing)))
        if errors:
            raise RuntimeError("Error(s) in loading state_dict for {}:\n\t{}".format(
                type(self).__name__, "\n\t".join(errors)))
        return _IncompatibleKeys(missing, unexpected)

    # ---- modes and bulk changes ---------------------------------------------------------------
    def train(self, mode: bool = True) -> "Module":
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        object.__setattr__(self, "training", mode)
        for module in self.children():
            module.train(mode)
        return self

    def eval(self) -> "Module":
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> "Module":
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        zero_grads(self.parameters(), set_to_none)

    def apply(self, fn: Callable[["Module"], None]) -> "Module":
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    def _apply_to_tensors(self, convert: Callable[[Tensor], Tensor], modules=None) -> "Module":
        for module in self.modules() if modules is None else modules:
            for store in ("_parameters", "_buffers"):
                for name, t in module.__dict__[store].items():
                    if t is None:
                        continue
                    with no_grad():
                        new = convert(t)
                    if store == "_parameters":
                        p = Parameter(new, t.requires_grad)
                        if t.grad is not None:
                            with no_grad():
                                p.grad = convert(t.grad)
                        module._parameters[name] = p
                    else:
                        module._buffers[name] = new
        return self

    def to(self, *args, **kwargs) -> "Module":
        dtype = kwargs.get("dtype")
        for a in args:
            if isinstance(a, dtype_cls):
                dtype = a
        device = kwargs.get("device", next((a for a in args if isinstance(a, (str, device_cls))),
                                           None))
        if dtype is not None and not dtype.is_floating_point:
            raise TypeError(f"nn.Module.to only accepts floating point or complex dtypes, but "
                            f"got desired dtype={dtype}")
        if is_meta(device):   # shapes without data: every tensor moves
            return self._apply_to_tensors(
                lambda t: t.to("meta", dtype if dtype is not None and t.is_floating_point()
                               else t.dtype))
        check_cpu(device)
        if device is not None and any(t.is_meta for t in self._tensors()):
            raise NotImplementedError(
                "Cannot copy out of meta tensor; no data! Please use torch.nn.Module.to_empty() "
                "instead of torch.nn.Module.to() when moving module from meta to a different "
                "device.")
        if dtype is None:
            return self
        return self._apply_to_tensors(lambda t: t.to(dtype) if t.is_floating_point() else t)

    def to_empty(self, *, device, recurse: bool = True) -> "Module":
        """Every parameter and buffer replaced by an uninitialized one of its shape on `device`
        (how a model built on the meta device gets memory; zeros here, as torch.empty)."""
        from ..ops.creation import empty_like
        modules = self.modules() if recurse else (self,)
        return self._apply_to_tensors(lambda t: empty_like(t, device=device), modules)

    def _tensors(self):
        for module in self.modules():
            for store in ("_parameters", "_buffers"):
                yield from (t for t in module.__dict__[store].values() if t is not None)

    def float(self) -> "Module":
        return self._apply_to_tensors(lambda t: t.float() if t.is_floating_point() else t)

    def double(self) -> "Module":
        return self._apply_to_tensors(lambda t: t.double() if t.is_floating_point() else t)

    def half(self) -> "Module":
        return self._apply_to_tensors(lambda t: t.half() if t.is_floating_point() else t)

    def cpu(self) -> "Module":
        return self

    def cuda(self, device=None) -> "Module":
        from ..device import refuse_cuda
        refuse_cuda(device)

    # ---- printing -----------------------------------------------------------------------------
    def extra_repr(self) -> str:
        return ""

    def _get_name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({key}): " + _addindent(repr(module), 2)
                       for key, module in self._modules.items()]
        lines = extra_lines + child_lines
        main = self._get_name() + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                main += extra_lines[0]
            else:
                main += "\n  " + "\n  ".join(lines) + "\n"
        return main + ")"
