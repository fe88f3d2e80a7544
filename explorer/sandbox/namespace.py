"""What learner code sees: `torch` (the engine), `numpy`, `math` and a few harmless standard
modules, each as a Proxy exposing only its public API, plus safe builtins.

NumPy in particular reaches the operating system (np.load, np.ctypeslib, ndarray.tofile), so
it is offered through an allowlist of array and math functions, never as the real module."""
from __future__ import annotations

import __future__
import builtins
import collections
import contextlib
import dis
import importlib
import sys
import copy as copy_module
import functools
import io
import itertools
import math
import posixpath
import random as py_random
import types
from os import fspath as os_fspath

import numpy as np
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import guarded_iter_unpack_sequence, guarded_unpack_sequence

import engine
from engine.ops.registry import OpDef

from .limits import OutputLimitExceeded
from .policy import (SHOWN_AS, SandboxError, guarded_getattr, guarded_write, inplace_op,
                     safe_format, shown_class)

__all__ = ["Proxy", "build_globals", "BoundedOutput", "safe_format", "VirtualFiles"]


class Proxy:
    """A read-only module stand-in: attribute access to an explicit set of names."""

    __slots__ = ("_name", "_members")

    def __init__(self, name: str, members: dict) -> None:
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_members", dict(members))

    def __getattr__(self, attr: str):
        members = object.__getattribute__(self, "_members")
        if attr in members and (attr[:1] != "_" or attr == "__version__"):
            return members[attr]   # never a dunder NumPy or Python looks up on an instance
        name = object.__getattribute__(self, "_name")
        raise AttributeError(f"module '{name}' has no attribute '{attr}' in Autograd Explorer")

    def __setattr__(self, attr, value):
        raise SandboxError("the provided modules cannot be changed")

    def __dir__(self):
        return sorted(object.__getattribute__(self, "_members"))

    def __repr__(self) -> str:
        return f"<module '{object.__getattribute__(self, '_name')}' (Autograd Explorer)>"


SHOWN_AS[Proxy] = "<class 'module'>"


def _public(module, names=None, exclude=()) -> dict:
    """A module's API: `names`, else what it declares in __all__, else its public names; never
    a module, a __future__ flag or an engine op (OpDef: its forward is the raw kernel)."""
    if names is None:
        names = getattr(module, "__all__", None) or [n for n in dir(module)
                                                     if not n.startswith("_")]
    return {n: getattr(module, n) for n in names
            if n not in exclude and hasattr(module, n) and _is_api(getattr(module, n))}


def _is_api(value) -> bool:
    return not isinstance(value, (types.ModuleType, _FUTURE_FLAG, OpDef))


_FUTURE_FLAG = type(__future__.annotations)


# ---- files: an in-memory store, so torch.save / torch.load work inside one run ----------------
# What torch's weights-only unpickler may build that the engine has no counterpart for: compare
# mode refuses them before they are built (their rebuild code is torch's own, fed learner bytes).
_NOT_DENSE = ("_rebuild_qtensor", "_rebuild_sparse_tensor", "_rebuild_meta_tensor_no_storage",
              "_rebuild_nested_tensor", "_rebuild_wrapper_subclass",
              "_rebuild_device_tensor_from_numpy", "_rebuild_device_tensor_from_cpu_tensor")


@contextlib.contextmanager
def _dense_only(torch):
    """torch.load's allowlist of globals without the rebuilders of quantized, sparse, meta,
    nested and subclass tensors, for the length of one load."""
    unpickler = torch._weights_only_unpickler
    allowed = unpickler._get_allowed_globals
    refused = {f"torch._utils.{name}" for name in _NOT_DENSE}
    unpickler._get_allowed_globals = lambda: {k: v for k, v in allowed().items()
                                              if k not in refused}
    try:
        yield
    finally:
        unpickler._get_allowed_globals = allowed


