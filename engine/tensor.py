"""The Tensor: a strided view over a flat storage, plus the autograd fields PyTorch keeps.

Every tensor aliases a 1-D NumPy array (its storage) through `_data`, a NumPy view with the
tensor's shape and strides. Views share the storage and the version counter of their base, so
`stride()`, `storage_offset()`, `data_ptr()` and in-place visibility are real, not simulated.
Math methods are attached by the op modules in `engine.ops`.
"""
from __future__ import annotations

import operator

import numpy as np

from . import dtypes
from .dtypes import BY_NUMPY
import weakref
from collections import OrderedDict

from . import autograd   # (importing engine.tensor: autograd's own module is already loading)
from .autograd.graph import AccumulateGrad, add_hook
from .size import Size, shape_of

__all__ = ["Tensor", "UntypedStorage", "is_tensor"]


class UntypedStorage:
    """The flat memory a tensor and its views share (`array` is 1-D, of the element dtype)."""

    __slots__ = ("array", "__weakref__")

    def __init__(self, array: np.ndarray) -> None:
        self.array = array

    def data_ptr(self) -> int:
        return self.array.__array_interface__["data"][0]

    def nbytes(self) -> int:
        return self.array.nbytes

    def size(self) -> int:
        return self.array.nbytes

    def __len__(self) -> int:
        return self.array.nbytes

    def __repr__(self) -> str:
        return f"UntypedStorage of {self.array.nbytes} bytes at {self.data_ptr():#x}"


def exact_ints(values) -> tuple[int, ...]:
    """Sizes, strides or offsets as plain ints, read once. Where the engine computes how far a
    view reaches, a learner's int (or tensor) subclass must not answer the arithmetic: its
    `__sub__` or `__eq__` could make the check pass while NumPy, through `__index__`, builds
    the real, larger view."""
    return tuple(map(operator.index, values))


def check_within_base(a: np.ndarray, shape, byte_strides) -> None:
    """Refuse a view whose elements would lie outside the array at the root of `a`'s bases."""
    shape, byte_strides = exact_ints(shape), exact_ints(byte_strides)
    if any(n == 0 for n in shape):
        return
    root = a
    while isinstance(root.base, np.ndarray):
        root = root.base
    low, high = np.lib.array_utils.byte_bounds(root)
    start = a.__array_interface__["data"][0]
    reach = [(n - 1) * s for n, s in zip(shape, byte_strides)]
    first = start + sum(r for r in reach if r < 0)
    last = start + sum(r for r in reach if r > 0) + a.itemsize
    if first < low or last > high:
        raise RuntimeError(f"setStorage: sizes {list(shape)}, strides "
                           f"{[s // a.itemsize for s in byte_strides]} reach outside "
                           f"their storage of {(high - low) // a.itemsize} elements")


def _storage_for(arr: np.ndarray) -> np.ndarray:
    """A 1-D array over the memory `arr` spans, starting at its first element."""
    if arr.flags.c_contiguous:
        return arr.reshape(-1)
    span = 1 + sum((n - 1) * s for n, s in zip(arr.shape, arr.strides)) // arr.itemsize
    check_within_base(arr, (span if arr.size else 0,), (arr.itemsize,))
    return np.lib.stride_tricks.as_strided(arr, (span if arr.size else 0,), (arr.itemsize,),
                                           writeable=arr.flags.writeable)


def _is_dense(arr: np.ndarray) -> bool:
    """Non-overlapping, positive strides, no gaps: it can be its own storage."""
    if arr.flags.c_contiguous:
        return True
    dims = sorted((s, n) for s, n in zip(arr.strides, arr.shape) if n != 1)
    expected = arr.itemsize
    for stride, n in dims:
        if stride != expected:
            return False
        expected *= n
    return True


