"""torch.dtype objects and PyTorch's type-promotion rules.

Promotion follows c10's ResultTypeState: operands are ranked in three tiers (tensors with
dimensions, zero-dim tensors, Python scalars), and a lower tier only changes the result when it
belongs to a higher category (bool < integer < floating point).
"""
from __future__ import annotations

import builtins

import numpy as np

__all__ = ["dtype", "get_default_dtype", "set_default_dtype", "promote_types", "result_type",
           "can_cast", "finfo", "iinfo"]

_BOOL, _INT, _FLOAT = 0, 1, 2


class dtype:
    """A tensor element type; `np` is the NumPy dtype that stores it (None if unsupported)."""

    __slots__ = ("name", "np", "itemsize", "is_floating_point", "is_signed", "category", "legacy",
                 "cpp")

    def __new__(cls, *args, **kwargs):
        """As in PyTorch, only the library makes dtypes (the engine trusts a dtype's `np` and
        `itemsize`: one made with an object dtype would put Python objects in a tensor)."""
        raise TypeError("cannot create 'torch.dtype' instances")

    def __init_subclass__(cls, **kwargs) -> None:
        raise TypeError("type 'torch.dtype' is not an acceptable base type")

    is_complex = False

    def __repr__(self) -> str:
        return "torch." + self.name

    def __reduce__(self):
        return (_by_name, (self.name,))

    def to_real(self) -> "dtype":
        return self

    @property
    def scalar_name(self) -> str:
        """The ScalarType name PyTorch's error messages use: Float, Long, Bool, Half, ..."""
        return self.legacy[:-len("Tensor")]


def _make(name: str, np_dtype, itemsize: int, category: int, signed: bool, legacy: str,
          cpp: str) -> dtype:
    d = object.__new__(dtype)
    d.name = name
    d.np = np.dtype(np_dtype) if np_dtype is not None else None
    d.itemsize = itemsize
    d.category = category
    d.is_floating_point = category == _FLOAT
    d.is_signed = signed
    d.legacy = legacy  # the legacy type name, e.g. FloatTensor
    d.cpp = cpp        # the C++ type name some PyTorch messages print, e.g. "long int"
    return d


bool = _make("bool", np.bool_, 1, _BOOL, False, "BoolTensor", "bool")  # noqa: A001 - torch.bool
uint8 = _make("uint8", np.uint8, 1, _INT, False, "ByteTensor", "unsigned char")
int8 = _make("int8", np.int8, 1, _INT, True, "CharTensor", "signed char")
int16 = _make("int16", np.int16, 2, _INT, True, "ShortTensor", "short int")
int32 = _make("int32", np.int32, 4, _INT, True, "IntTensor", "int")
int64 = _make("int64", np.int64, 8, _INT, True, "LongTensor", "long int")
float16 = _make("float16", np.float16, 2, _FLOAT, True, "HalfTensor", "c10::Half")
float32 = _make("float32", np.float32, 4, _FLOAT, True, "FloatTensor", "float")
float64 = _make("float64", np.float64, 8, _FLOAT, True, "DoubleTensor", "double")
# NumPy has no bfloat16; the dtype exists so code can name it, and creating one is refused.
bfloat16 = _make("bfloat16", None, 2, _FLOAT, True, "BFloat16Tensor", "c10::BFloat16")

ALL = (bool, uint8, int8, int16, int32, int64, float16, float32, float64, bfloat16)
ALIASES = {"half": float16, "float": float32, "double": float64, "short": int16, "int": int32,
           "long": int64}
_NAMES = {d.name: d for d in ALL} | ALIASES
BY_NUMPY = {d.np: d for d in ALL if d.np is not None}


def _by_name(name: str) -> dtype:
    return _NAMES[name]


def from_numpy_dtype(np_dtype) -> dtype:
    """The engine dtype that stores `np_dtype`; TypeError for NumPy types PyTorch lacks."""
    found = BY_NUMPY.get(np_dtype) or BY_NUMPY.get(np.dtype(np_dtype))  # most get a np.dtype
    if found is None:
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{np.dtype(np_dtype).type.__name__}. The only "
            "supported types are: float64, float32, float16, complex64, complex128, int64, int32, "
            "int16, int8, uint64, uint32, uint16, uint8, and bool.")
    return found


def check_supported(d: dtype) -> dtype:
    if d.np is None:
        raise TypeError(f"{d} is not supported by Autograd Explorer's NumPy engine "
                        "(NumPy has no bfloat16 type); use torch.float16 or torch.float32")
    return d


_default = float32


def get_default_dtype() -> dtype:
    return _default


def set_default_dtype(d: dtype) -> None:
    global _default
    if d not in (float32, float64, float16, bfloat16):
        raise TypeError("only floating-point types are supported as the default type")
    _default = check_supported(d)