def _refuse_unstrided(value, torch, depth: int = 0) -> None:
    """Compare mode: what torch.load gave may hold only dense tensors, as the engine's does:
    everywhere the unpickler can put one (dict keys, sets, a tensor's own attributes)."""
    if depth > 50:
        raise RuntimeError("torch.load: the saved object is nested too deeply")
    if isinstance(value, torch.Tensor):
        if value.layout is not torch.strided or value.is_nested or value.is_quantized:
            raise RuntimeError(f"torch.load: {value.layout} tensors are not available in "
                               "Autograd Explorer's sandbox")
        items = list(getattr(value, "__dict__", {}).values())
    elif isinstance(value, dict):
        items = [*value.keys(), *value.values()]
    elif isinstance(value, (list, tuple, set, frozenset)):
        items = value
    else:
        return
    for item in items:
        _refuse_unstrided(item, torch, depth + 1)


class VirtualFiles:
    """Paths used by torch.save/torch.load, os.path and tempfile live in memory for one run;
    nothing reaches the real file system."""

    def __init__(self, backend: str = "engine") -> None:
        self.backend = backend
        self.files: dict[str, bytes] = {}
        self.dirs: set[str] = {"/", "/tmp", "/sandbox"}
        self._next_dir = 0

    @staticmethod
    def _key(f) -> str:
        return posixpath.normpath(posixpath.join("/sandbox", os_fspath(f)))

    @staticmethod
    def _is_path(f) -> bool:
        return isinstance(f, (str, bytes)) or hasattr(f, "__fspath__")

    def _save(self, obj, f) -> None:
        if self.backend == "torch":
            import torch
            return torch.save(obj, f)
        return engine.save(obj, f)

    def _load(self, f, weights_only: bool | None = None):
        if self.backend == "torch":
            import torch
            # never unpickle arbitrary objects: the bytes may be the learner's; and check a
            # sparse tensor's indices (torch trusts them otherwise: a write anywhere)
            with torch.sparse.check_sparse_tensor_invariants(True), _dense_only(torch):
                loaded = torch.load(f, map_location="cpu", weights_only=True)
            _refuse_unstrided(loaded, torch)
            return loaded
        return engine.load(f, weights_only=weights_only)   # the engine unpickles nothing

    def save(self, obj, f, *args, **kwargs) -> None:
        if not self._is_path(f):
            return self._save(obj, f)
        buf = io.BytesIO()
        self._save(obj, buf)
        self.files[self._key(f)] = buf.getvalue()
        return None

    def load(self, f, *args, weights_only: bool | None = None, **kwargs):
        if not self._is_path(f):
            return self._load(f, weights_only)
        key = self._key(f)
        if key not in self.files:
            raise FileNotFoundError(f"[Errno 2] No such file or directory: '{os_fspath(f)}'")
        return self._load(io.BytesIO(self.files[key]), weights_only)

    def temporary_directory(self, suffix=None, prefix=None, dir=None, **kwargs):
        files = self

        class TemporaryDirectory:
            def __init__(self) -> None:
                files._next_dir += 1
                self.name = f"/tmp/{prefix or 'tmp'}{files._next_dir}{suffix or ''}"
                files.dirs.add(self.name)

            def __enter__(self) -> str:
                return self.name

            def __exit__(self, *exc) -> bool:
                self.cleanup()
                return False

            def cleanup(self) -> None:
                for key in [k for k in files.files if k.startswith(self.name + "/")]:
                    del files.files[key]
                files.dirs.discard(self.name)
        return TemporaryDirectory()

    def os_proxy(self) -> "Proxy":
        path = Proxy("os.path", {
            "join": posixpath.join, "basename": posixpath.basename,
            "dirname": posixpath.dirname, "splitext": posixpath.splitext,
            "exists": lambda p: self._key(p) in self.files or self._key(p) in self.dirs,
            "isfile": lambda p: self._key(p) in self.files,
            "isdir": lambda p: self._key(p) in self.dirs,
            "getsize": lambda p: len(self.files[self._key(p)]),
        })
        return Proxy("os", {
            "path": path, "sep": "/", "getcwd": lambda: "/sandbox",
            "makedirs": lambda p, exist_ok=False: self.dirs.add(self._key(p)),
            "mkdir": lambda p: self.dirs.add(self._key(p)),
            "remove": lambda p: self.files.pop(self._key(p)),
            "listdir": lambda p=".": sorted(posixpath.basename(k) for k in self.files
                                            if posixpath.dirname(k) == self._key(p)),
        })