class Tensor:
    """A multi-dimensional array that can record the operations applied to it."""

    # Every tensor sets the slots when it is made; the fields most tensors never change are
    # class-level defaults instead, so making one (once per op) writes only what it must.
    __slots__ = ("_data", "_storage_cell", "dtype", "_base", "_vc", "_requires_grad", "_grad_fn",
                 "_output_nr", "_view_version", "__weakref__", "__dict__")
    _grad = _backward_hooks = _post_accumulate_grad_hooks = _accumulator = None
    _retains_grad = _wrapped = False
    _meta = None   # a meta tensor's (strides, storage offset): see engine/ops/meta.py

    __array_priority__ = 1000
    __array_ufunc__ = None  # NumPy operators defer to the tensor's reflected operators
    __hash__ = object.__hash__

    def __new__(cls, *args, **kwargs):
        """The legacy constructor: torch.Tensor(2, 3) (uninitialized, here zeros) or
        torch.Tensor(data), in the default dtype."""
        from .ops.creation import legacy_new
        return legacy_new(dtypes.get_default_dtype(), args, kwargs)

    def __init_subclass__(cls, **kwargs) -> None:
        """A subclass from outside the library (a learner's) may add methods and attributes,
        but not redefine what a tensor already has: the engine reads a tensor's shape,
        strides, storage offset, dtype and graph through its own methods and properties, and
        a subclass answering them its own way once steered it (a Parameter subclass's stride()
        made view() reach outside its storage)."""
        super().__init_subclass__(**kwargs)
        if not _is_library(cls):
            _check_subclass(cls)

    # ---- construction (internal) -------------------------------------------------------
    @classmethod
    def _from_array(cls, arr, requires_grad: bool = False, share: bool = False) -> "Tensor":
        """Wrap a NumPy array as a tensor with a storage of its own.

        A fresh dense result is used in place, so an op that returns a transposed layout keeps
        it (as PyTorch's TensorIterator does). `share=True` aliases the caller's memory instead
        (torch.from_numpy); otherwise anything that could alias other memory is copied.
        """
        if type(arr) is not np.ndarray:
            arr = np.asarray(arr)
        if share:
            if any(s < 0 for s in arr.strides):
                raise ValueError(
                    "At least one stride in the given numpy array is negative, and tensors with "
                    "negative strides are not currently supported. (You can probably work "
                    "around this by making a copy of your array  with array.copy().) ")
            arr = arr.view()   # the same memory under an ndarray of its own: the caller's
            #                    setting .shape or .dtype on theirs leaves the tensor alone
        else:
            flags = arr.flags
            if arr.base is not None or not flags.writeable or not (
                    flags.c_contiguous or _is_dense(arr)):   # the usual fresh result: no call
                arr = np.array(arr, order="K" if _is_dense(arr) else "C")
        t = object.__new__(cls)
        t._data = arr
        t._storage_cell = t._base = t._grad_fn = None   # the storage is made on first use
        t.dtype = BY_NUMPY.get(arr.dtype) or dtypes.from_numpy_dtype(arr.dtype)  # (error)
        t._vc = [0]  # the version counter, shared by views and detach()
        t._requires_grad = requires_grad
        t._output_nr = t._view_version = 0
        return t

    def _init_autograd(self) -> None:
        """A new tensor's own autograd fields: no history, no grad required."""
        self._requires_grad = False
        self._grad_fn = None
        self._output_nr = self._view_version = 0

    @property
    def _storage(self) -> UntypedStorage:
        """The storage, made on first use: most op results never have theirs asked for, and a
        tensor that owns its memory can always build it from `_data` (views and aliases share
        their base's, which asking for it here creates)."""
        storage = self._storage_cell
        if storage is None:
            storage = self._storage_cell = UntypedStorage(_storage_for(self._data))
        return storage

    @_storage.setter
    def _storage(self, storage: UntypedStorage) -> None:
        self._storage_cell = storage

    def _make_view(self, arr: np.ndarray, cls=None) -> "Tensor":
        """A tensor over `arr`, a NumPy view into this tensor's storage."""
        t = object.__new__(cls or Tensor)
        t._data = arr
        t._storage_cell = self._storage
        t.dtype = self.dtype
        t._base = self._base if self._base is not None else self
        t._vc = self._vc
        t._requires_grad, t._grad_fn, t._output_nr, t._view_version = False, None, 0, 0
        return t

    def _detached_alias(self) -> "Tensor":
        """Same storage and version counter, no autograd history (what detach() returns)."""
        t = self._make_view(self._data)
        t._base = self._base
        if self._meta is not None:
            t._meta = self._meta
        return t

    def _with_grad_fn(self, node, output_nr: int) -> "Tensor":
        t = self._detached_alias()
        t._grad_fn, t._output_nr = node, output_nr
        return t

    def _detached_copy(self) -> "Tensor":
        if self._meta is not None:
            from .ops.meta import from_shape_of
            return from_shape_of(self)
        return Tensor._from_array(self._data.copy())

    def _accumulate_(self, other: "Tensor") -> None:
        if self._meta is None:   # (a meta gradient has no values to add)
            np.add(self._data, other._data, out=self._data, casting="unsafe")
        self._vc[0] += 1

    # ---- shape and memory --------------------------------------------------------------
    @property
    def shape(self) -> Size:
        return shape_of(self._data.shape)

    def size(self, dim: int | None = None):
        if dim is None:
            return shape_of(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim)]

    def dim(self) -> int:
        return self._data.ndim

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def ndimension(self) -> int:
        return self._data.ndim

    def numel(self) -> int:
        return self._data.size

    nelement = numel

    def stride(self, dim: int | None = None):
        if self._meta is not None:
            strides = self._meta[0]
        elif self._data.size == 0:  # NumPy zeroes the strides of empty arrays: use contiguous ones
            strides, step = [], 1
            for n in reversed(self._data.shape):
                strides.append(step)
                step *= max(n, 1)
            strides = tuple(reversed(strides))
        else:
            size = self._data.itemsize
            strides = tuple([s // size for s in self._data.strides])
        if dim is None:
            return strides
        return strides[_wrap_dim(dim, self._data.ndim)]

    def storage_offset(self) -> int:
        if self._meta is not None:
            return self._meta[1]
        if self._data.size == 0:
            return 0
        delta = self._data.__array_interface__["data"][0] - self._storage.data_ptr()
        return delta // self._data.itemsize

    def data_ptr(self) -> int:
        if self._meta is not None:
            return 0
        return self._data.__array_interface__["data"][0]

    def untyped_storage(self) -> UntypedStorage:
        return self._storage

    def element_size(self) -> int:
        return self._data.itemsize

    @property
    def itemsize(self) -> int:
        return self._data.itemsize

    @property
    def nbytes(self) -> int:
        return self._data.nbytes

    def is_contiguous(self, memory_format=None) -> bool:
        from .memory_format import is_contiguous
        return is_contiguous(self.shape, self.stride(), memory_format)

    @property
    def device(self):
        from .device import CPU, META
        return CPU if self._meta is None else META

    @property
    def is_meta(self) -> bool:
        return self._meta is not None

    is_cuda = False
    is_sparse = False
    is_quantized = False
    is_nested = False
    layout = "torch.strided"

    def is_floating_point(self) -> bool:
        return self.dtype.is_floating_point

    def is_complex(self) -> bool:
        return False

    def is_signed(self) -> bool:
        return self.dtype.is_signed

    def get_device(self) -> int:
        return -1

    def cpu(self) -> "Tensor":
        if self._meta is not None:
            from .ops.meta import no_data
            raise no_data()
        return self

    def cuda(self, device=None, non_blocking: bool = False, memory_format=None) -> "Tensor":
        """PyTorch's CPU-only build has no CUDA: the same errors."""
        from .device import refuse_cuda
        refuse_cuda(device)

    def _is_view(self) -> bool:
        return self._base is not None

    def _bump_version(self) -> None:
        """Record an in-place change (the counter is shared with views and detach())."""
        self._vc[0] += 1

    @property
    def _version(self) -> int:
        """How many times this memory was modified in place (shared with views and detach())."""
        return self._vc[0]

    # ---- autograd fields ---------------------------------------------------------------
    @property
    def requires_grad(self) -> bool:
        return self._requires_grad or self.grad_fn is not None

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        self._require_grad(flag, "only Tensors of floating point and complex dtype can require "
                                 "gradients")

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        return self._require_grad(requires_grad, "only Tensors of floating point dtype can "
                                                 "require gradients")

    def _require_grad(self, requires_grad: bool, refusal: str = "Only Tensors of floating point "
                      "and complex dtype can require gradients") -> "Tensor":
        """requires_grad_(), the attribute, and (by default) a tensor made with
        requires_grad=True or as an nn.Parameter: torch refuses each in its own words."""
        if self.grad_fn is not None:
            if requires_grad:
                return self
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a "
                "computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach().")
        if requires_grad and not self.dtype.is_floating_point:
            raise RuntimeError(refusal)
        self._requires_grad = bool(requires_grad)
        return self

    @property
    def grad_fn(self):
        fn = self._grad_fn
        base = self._base
        if (base is not None and self._view_version != self._vc[0]
                and base.requires_grad and (fn is not None or base._grad_fn is not None)):
            # The base changed in place after this view was made: like PyTorch, the view's
            # history is regenerated as an as_strided of its base's new history.
            from .ops.views import regenerate_view_grad_fn
            fn = regenerate_view_grad_fn(self)
        return fn

    @grad_fn.setter
    def grad_fn(self, node) -> None:
        self._grad_fn = node
        self._view_version = self._vc[0]

    def _set_history(self, node, output_nr: int = 0) -> None:
        """Make `node` this tensor's grad_fn (after an in-place op). As in PyTorch, hooks
        registered so far stay with the old node; a retain_grad() moves to the new one."""
        old = self._grad_fn
        if old is not None and self._retains_grad:
            ref = old._retains_grad_hooks.get(self._output_nr)
            if ref is not None:
                del old._retains_grad_hooks[self._output_nr]
                node._hooks("_retains_grad_hooks")[output_nr] = ref
        if self._backward_hooks is not None:
            self._backward_hooks = None
        self._grad_fn, self._output_nr = node, output_nr
        self._view_version = self._vc[0]

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def output_nr(self) -> int:
        return self._output_nr

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad and self.grad_fn is not None

    @property
    def grad(self):
        g = self._grad
        if g is None and not self._retains_grad and self.grad_fn is not None:
            import warnings
            warnings.warn(_NON_LEAF_GRAD_WARNING, UserWarning, stacklevel=2)
        return g

    @grad.setter
    def grad(self, value) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError("assigned grad expected to be a Tensor or None but got grad of "
                                f"type {type(value).__name__}")
            if value.dtype is not self.dtype:
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{_type_meta(value.dtype)}' to "
                    f"a tensor with grad_dtype '{_scalar_type(self.dtype)}'. The gradient must "
                    "match the tensor's grad_dtype (defaults to the tensor's dtype). You can set "
                    "the tensor's grad_dtype attribute with a specific dtype, or None to allow "
                    "any dtype. Set grad_dtype with caution. Diverging the dtypes of a tensor and "
                    "its gradient may break downstream systems that assume they match.")
            if tuple(value.shape) != tuple(self.shape):
                raise RuntimeError(
                    f"attempting to assign a gradient of size '{_dims(value.shape)}' to a tensor "
                    f"of size '{_dims(self.shape)}'. Please ensure that the gradient and the "
                    "tensor are the same size")
        self._grad = value

    @grad.deleter
    def grad(self) -> None:
        self._grad = None

    def _edge(self):
        """Where this tensor's gradient goes: (grad_fn, output_nr) or (AccumulateGrad, 0)."""
        fn = self._grad_fn if self._base is None else self.grad_fn   # (only a view's may be
        #                                                              regenerated)
        if fn is not None:
            return (fn, self._output_nr)
        if self._requires_grad:
            acc = self._accumulator() if self._accumulator is not None else None
            if acc is None:
                acc = AccumulateGrad(self)
                self._accumulator = weakref.ref(acc)
            return (acc, 0)
        return (None, 0)

    def retain_grad(self) -> None:
        """Keep the gradient of this non-leaf tensor in .grad after backward."""
        fn = self.grad_fn
        if fn is None:
            if not self._requires_grad:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            return
        if not self._retains_grad:
            self._retains_grad = True
            fn._hooks("_retains_grad_hooks")[self._output_nr] = weakref.ref(self)

    def register_hook(self, hook):
        """hook(grad) runs when this tensor's gradient is computed; it may return a new grad."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._backward_hooks is None:
            self._backward_hooks = OrderedDict()
            fn = self.grad_fn
            if fn is not None:  # a leaf's hooks are read by its AccumulateGrad
                fn._hooks("_tensor_pre_hooks").append((self._output_nr, self._backward_hooks))
        return add_hook(self._backward_hooks, hook)

    def register_post_accumulate_grad_hook(self, hook):
        """hook(tensor) runs after a leaf's .grad was accumulated."""
        if self.grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf "
                               "tensors")
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._post_accumulate_grad_hooks is None:
            self._post_accumulate_grad_hooks = OrderedDict()
        return add_hook(self._post_accumulate_grad_hooks, hook)

    def detach(self) -> "Tensor":
        t = self._detached_alias()
        t._base = None
        return t

    def detach_(self) -> "Tensor":
        if self._base is not None and self._base.requires_grad:
            raise RuntimeError("Can't detach views in-place. Use detach() instead. If you are "
                               "using DistributedDataParallel (DDP) for training, and "
                               "gradient_as_bucket_view is set as True, gradients are views of "
                               "DDP buckets, and hence detach_() cannot be called on these "
                               "gradients. To fix this error, please refer to the "
                               "Optimizer.zero_grad() function in torch/optim/optimizer.py as "
                               "the solution.")
        self._grad_fn = None
        self._requires_grad = False
        self._retains_grad = False
        return self

    @property
    def data(self) -> "Tensor":
        """The same storage with no history and its own version counter (unlike detach())."""
        t = self._detached_alias()
        t._base = None
        t._vc = [0]
        return t

    @data.setter
    def data(self, value: "Tensor") -> None:
        if not isinstance(value, Tensor):   # its memory becomes ours: nothing else will do
            raise TypeError(f"Variable data has to be a tensor, but got {type(value).__name__}")
        if value.shape != self.shape or value.dtype is not self.dtype:
            self._accumulator = None  # PyTorch makes a new AccumulateGrad for the new metadata
        self._data = value._data
        self._storage = value._storage
        self.dtype = value.dtype
        self._base = None
        if self._meta is not None or value._meta is not None:
            self._meta = value._meta

    def backward(self, gradient=None, retain_graph=None, create_graph: bool = False,
                 inputs=None) -> None:
        """Accumulate the gradient of this tensor (times `gradient`) into the leaves' .grad."""
        autograd.backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    # ---- conversion to Python and NumPy -----------------------------------------------
    def item(self):
        return self._scalar()

    def tolist(self):
        if self._meta is not None:
            from .ops.meta import no_data
            raise no_data()
        return self._data.tolist()

    def numpy(self, *, force: bool = False) -> np.ndarray:
        if self._meta is not None:
            raise TypeError("can't convert meta device type tensor to numpy. Use Tensor.cpu() "
                            "to copy the tensor to host memory first.")
        if self.requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        return self._data.view()   # its own ndarray object: setting its .shape or .dtype
        #                            must not relabel the tensor (torch's cannot either)

    def __array__(self, dtype=None, copy=None):
        arr = self.numpy()
        return arr if dtype is None else arr.astype(dtype)

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def _scalar(self):
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted "
                               "to Scalar")
        if self._meta is not None:
            raise RuntimeError("Tensor.item() cannot be called on meta tensors")
        return self._data.reshape(()).item()

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous"
                               if self._data.size > 1 else
                               "Boolean value of Tensor with no values is ambiguous")
        return bool(self._scalar())

    def __float__(self) -> float:
        return float(self._scalar())

    def __int__(self) -> int:
        return int(self._scalar())

    def __index__(self) -> int:
        if self.dtype.is_floating_point or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an "
                            "index")
        return int(self._scalar())

    def __complex__(self) -> complex:
        return complex(self._scalar())

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0 and self._meta is None:
            return self.item().__format__(spec)
        return object.__format__(self, spec) if spec else repr(self)

    def __repr__(self) -> str:
        from .printing import format_meta, format_tensor
        fn = self.grad_fn
        show = format_tensor if self._meta is None else format_meta
        return show(self._data, self.dtype, requires_grad=self.requires_grad and fn is None,
                    grad_fn_name=type(fn).__name__ if fn is not None else None)

    def __str__(self) -> str:
        return self.__repr__()  # so subclasses (Parameter) print their own way

    def __reduce_ex__(self, protocol):
        if self._meta is not None:   # (copy.copy, pickle) a shape and a dtype, no values
            return (_rebuild_meta, (tuple(self.shape), self.dtype.name, self._requires_grad))
        return (_rebuild, (self._data.copy(), self._requires_grad))

    def __deepcopy__(self, memo):
        if not self.is_leaf:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) "
                               "support the deepcopy protocol at the moment.  If you were "
                               "attempting to deepcopy a module, this may be because of a "
                               "torch.nn.utils.weight_norm usage, see "
                               "https://github.com/pytorch/pytorch/pull/103001")
        new = self._detached_copy()
        new._requires_grad = self._requires_grad
        new.__class__ = type(self)
        memo[id(self)] = new
        if self._grad is not None:
            new._grad = self._grad.__deepcopy__(memo)
        return new