def promote_types(a: dtype, b: dtype) -> dtype:
    """torch.promote_types: the smallest dtype both operands convert to without losing category."""
    if a is b:
        return a
    if a.category != b.category:
        return a if a.category > b.category else b
    if bfloat16 in (a, b):  # NumPy has no bfloat16: float16 with it meets at float32
        other = b if a is bfloat16 else a
        return float32 if other is float16 else (other if other.itemsize > 2 else bfloat16)
    return BY_NUMPY[np.promote_types(a.np, b.np)]


def can_cast(from_: dtype, to: dtype) -> builtins.bool:
    """torch.can_cast: no casting down a category (float to integer, integer to bool)."""
    return from_.category <= to.category


def scalar_dtype(value) -> dtype:
    """The dtype a Python number is wrapped as (floats become float64, like PyTorch)."""
    if isinstance(value, (builtins.bool, np.bool_)):
        return bool
    if isinstance(value, (int, np.integer)):
        return int64
    if isinstance(value, (float, np.floating)):
        return float64
    if isinstance(value, complex):
        raise TypeError("complex numbers are not supported by Autograd Explorer's engine")
    raise TypeError(f"unsupported scalar type {type(value).__name__}")


def _combine(higher: dtype | None, lower: dtype | None) -> dtype | None:
    if higher is None:
        return lower
    if lower is None or higher.is_floating_point:
        return higher
    if higher is bool or lower.is_floating_point:
        return promote_types(higher, lower)
    return higher


def _promote(a: dtype | None, b: dtype) -> dtype:
    return b if a is None else promote_types(a, b)


def result_type(*operands) -> dtype:
    """torch.result_type over tensors (anything with .dtype and .dim()) and Python scalars."""
    if len(operands) == 2:   # the common case: two operands of one dtype keep it, in any tier
        first = getattr(operands[0], "dtype", None)
        if isinstance(first, dtype) and getattr(operands[1], "dtype", None) is first and \
                not (first.is_floating_point and getattr(operands[0], "_wrapped", False)):
            return first   # (two wrapped Python floats take the default dtype, below)
    dim_result = zero_result = wrapped_result = None
    for op in operands:
        if getattr(op, "_wrapped", False):   # a Python number already wrapped as a tensor
            d = op.dtype
            wrapped_result = _promote(wrapped_result, _default if d.is_floating_point else d)
        elif hasattr(op, "dtype") and hasattr(op, "dim"):
            if op.dim() > 0:
                dim_result = _promote(dim_result, op.dtype)
            else:
                zero_result = _promote(zero_result, op.dtype)
        else:
            d = scalar_dtype(op)
            if d.is_floating_point:
                d = _default
            wrapped_result = _promote(wrapped_result, d)
    out = _combine(dim_result, _combine(zero_result, wrapped_result))
    if out is None:
        raise TypeError("result_type needs at least one operand")
    return out


class finfo:
    """torch.finfo: the limits of a floating-point dtype (the default dtype if none given)."""

    _BFLOAT16 = {"bits": 16, "eps": 0.0078125, "max": 3.3895313892515355e+38,
                 "tiny": 1.1754943508222875e-38, "resolution": 0.01}

    def __init__(self, type=None) -> None:  # noqa: A002 - PyTorch's parameter name
        type = _default if type is None else type  # noqa: A001
        if not isinstance(type, dtype):
            raise TypeError(f"finfo(): argument 'type' (position 1) must be torch.dtype, not "
                            f"{builtins.type(type).__name__}")
        if not type.is_floating_point:
            raise TypeError("torch.finfo() requires a floating point input type. Use torch.iinfo "
                            "to handle 'torch.finfo'")
        if type is bfloat16:
            info = self._BFLOAT16
        else:
            f = np.finfo(type.np)
            info = {"bits": f.bits, "eps": float(f.eps), "max": float(f.max),
                    "tiny": float(f.smallest_normal), "resolution": 10.0 ** -f.precision}
        self.bits, self.eps, self.max = info["bits"], info["eps"], info["max"]
        self.min, self.tiny = -info["max"], info["tiny"]
        self.smallest_normal, self.resolution = info["tiny"], info["resolution"]
        self.dtype = type.name

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, "
                f"tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:
    """torch.iinfo: the limits of an integer dtype."""

    def __init__(self, type) -> None:  # noqa: A002
        if not isinstance(type, dtype):
            raise TypeError(f"iinfo(): argument 'type' (position 1) must be torch.dtype, not "
                            f"{builtins.type(type).__name__}")
        if type is bool:
            raise TypeError("torch.bool is not supported by torch.iinfo")
        if type.is_floating_point:
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo to "
                            "handle 'torch.iinfo'")
        i = np.iinfo(type.np)
        self.bits, self.max, self.min, self.dtype = i.bits, int(i.max), int(i.min), type.name

    def __repr__(self) -> str:
        return f"iinfo(min={float(self.min):g}, max={float(self.max):g}, dtype={self.dtype})"