# ---- torch ------------------------------------------------------------------------------------
def _torch_proxies(files: VirtualFiles) -> dict:
    nn_functional = Proxy("torch.nn.functional", _public(engine.nn.functional))
    nn_init = Proxy("torch.nn.init", _public(engine.nn.init))
    nn_utils_rnn = Proxy("torch.nn.utils.rnn", _public(engine.nn.utils.rnn))
    nn_utils = Proxy("torch.nn.utils", {**_public(engine.nn.utils), "rnn": nn_utils_rnn})
    nn_members = _public(engine.nn, exclude=("functional", "init", "module", "modules",
                                             "parameter", "utils"))
    nn_members.update(functional=nn_functional, init=nn_init, utils=nn_utils)
    nn = Proxy("torch.nn", nn_members)
    lr_scheduler = Proxy("torch.optim.lr_scheduler", _public(engine.optim.lr_scheduler))
    optim = Proxy("torch.optim", {**_public(engine.optim, exclude=("algorithms", "optimizer",
                                                                   "lr_scheduler")),
                                  "lr_scheduler": lr_scheduler})
    autograd_functional = Proxy("torch.autograd.functional",
                                _public(engine.autograd.functional))
    autograd = Proxy("torch.autograd", {
        **{n: getattr(engine.autograd, n) for n in (
            "backward", "grad", "Function", "gradcheck", "gradgradcheck", "no_grad",
            "enable_grad", "set_grad_enabled", "inference_mode", "Variable",
            "set_detect_anomaly", "detect_anomaly", "is_anomaly_enabled",
            "is_anomaly_check_nan_enabled")
           if hasattr(engine.autograd, n)},
        "functional": autograd_functional})
    data = Proxy("torch.utils.data", _public(engine.utils.data,
                                             exclude=("dataloader", "dataset", "sampler")))
    utils = Proxy("torch.utils", {"data": data})
    cuda = Proxy("torch.cuda", _public(engine.cuda))
    members = {n: v for n, v in vars(engine).items() if not n.startswith("_") and _is_api(v)}
    for internal in ("TENSOR_METHODS", "TORCH_FUNCTIONS", "LEGACY_TYPES", "UntypedStorage"):
        members.pop(internal, None)
    linalg = Proxy("torch.linalg", _public(engine.linalg, engine.linalg.__all__))
    # the backends' flags are objects, not modules: `cudnn.deterministic = True` is a write
    backends = Proxy("torch.backends", {n: getattr(engine.backends, n)
                                        for n in engine.backends.__all__})
    functional = Proxy("torch.functional", _public(engine.functional))
    members.update(nn=nn, optim=optim, autograd=autograd, utils=utils, cuda=cuda, linalg=linalg,
                   backends=backends, functional=functional, save=files.save, load=files.load,
                   __version__=engine.__version__)
    torch = Proxy("torch", members)
    return {"torch": torch, "torch.nn": nn, "torch.nn.functional": nn_functional,
            "torch.nn.utils": nn_utils, "torch.nn.utils.rnn": nn_utils_rnn,
            "torch.functional": functional,
            "torch.backends": backends,
            **{f"torch.backends.{n}": getattr(engine.backends, n)
               for n in engine.backends.__all__},
            "torch.nn.init": nn_init, "torch.optim": optim,
            "torch.optim.lr_scheduler": lr_scheduler, "torch.autograd": autograd,
            "torch.autograd.functional": autograd_functional,
            "torch.utils": utils, "torch.utils.data": data, "torch.cuda": cuda,
            "torch.linalg": linalg}