def _is_library(cls: type) -> bool:
    """One of the engine's classes (named as torch's once the engine has loaded)."""
    return cls.__module__.split(".")[0] in ("engine", "torch")


# What a subclass of its own may (re)define: how it prints, how it is made.
_REDEFINABLE = frozenset({"__init__", "__repr__", "__str__", "__doc__", "__module__",
                          "__qualname__", "__dict__", "__weakref__", "__slots__",
                          "__init_subclass__", "__subclasshook__", "__annotations__",
                          "__firstlineno__", "__static_attributes__"})


def _check_subclass(cls: type) -> None:
    """Every name a tensor has (and __getattr__) must still come from the engine's tensor
    classes, or from object: not from the subclass, nor from another base before Tensor in
    its MRO (a Module's `to` or `__setattr__`)."""
    for name in sorted(set(dir(Tensor)) - _REDEFINABLE | {"__getattr__"}):
        owner = next((c for c in cls.__mro__ if name in vars(c)), None)
        if owner is None or owner is object or (issubclass(owner, Tensor) and
                                                _is_library(owner)):
            continue
        raise TypeError(f"class {cls.__name__} cannot redefine '{name}' of torch.Tensor: the "
                        "engine reads a tensor's shape, strides, storage, dtype and graph "
                        "through the tensor's own methods and properties; a subclass may add "
                        "methods and attributes of its own")


