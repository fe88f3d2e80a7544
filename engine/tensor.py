"""The Tensor: a strided view over a flat storage, plus the autograd fields PyTorch keeps.

Every tensor aliases a 1-D NumPy array (its storage) through `_data`, a NumPy view with the
tensor's shape and strides. Views share the storage and the version counter of their base, so
`stride()`, `storage_offset()`, `data_ptr()` and in-place visibility are real, not simulated.
Math methods are attached by the op modules in `engine.ops`.
"""
from __future__ import annotations

import numpy as np

from . import dtypes
from .autograd import grad_mode
from .autograd.graph import AccumulateGrad
from .size import Size

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


def _storage_for(arr: np.ndarray) -> np.ndarray:
    """A 1-D array over the memory `arr` spans, starting at its first element."""
    if arr.flags.c_contiguous:
        return arr.reshape(-1)
    span = 1 + sum((n - 1) * s for n, s in zip(arr.shape, arr.strides)) // arr.itemsize
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

    __slots__ = ("_data", "_storage", "dtype", "_base", "_version", "_requires_grad",
                 "_grad_fn", "_output_nr", "grad", "_retains_grad", "_hooks", "_accumulator",
                 "_wrapped", "_view_version", "__weakref__", "__dict__")

    __array_priority__ = 1000
    __array_ufunc__ = None  # NumPy operators defer to the tensor's reflected operators
    __hash__ = object.__hash__

    def __new__(cls, *args, **kwargs):
        """The legacy constructor: torch.Tensor(2, 3) (uninitialized, here zeros) or
        torch.Tensor(data), in the default dtype."""
        from .ops.creation import legacy_new
        return legacy_new(dtypes.get_default_dtype(), args, kwargs)

    # ---- construction (internal) -------------------------------------------------------
    @classmethod
    def _from_array(cls, arr, requires_grad: bool = False, share: bool = False) -> "Tensor":
        """Wrap a NumPy array as a tensor with a storage of its own.

        A fresh dense result is used in place, so an op that returns a transposed layout keeps
        it (as PyTorch's TensorIterator does). `share=True` aliases the caller's memory instead
        (torch.from_numpy); otherwise anything that could alias other memory is copied.
        """
        if not isinstance(arr, np.ndarray):
            arr = np.asarray(arr)
        if share:
            if any(s < 0 for s in arr.strides):
                raise ValueError(
                    "At least one stride in the given numpy array is negative, and tensors with "
                    "negative strides are not currently supported. (You can probably work "
                    "around this by making a copy of your array  with array.copy().) ")
        elif arr.base is not None or not arr.flags.writeable or not _is_dense(arr):
            arr = np.array(arr, order="K" if _is_dense(arr) else "C")
        t = object.__new__(cls)
        t._data = arr
        t._storage = UntypedStorage(_storage_for(arr))
        t.dtype = dtypes.from_numpy_dtype(arr.dtype)
        t._base = None
        t._version = [0]
        t._init_autograd(requires_grad)
        return t

    def _init_autograd(self, requires_grad: bool) -> None:
        self._requires_grad = requires_grad
        self._grad_fn = None
        self._output_nr = 0
        self.grad = None
        self._retains_grad = False
        self._hooks = None
        self._accumulator = None
        self._wrapped = False
        self._view_version = 0

    def _make_view(self, arr: np.ndarray, cls=None) -> "Tensor":
        """A tensor over `arr`, a NumPy view into this tensor's storage."""
        t = object.__new__(cls or Tensor)
        t._data = arr
        t._storage = self._storage
        t.dtype = self.dtype
        t._base = self._base if self._base is not None else self
        t._version = self._version
        t._init_autograd(False)
        return t

    def _detached_alias(self) -> "Tensor":
        """Same storage and version counter, no autograd history (what detach() returns)."""
        t = object.__new__(Tensor)
        t._data = self._data
        t._storage = self._storage
        t.dtype = self.dtype
        t._base = self._base
        t._version = self._version
        t._init_autograd(False)
        return t

    def _with_grad_fn(self, node, output_nr: int) -> "Tensor":
        t = self._detached_alias()
        t._grad_fn, t._output_nr = node, output_nr
        return t

    def _detached_copy(self) -> "Tensor":
        return Tensor._from_array(self._data.copy())

    def _accumulate_(self, other: "Tensor") -> None:
        np.add(self._data, other._data, out=self._data, casting="unsafe")
        self._version[0] += 1

    # ---- shape and memory --------------------------------------------------------------
    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim: int | None = None):
        if dim is None:
            return Size(self._data.shape)
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
        strides = tuple(s // self._data.itemsize for s in self._data.strides)
        if dim is None:
            return strides
        return strides[_wrap_dim(dim, self._data.ndim)]

    def storage_offset(self) -> int:
        if self._data.size == 0:
            return 0
        delta = self._data.__array_interface__["data"][0] - self._storage.data_ptr()
        return delta // self._data.itemsize

    def data_ptr(self) -> int:
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
        from .device import CPU
        return CPU

    is_cuda = False
    is_sparse = False
    is_quantized = False
    is_meta = False
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
        return self

    def _is_view(self) -> bool:
        return self._base is not None

    @property
    def _version_counter(self) -> int:
        return self._version[0]

    # ---- autograd fields ---------------------------------------------------------------
    @property
    def requires_grad(self) -> bool:
        return self._requires_grad or self.grad_fn is not None

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        self.requires_grad_(flag)

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        if self.grad_fn is not None:
            if requires_grad:
                return self
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a "
                "computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach().")
        if requires_grad and not (self.dtype.is_floating_point):
            raise RuntimeError("only Tensors of floating point and complex dtype can require "
                               "gradients")
        self._requires_grad = bool(requires_grad)
        return self

    @property
    def grad_fn(self):
        fn = self._grad_fn
        base = self._base
        if (base is not None and self._view_version != self._version[0]
                and base.requires_grad and (fn is not None or base._grad_fn is not None)):
            # The base changed in place after this view was made: like PyTorch, the view's
            # history is regenerated as an as_strided of its base's new history.
            from .ops.views import regenerate_view_grad_fn
            fn = regenerate_view_grad_fn(self)
        return fn

    @grad_fn.setter
    def grad_fn(self, node) -> None:
        self._grad_fn = node
        self._view_version = self._version[0]

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def output_nr(self) -> int:
        return self._output_nr

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    def _edge(self):
        """Where this tensor's gradient goes: (grad_fn, output_nr) or (AccumulateGrad, 0)."""
        fn = self.grad_fn
        if fn is not None:
            return (fn, self._output_nr)
        if self._requires_grad:
            acc = self._accumulator() if self._accumulator is not None else None
            if acc is None:
                import weakref
                acc = AccumulateGrad(self)
                self._accumulator = weakref.ref(acc)
            return (acc, 0)
        return (None, 0)

    def retain_grad(self) -> None:
        if self.grad_fn is None:
            if not self._requires_grad:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            return
        self._retains_grad = True

    def register_hook(self, hook):
        """hook(grad) runs when this tensor's gradient is computed; it may return a new grad."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        from .autograd.graph import _RemovableHandle
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)
        return _RemovableHandle(self._hooks, hook)

    def detach(self) -> "Tensor":
        return self._detached_alias()

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
        return self

    @property
    def data(self) -> "Tensor":
        """The same storage with no history and its own version counter (unlike detach())."""
        t = self._detached_alias()
        t._version = [0]
        return t

    @data.setter
    def data(self, value: "Tensor") -> None:
        self._data = value._data
        self._storage = value._storage
        self.dtype = value.dtype
        self._base = value._base

    def backward(self, gradient=None, retain_graph=None, create_graph: bool = False,
                 inputs=None) -> None:
        from .autograd import backward
        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    # ---- conversion to Python and NumPy -----------------------------------------------
    def item(self):
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted "
                               "to Scalar")
        return self._data.reshape(()).item()

    def tolist(self):
        return self._data.tolist()

    def numpy(self, *, force: bool = False) -> np.ndarray:
        if self.requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        return self._data

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
        return self._data.reshape(()).item()

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError(f"Boolean value of Tensor with more than one value is ambiguous"
                               if self._data.size > 1 else
                               "Boolean value of Tensor with no values is ambiguous")
        return bool(self._data.reshape(()).item())

    def __float__(self) -> float:
        return float(self._scalar())

    def __int__(self) -> int:
        return int(self._scalar())

    def __index__(self) -> int:
        if self.dtype.is_floating_point or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an "
                            "index")
        return int(self._data.reshape(()).item())

    def __complex__(self) -> complex:
        return complex(self._scalar())

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec) if spec else repr(self)

    def __repr__(self) -> str:
        from .printing import format_tensor
        fn = self.grad_fn
        return format_tensor(self._data, self.dtype, requires_grad=self.requires_grad and fn is None,
                             grad_fn_name=fn.name() if fn is not None else None)

    __str__ = __repr__

    def __reduce_ex__(self, protocol):
        return (_rebuild, (self._data.copy(), self._requires_grad))

    def __deepcopy__(self, memo):
        if not self.is_leaf:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) "
                               "support the deepcopy protocol at the moment.  If you were "
                               "attempting to deepcopy a module, this may be because of a "
                               "torch.nn.utils.weight_norm usage, see "
                               "https://github.com/pytorch/pytorch/pull/103001")
        new = Tensor._from_array(self._data.copy(), self._requires_grad)
        new.__class__ = type(self)
        memo[id(self)] = new
        if self.grad is not None:
            new.grad = self.grad.__deepcopy__(memo)
        return new


def _rebuild(arr: np.ndarray, requires_grad: bool) -> Tensor:
    return Tensor._from_array(arr, requires_grad)


def _wrap_dim(dim: int, ndim: int) -> int:
    """PyTorch's maybe_wrap_dim: negative dims count from the end; 0-d tensors accept -1 and 0."""
    bound = max(ndim, 1)
    if not -bound <= dim < bound:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-bound}, "
                         f"{bound - 1}], but got {dim})")
    return dim + bound if dim < 0 else dim


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)