def _real_torch_proxies(files: VirtualFiles) -> dict:
    """Compare mode: real PyTorch behind exactly the names the engine's proxies offer, so
    learner code gets the same surface (and the same refusals) on either backend."""
    mirrored: dict[str, Proxy] = {}

    def mirror(proxy: Proxy) -> Proxy:
        name = object.__getattribute__(proxy, "_name")
        if name not in mirrored:
            real = importlib.import_module(name)
            members = {}
            for member, value in object.__getattribute__(proxy, "_members").items():
                if isinstance(value, (Proxy, engine.backends.Backend)):
                    members[member] = mirror_member(f"{name}.{member}", value)
                elif hasattr(real, member) and not isinstance(getattr(real, member),
                                                                types.ModuleType):
                    members[member] = getattr(real, member)
            mirrored[name] = Proxy(name, members)
        return mirrored[name]

    def mirror_member(name: str, value):
        """A Proxy mirrored, a backend's flags as the real module's (behind the same names)."""
        if isinstance(value, Proxy):
            return mirror(value)
        if isinstance(value, engine.backends.Backend):
            return _RealBackend(importlib.import_module(name), value)
        return value

    proxies = {name: mirror_member(name, p) for name, p in _torch_proxies(files).items()}
    data = object.__getattribute__(proxies["torch.utils.data"], "_members")
    data["DataLoader"] = _in_process_loader(data["DataLoader"])
    torch_members = object.__getattribute__(proxies["torch"], "_members")
    torch_members.update(save=files.save, load=files.load)
    rnn = importlib.import_module("torch.nn.utils.rnn")
    _contiguous_batch_sizes(rnn.PackedSequence)
    rnn_members = object.__getattribute__(proxies["torch.nn.utils.rnn"], "_members")
    for name in ("pad_packed_sequence", "unpack_sequence"):
        rnn_members[name] = _checked_unpacking(getattr(rnn, name), rnn.PackedSequence)
    return proxies


def _checked_unpacking(function, packed: type):
    """Compare mode: PyTorch's _pad_packed_sequence writes one length per drop in batch_sizes
    below a buffer sized by the first, so sizes that rise and fall wrote into the heap. Only
    a real PackedSequence whose sizes torch's own packing could have made gets through."""
    @functools.wraps(function)
    def checked(sequence, *args, **kwargs):
        _check_packed(sequence, packed)
        return function(sequence, *args, **kwargs)
    return checked


def _check_packed(sequence, packed: type) -> None:
    import torch
    if type(sequence) is not packed:
        raise TypeError(f"expected a PackedSequence, not {type(sequence).__name__}")
    sizes, data = sequence.batch_sizes, sequence.data
    if type(sizes) is not torch.Tensor or type(data) is not torch.Tensor or sizes.dim() != 1 \
            or sizes.dtype != torch.int64:
        raise RuntimeError("batch_sizes must be a 1-D int64 tensor")
    values = sizes.tolist()
    if not values or min(values) < 1 or any(b > a for a, b in zip(values, values[1:])) or \
            sum(values) != data.size(0):
        raise RuntimeError("batch_sizes must be positive, non-increasing and sum to the "
                           "packed data's length")


def _contiguous_batch_sizes(packed: type) -> None:
    """Compare mode: PyTorch's RNN kernels read a PackedSequence's batch_sizes as one row of
    int64 whatever its strides (an expanded one had them read the heap past its storage), so
    a PackedSequence made in a run holds a contiguous copy."""
    if getattr(packed.__new__, "contiguous_batch_sizes", False):
        return
    made = packed.__new__

    def new(cls, *args, **kwargs):
        sequence = made(cls, *args, **kwargs)
        sizes = sequence.batch_sizes
        if hasattr(sizes, "is_contiguous") and not sizes.is_contiguous():
            sequence = made(cls, sequence.data, sizes.contiguous(), sequence.sorted_indices,
                            sequence.unsorted_indices)
        return sequence
    new.contiguous_batch_sizes = True
    packed.__new__ = staticmethod(new)


class _RealBackend:
    """Compare mode's torch.backends.<name>: the real module (which learner code may not hold)
    behind the names the engine's backend has; its flags read and write through."""

    __slots__ = ("_module", "_names")

    def __init__(self, module, engine_backend) -> None:
        object.__setattr__(self, "_module", module)
        object.__setattr__(self, "_names", frozenset(
            n for n in dir(engine_backend) if not n.startswith("_")))

    def __getattr__(self, attr: str):
        if attr in object.__getattribute__(self, "_names"):
            return getattr(object.__getattribute__(self, "_module"), attr)
        raise AttributeError(f"module '{object.__getattribute__(self, '_module').__name__}' "
                             f"has no attribute '{attr}' in Autograd Explorer")

    def __setattr__(self, attr: str, value) -> None:
        if attr not in object.__getattribute__(self, "_names"):
            raise SandboxError("the provided modules cannot be changed")
        setattr(object.__getattribute__(self, "_module"), attr, value)

    def __repr__(self) -> str:
        return f"<module '{object.__getattribute__(self, '_module').__name__}' (Autograd " \
               "Explorer)>"