_NON_LEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad field "
    "to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you "
    "access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead. See "
    "github.com/pytorch/pytorch/pull/30531 for more information.")

# How PyTorch's C++ spells dtypes in the grad-assignment error: caffe2 TypeMeta and ScalarType.
_TYPE_META = {"float32": "float", "float64": "double", "float16": "c10::Half",
              "bfloat16": "c10::BFloat16", "int64": "long int", "int32": "int",
              "int16": "short int", "int8": "signed char", "uint8": "unsigned char", "bool": "bool"}
_SCALAR_TYPE = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
                "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
                "bool": "Bool"}


def _type_meta(d) -> str:
    return _TYPE_META.get(d.name, d.name)


def _scalar_type(d) -> str:
    return _SCALAR_TYPE.get(d.name, d.name)


def _dims(shape) -> str:
    return "[" + ", ".join(str(n) for n in shape) + "]"


def _rebuild(arr: np.ndarray, requires_grad: bool) -> Tensor:
    return Tensor._from_array(arr, requires_grad)


def _rebuild_meta(shape: tuple, dtype_name: str, requires_grad: bool) -> Tensor:
    from .ops.meta import empty
    t = empty(shape, dtypes._by_name(dtype_name))
    t._requires_grad = requires_grad
    return t


def _wrap_dim(dim: int, ndim: int) -> int:
    """PyTorch's maybe_wrap_dim: negative dims count from the end; 0-d tensors accept -1 and 0.
    An integer of another type (a 0-d tensor, a NumPy integer, a learner's int subclass) comes
    back as a plain int, so no caller compares or adds with the learner's own operators."""
    if type(dim) is not int:
        try:
            dim = operator.index(dim)
        except TypeError:
            pass     # not an integer: the caller's own error, as before
    bound = max(ndim, 1)
    if not -bound <= dim < bound:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-bound}, "
                         f"{bound - 1}], but got {dim})")
    return dim + bound if dim < 0 else dim


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)