def _in_process_loader(loader_cls: type) -> type:
    """Real PyTorch's DataLoader starts processes for num_workers > 0; the sandbox refuses."""
    class DataLoader(loader_cls):
        def __init__(self, *args, num_workers: int = 0, **kwargs) -> None:
            if num_workers:
                raise SandboxError("DataLoader(num_workers=...) starts processes, which the "
                                   "sandbox does not allow; use num_workers=0")
            super().__init__(*args, **kwargs)
    return DataLoader


# ---- numpy ------------------------------------------------------------------------------------
_NUMPY_NAMES = """
abs absolute add all allclose amax amin any append arange arccos arccosh arcsin arcsinh arctan
arctan2 arctanh argmax argmin argsort argwhere around array array_equal array_split asarray
ascontiguousarray atleast_1d atleast_2d atleast_3d average bool_ broadcast_arrays broadcast_shapes
broadcast_to ceil clip column_stack concatenate copy cos cosh count_nonzero cross cumprod cumsum
deg2rad degrees diag diagonal diff divide dot dstack dtype e einsum empty empty_like equal exp
exp2 expand_dims expm1 eye fabs fill_diagonal flatnonzero flip fliplr flipud float16 float32
float64 floor floor_divide fmax fmin fmod full full_like greater greater_equal hstack hypot
identity indices inf inner int16 int32 int64 int8 interp isclose isfinite isinf isnan kron
less less_equal linspace log log10 log1p log2 logaddexp logical_and logical_not logical_or
logical_xor logspace matmul max maximum mean median meshgrid min minimum mod moveaxis multiply
nan nan_to_num nanmax nanmean nanmin nansum ndarray ndim negative newaxis nonzero not_equal ones
ones_like outer percentile pi power prod ptp quantile rad2deg radians ravel reciprocal remainder
repeat reshape resize rint roll rot90 round searchsorted shape sign sin sinh size sort split
sqrt square squeeze stack std subtract sum swapaxes take tan tanh tensordot tile trace transpose
tri tril triu true_divide trunc uint8 unique unravel_index var vstack where zeros zeros_like
set_printoptions get_printoptions integer floating number isscalar result_type promote_types
""".split()
_NUMPY_RANDOM = """seed rand randn randint random random_sample normal uniform choice permutation
shuffle standard_normal binomial poisson exponential beta gamma multivariate_normal default_rng
RandomState Generator""".split()
_NUMPY_LINALG = "norm inv det solve eig eigh svd qr pinv matrix_rank cholesky lstsq".split()


def _numpy_proxy() -> Proxy:
    members = _public(np, _NUMPY_NAMES)
    members["ndarray"] = shown_class(np.ndarray)   # its constructor, checked
    members["random"] = Proxy("numpy.random", _public(np.random, _NUMPY_RANDOM))
    members["linalg"] = Proxy("numpy.linalg", _public(np.linalg, _NUMPY_LINALG))
    return Proxy("numpy", members)


# ---- standard modules -----------------------------------------------------------------------
def _stdlib_proxies() -> dict:
    return {
        "math": Proxy("math", _public(math)),
        "random": Proxy("random", _public(py_random, """seed random uniform randint choice
            choices shuffle sample gauss normalvariate randrange""".split())),
        "collections": Proxy("collections", _public(collections, """OrderedDict defaultdict
            Counter deque namedtuple""".split())),
        "functools": Proxy("functools", {**_public(functools, "partial reduce lru_cache".split()),
                                         "wraps": _wraps}),
        "itertools": Proxy("itertools", _public(itertools)),
        "copy": Proxy("copy", {"copy": copy_module.copy, "deepcopy": _deepcopy}),
        "io": Proxy("io", {"BytesIO": io.BytesIO, "StringIO": io.StringIO}),
        "typing": Proxy("typing", {n: getattr(__import__("typing"), n) for n in (
            "List", "Tuple", "Dict", "Optional", "Union", "Callable", "Any", "Iterable")}),
    }


def _deepcopy(x, memo=None, _nil=None):
    """copy.deepcopy without a caller's memo: the memo keeps every object the copy went
    through, a library object's real __dict__ included (then any private field could be
    written: a Module posing as a tensor), and a memo filled beforehand decides what the copy
    gets. Code passes one only inside a __deepcopy__, which learner classes cannot define."""
    if memo is not None:
        raise SandboxError("copy.deepcopy(x, memo) is not available in Autograd Explorer's "
                           "sandbox: the memo holds every object the copy went through; call "
                           "copy.deepcopy(x)")
    return copy_module.deepcopy(x)


def _wraps(wrapped, assigned=functools.WRAPPER_ASSIGNMENTS, updated=functools.WRAPPER_UPDATES):
    """functools.wraps for what decorators use it for: a wrapper gets the wrapped function's
    name, doc and public attributes. Other names are read through the attribute guard and
    private ones refused, so `updated=('__globals__',)` cannot merge a library's globals into
    the learner's."""
    assigned, updated = tuple(assigned), tuple(updated)
    _check_wrapper_names(assigned, updated)
    return functools.partial(_update_wrapper, wrapped=wrapped, assigned=assigned,
                             updated=updated)


def _check_wrapper_names(assigned: tuple, updated: tuple) -> None:
    for names, standard in ((assigned, functools.WRAPPER_ASSIGNMENTS),
                            (updated, functools.WRAPPER_UPDATES)):
        for name in names:
            if not isinstance(name, str):
                raise TypeError(f"attribute name must be string, not '{type(name).__name__}'")
            if name.startswith("_") and name not in standard:
                raise SandboxError(f"functools.wraps() cannot copy '{name}' in Autograd "
                                   "Explorer's sandbox; only public attributes and the standard "
                                   "ones")


def _update_wrapper(wrapper, wrapped, assigned: tuple, updated: tuple):
    """functools.update_wrapper with the names checked, writes only on the learner's own
    objects (a library object's go through the attribute-write guard, entry by entry: a
    tensor's instance __dict__, merged whole, shadowed its methods, and a graph node's its
    edges), and only the public entries of a __dict__ merged."""
    assigned, updated = tuple(assigned), tuple(updated)
    _check_wrapper_names(assigned, updated)
    learner_function = isinstance(wrapper, types.FunctionType) and \
        wrapper.__globals__.get("_getattr_") is guarded_getattr
    writes = wrapper if learner_function else guarded_write(wrapper)
    for name in assigned:
        try:
            value = getattr(wrapped, name) if name.startswith("_") else \
                guarded_getattr(wrapped, name)
        except AttributeError:
            continue
        setattr(writes, name, value)
    for name in updated:
        if name == "__dict__":
            source = getattr(wrapped, "__dict__", {})
        else:
            source = guarded_getattr(wrapped, name, {})
        public = {k: v for k, v in source.items() if type(k) is str and not k.startswith("_")}
        if name != "__dict__":
            guarded_getattr(wrapper, name).update(public)
        elif learner_function:
            wrapper.__dict__.update(public)
        else:
            for key, value in public.items():
                setattr(writes, key, value)
    setattr(writes, "__wrapped__", wrapped)
    return wrapper


def _allowed_list() -> str:
    return ("torch (with torch.nn, torch.nn.functional, torch.nn.utils, torch.optim, "
            "torch.autograd, torch.utils.data, torch.backends), numpy, math, random, "
            "collections, functools, itertools, copy, io, typing, and in-memory stand-ins for "
            "os.path and tempfile")


def _make_import(modules: dict, real_torch: bool = False):
    def for_c_code(name: str) -> bool:
        """NumPy's (and real PyTorch's) C code imports its own helpers through the builtins of
        the calling frame, which is the learner's when they call a method directly; those
        imports, never an import statement, get the real module."""
        if name.startswith("numpy."):
            return True
        return real_torch and (name == "torch" or name.startswith("torch."))

    def guarded_import(name, globals=None, locals=None, fromlist=(), level=0):
        if level:
            raise ImportError("relative imports are not available in Autograd Explorer")
        if for_c_code(name) and not _from_import_statement():
            return importlib.import_module(name) if fromlist else \
                importlib.import_module(name.split(".")[0])
        if name not in modules:
            raise ImportError(f"import of '{name}' is not allowed in Autograd Explorer; you can "
                              f"import {_allowed_list()}")
        if fromlist:
            return modules[name]
        return modules[name.split(".")[0]]
    return guarded_import


_IMPORT_NAME = dis.opmap["IMPORT_NAME"]


def _from_import_statement() -> bool:
    """True when the innermost learner frame is executing an `import` statement."""
    frame = sys._getframe(2)
    code = frame.f_code
    return code.co_code[frame.f_lasti] == _IMPORT_NAME


# ---- builtins ---------------------------------------------------------------------------------
def _refuse(name: str):
    def refused(*args, **kwargs):
        raise SandboxError(f"{name}() is not available in Autograd Explorer's sandbox")
    refused.__name__ = name
    return refused


def _hasattr(obj, name: str) -> bool:
    if not isinstance(name, str) or name.startswith("_"):
        raise SandboxError("hasattr() can only check public attribute names here")
    try:
        guarded_getattr(obj, name)
        return True
    except AttributeError:
        return False


def _safe_builtins(import_fn, printer: "_Printer") -> dict:
    names = """abs all any bin bool bytes callable chr complex dict divmod enumerate filter float
        frozenset hash hex int isinstance issubclass iter len list map max min next object oct
        ord pow range repr reversed round set slice sorted str sum tuple zip staticmethod
        classmethod property super id print ascii format""".split()
    safe = {n: getattr(builtins, n) for n in names}
    for exc in [n for n in dir(builtins) if n.endswith(("Error", "Exception", "Warning"))] + [
            "StopIteration", "KeyboardInterrupt", "GeneratorExit", "NotImplemented",
            "Ellipsis", "True", "False", "None"]:
        safe[exc] = getattr(builtins, exc)
    safe.update(type=shown_class(type), hasattr=_hasattr, __import__=import_fn,
                __build_class__=builtins.__build_class__,
                print=printer._call_print)
    for name in ("open", "exec", "eval", "compile", "getattr", "setattr", "delattr", "vars",
                 "globals", "locals", "dir", "input", "breakpoint", "help", "exit", "quit",
                 "memoryview"):
        safe[name] = _refuse(name)
    return safe


class BoundedOutput(io.StringIO):
    """stdout that stops the run once it exceeds its byte limit."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit
        self.size = 0
        self.truncated = False

    def write(self, text: str) -> int:
        self.size += len(text.encode("utf-8", "replace"))
        if self.size > self.limit:
            room = self.limit - (self.size - len(text))
            super().write(text[:max(room, 0)])
            self.truncated = True
            raise OutputLimitExceeded(self.limit)
        return super().write(text)


class _Printer:
    """RestrictedPython's `_print_` protocol, writing to our bounded stdout."""

    def __init__(self, out: BoundedOutput) -> None:
        self.out = out

    def __call__(self, _getattr_=None):
        return self

    def _call_print(self, *objects, **kwargs):
        if kwargs.get("file") is not None:
            raise SandboxError("print(file=...) is not available here")
        kwargs["file"] = self.out
        print(*objects, **kwargs)


def build_globals(out: BoundedOutput, backend: str = "engine") -> tuple[dict, VirtualFiles]:
    """Fresh globals for one run: proxies, guarded builtins and RestrictedPython's hooks.
    backend "torch" puts real PyTorch behind `import torch` (compare mode)."""
    files = VirtualFiles(backend)
    os_proxy = files.os_proxy()
    torch_proxies = _real_torch_proxies(files) if backend == "torch" else _torch_proxies(files)
    modules = {**torch_proxies, "numpy": _numpy_proxy(), **_stdlib_proxies(),
               "os": os_proxy, "os.path": os_proxy.path,
               "tempfile": Proxy("tempfile", {"TemporaryDirectory": files.temporary_directory,
                                              "gettempdir": lambda: "/tmp"})}
    printer = _Printer(out)
    safe = _safe_builtins(_make_import(modules, backend == "torch"), printer)
    g = {
        "__builtins__": safe, "__name__": "__main__", "__metaclass__": type,
        "_getattr_": guarded_getattr, "_write_": guarded_write,
        "_getitem_": default_guarded_getitem, "_getiter_": default_guarded_getiter,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        "_unpack_sequence_": guarded_unpack_sequence, "_inplacevar_": inplace_op,
        "_print_": printer, "_apply_": lambda f, *a, **k: f(*a, **k),
    }
    return g, files
