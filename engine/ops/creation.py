"""Creating tensors: from data, filled, ranges, random (same numbers as PyTorch), legacy types."""
from __future__ import annotations

import builtins
import fractions
import functools
import math

import numpy as np

from .. import caller_warning
from .. import dtypes
from .. import random as _random
from ..libm import elementwise
from ..device import CPU, META, check_cpu, default_device, is_meta
from ..memory_format import channels_last, contiguous_format, preserve_format, strides_for
from ..tensor import Tensor
from .registry import expose, writes_out
from .arguments import invalid_combination, missing_arguments, number
from .pointwise.iteration import check_fits

_MAX_ELEMENTS = None  # set by a sandbox to refuse huge allocations before they happen


def set_element_limit(limit: int | None) -> None:
    """Refuse to create any tensor with more than `limit` elements (None: no limit)."""
    global _MAX_ELEMENTS
    _MAX_ELEMENTS = limit


def check_numel(shape) -> None:
    if _MAX_ELEMENTS is not None:
        n = math.prod(shape)
        if n > _MAX_ELEMENTS:
            raise RuntimeError(f"refusing to allocate a tensor of {n:,} elements (shape "
                               f"{list(shape)}): the limit here is {_MAX_ELEMENTS:,} elements")


def _size(size, name: str = "empty", limit: bool = True) -> tuple:
    """A shape from varargs or one sequence, with PyTorch's errors (checked before allocating;
    `limit`: against the element limit, which a meta tensor, having no data, is not held to)."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    out = []
    for s in size:
        if isinstance(s, Tensor):
            s = int(s)
        if not isinstance(s, (int, np.integer)) or isinstance(s, builtins.bool):
            raise TypeError(f"{name}(): argument 'size' (position 1) must be tuple of ints, not "
                            f"{type(s).__name__}" if len(size) == 1 else
                            f"{name}(): argument 'size' (position {len(out) + 1}) must be tuple "
                            f"of ints, but found element of type {type(s).__name__} at pos "
                            f"{len(out)}")
        if s < 0:
            if name == "zeros":
                raise RuntimeError("zeros: Dimension size must be non-negative.")
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"{list(size)}")
        out.append(int(s))
    if limit:
        check_numel(out)
    return tuple(out)


def _dtype(dtype, default=None) -> dtypes.dtype:
    d = dtype if dtype is not None else (default or dtypes.get_default_dtype())
    return dtypes.check_supported(d)


def _on_meta(device) -> bool:
    """Whether a factory given `device` makes its tensor on the meta device."""
    return is_meta(device if device is not None else default_device())


def _finish(t: Tensor, requires_grad: bool, device=None) -> Tensor:
    device = device if device is not None else default_device()
    if is_meta(device):
        if t._meta is None:   # made from data (torch.tensor, arange, ...): keep the shape
            from .meta import from_shape_of
            t = from_shape_of(t)
    else:
        check_cpu(device)
    if requires_grad:
        t._require_grad(True)
    return t


# ---- from data ------------------------------------------------------------------------------
def _infer(data, dtype=None):
    """Shape check (PyTorch's ragged-list errors) and the dtype Python data implies (`dtype`:
    the one asked for, which words the refusal of a list where a number goes)."""
    category = [-1]  # -1: no scalar seen (an empty list gives the default dtype)
    found_dtype = [None]
    numbers_at, misplaced = [None], []   # the depth of the first number; lists found below it

    def walk(x, depth, shape):
        if isinstance(x, (list, tuple)) and numbers_at[0] is not None and depth >= numbers_at[0]:
            misplaced.append(type(x).__name__)
            for v in x:                        # its numbers still count toward the dtype
                walk(v, depth + 1, [])
            return 0
        if not isinstance(x, (list, tuple)) and numbers_at[0] is None:
            numbers_at[0] = depth
        if isinstance(x, Tensor):      # a tensor inside a list is one number, as in torch
            if x.numel() != 1:
                raise ValueError("only one element tensors can be converted to Python scalars")
            if len(shape) > depth:
                raise TypeError("not a sequence")
            found_dtype[0] = x.dtype if found_dtype[0] is None else dtypes.promote_types(
                found_dtype[0], x.dtype)
            return x.item()
        if isinstance(x, (list, tuple)):
            if len(shape) <= depth:
                shape.append(len(x))
            elif shape[depth] != len(x):
                raise ValueError(f"expected sequence of length {shape[depth]} at dim {depth} "
                                 f"(got {len(x)})")
            return [walk(v, depth + 1, shape) for v in x]
        if len(shape) > depth:
            raise TypeError("not a sequence")
        if isinstance(x, (builtins.bool, np.bool_)):
            category[0] = builtins.max(category[0], 0)
        elif isinstance(x, (int, np.integer)):
            category[0] = builtins.max(category[0], 1)
        elif isinstance(x, (float, np.floating)):
            category[0] = builtins.max(category[0], 2)
        else:
            raise TypeError(f"new(): invalid data type '{type(x).__name__}'")
        return x

    values = walk(data, 0, [])
    if found_dtype[0] is not None and category[0] <= found_dtype[0].category:
        inferred = found_dtype[0]
    elif category[0] < 0:
        inferred = dtypes.get_default_dtype()
    else:
        inferred = (dtypes.bool, dtypes.int64, dtypes.get_default_dtype())[category[0]]
    if misplaced:      # torch stores numbers as the dtype's C type, and words it so
        kind = misplaced[0]
        raise TypeError(f"must be real number, not {kind}"
                        if _dtype(dtype, inferred).is_floating_point else
                        f"'{kind}' object cannot be interpreted as an integer")
    return values, inferred


def _array_of(values, d: dtypes.dtype) -> np.ndarray:
    """Python data as an array of d, refused as torch refuses it: an int beyond 64 bits cannot
    be unpacked, one beyond an integer d's range cannot be converted (an unsigned d takes
    -max..-1, wrapping around as c10's checked_convert allows)."""
    try:
        return np.array(values, dtype=d.np)
    except OverflowError:
        if d.is_floating_point or d is dtypes.bool:
            raise
    try:
        wide = np.array(values, dtype=np.int64)
    except OverflowError:
        raise ValueError("Overflow when unpacking long long") from None
    info = np.iinfo(d.np)
    if ((wide < (-info.max if info.min == 0 else info.min)) | (wide > info.max)).any():
        raise RuntimeError(f"value cannot be converted to type {d.name} without overflow")
    return wide.astype(d.np)


def tensor(data, *, dtype=None, device=None, requires_grad: bool = False,
           pin_memory: bool = False) -> Tensor:
    """A new tensor that copies `data` (lists, numbers, NumPy arrays or tensors)."""
    if isinstance(data, Tensor):
        caller_warning.warn("To copy construct from a tensor, it is recommended to use "
                            "sourceTensor.detach().clone() or sourceTensor.detach().clone()."
                            "requires_grad_(True), rather than torch.tensor(sourceTensor).")
        arr = data._data.copy()
    elif isinstance(data, np.ndarray):
        arr = np.array(data, copy=True)
        dtypes.from_numpy_dtype(arr.dtype)
    elif isinstance(data, (np.generic,)):
        arr = np.array(data)
    else:
        values, inferred = _infer(data, dtype)
        arr = _array_of(values, _dtype(dtype, inferred))
    if dtype is not None:
        arr = arr.astype(_dtype(dtype).np, copy=False)
    check_numel(arr.shape)
    order = "K" if isinstance(data, np.ndarray) else "C"   # an array keeps its dim order
    return _finish(Tensor._from_array(np.array(arr, order=order)), requires_grad, device)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """Share memory with a tensor or NumPy array when no conversion is needed."""
    if is_meta(device):
        return tensor(data, dtype=dtype, device=device)
    check_cpu(device)
    if isinstance(data, Tensor):
        return data if dtype is None or dtype is data.dtype else data.to(dtype)
    if isinstance(data, np.ndarray) and (dtype is None or dtype.np == data.dtype):
        return from_numpy(data)
    return tensor(data, dtype=dtype)


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A tensor sharing the array's memory: a write through either is seen by both."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    dtypes.from_numpy_dtype(ndarray.dtype)
    if not ndarray.flags.writeable:
        caller_warning.warn("The given NumPy array is not writable, and PyTorch does not support "
                            "non-writable tensors.")
    return Tensor._from_array(ndarray, share=True)


# ---- filled ---------------------------------------------------------------------------------
def _sized(size: tuple, name: str) -> tuple:
    """zeros/ones/empty need a size: `torch.empty()` is a TypeError in torch, not a 0-dim
    tensor (that is `torch.empty(())`)."""
    if not size:
        raise missing_arguments(name, ["size"])
    return size


def _needs_size(fn):
    """rand()/randn() without a size: torch's overload error when called bare, its missing
    argument once any keyword is given (even one at its default, such as generator=None)."""
    @functools.wraps(fn)
    def call(*size, **options):
        if not size and not options:
            raise invalid_combination(fn.__name__, ())
        return fn(*_sized(size, fn.__name__), **options)
    return call


def _filled(fill, size, dtype, device, requires_grad, default=None, name="empty") -> Tensor:
    """A tensor of `size` filled with `fill`; on the meta device, nothing filled or drawn."""
    on_meta = _on_meta(device)
    shape = _size(size, name, limit=not on_meta)
    d = _dtype(dtype, default)
    if on_meta:
        from .meta import empty as meta_empty
        return _finish(meta_empty(shape, d), requires_grad, device)
    return _finish(Tensor._from_array(np.full(shape, np.asarray(fill).astype(d.np), dtype=d.np)),
                   requires_grad, device)


@writes_out
def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False) -> Tensor:
    return _filled(0, _sized(size, "zeros"), dtype, device, requires_grad, name="zeros")


@writes_out
def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False) -> Tensor:
    return _filled(1, _sized(size, "ones"), dtype, device, requires_grad, name="ones")


@writes_out
def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, memory_format=contiguous_format) -> Tensor:
    """Uninitialized in PyTorch; zeros here, so runs stay deterministic."""
    t = _filled(0, _sized(size, "empty"), dtype, device, requires_grad)
    if memory_format is channels_last:
        return empty_strided(t.shape, strides_for(t.shape, channels_last), dtype=t.dtype,
                             requires_grad=requires_grad, device=t.device)
    return t


@writes_out
def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None,
         requires_grad=False) -> Tensor:
    fill_value = number(fill_value)
    default = dtypes.scalar_dtype(fill_value)
    if default.is_floating_point:
        default = dtypes.get_default_dtype()
    check_fits(fill_value, _dtype(dtype, default))
    return _filled(fill_value, (size,), dtype, device, requires_grad, default, name="full")


def empty_strided(size, stride, *, dtype=None, layout=None, device=None,
                  requires_grad=False, pin_memory=False) -> Tensor:
    from .views import int_list
    for position, (name, value) in enumerate((("size", size), ("stride", stride)), 1):
        if not isinstance(value, (tuple, list)):
            raise TypeError(f"empty_strided(): argument '{name}' (position {position}) must be "
                            f"tuple of ints, not {type(value).__name__}")
    size = int_list("empty_strided", "size", (size,))      # plain ints: the span below and
    stride = int_list("empty_strided", "stride", (stride,))  # the view are the same numbers
    if len(size) != len(stride):
        raise RuntimeError(f"dimensionality of sizes ({len(size)}) must match dimensionality of "
                           f"strides ({len(stride)})")
    d = _dtype(dtype)
    if _on_meta(device):
        from . import meta
        return _finish(meta.empty_strided(size, stride, d), requires_grad, device)
    span = 1 + sum((n - 1) * s for n, s in zip(size, stride)) if all(size) else 0
    check_numel((span,))
    storage = Tensor._from_array(np.zeros(span, dtype=d.np))
    from .views import strided_view
    arr = strided_view(storage._storage.array, size, stride, 0)
    t = storage._make_view(arr)
    t._base = None
    return _finish(t, requires_grad, device)


def _like(fn, input: Tensor, dtype, requires_grad, memory_format, device=None, **kw) -> Tensor:
    """A new tensor shaped like input, on input's device unless told; preserve_format keeps
    input's dense dim order."""
    from ..memory_format import dense_strides_like
    if device is None:   # (input.device, without the property's import)
        device = CPU if input._meta is None else META
    if is_meta(device):
        strides = dense_strides_like(input.shape, input.stride()) \
            if memory_format is preserve_format else strides_for(input.shape, memory_format)
        return empty_strided(input.shape, strides, dtype=dtype or input.dtype, device=device,
                             requires_grad=requires_grad)
    t = fn(input.shape, dtype=dtype or input.dtype, requires_grad=False, device=device, **kw)
    if memory_format is preserve_format:
        strides = dense_strides_like(input.shape, input.stride())
        if strides != t.stride():
            laid_out = empty_strided(input.shape, strides, dtype=t.dtype)
            laid_out._data[...] = t._data
            t = laid_out
    elif memory_format is channels_last:
        t = t.contiguous(memory_format=channels_last)
    return _finish(t, requires_grad)


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=preserve_format) -> Tensor:
    return _like(zeros, input, dtype, requires_grad, memory_format, device)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=preserve_format) -> Tensor:
    return _like(ones, input, dtype, requires_grad, memory_format, device)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=preserve_format) -> Tensor:
    return _like(zeros, input, dtype, requires_grad, memory_format, device)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=preserve_format) -> Tensor:
    return _like(lambda shape, **kw: full(shape, fill_value, **kw), input, dtype, requires_grad,
                 memory_format, device)


@writes_out
def eye(n: int, m: int | None = None, *, out=None, dtype=None, layout=None, device=None,
        requires_grad=False) -> Tensor:
    m = n if m is None else m
    for name, v in (("n", n), ("m", m)):
        if v < 0:
            raise RuntimeError(f"{name} must be greater or equal to 0, got {v}")
    _size((n, m))
    return _finish(Tensor._from_array(np.eye(n, m, dtype=_dtype(dtype).np)), requires_grad,
                   device)


# ---- ranges ---------------------------------------------------------------------------------
@writes_out
def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False) -> Tensor:
    if end is None:
        start, end = 0, start
    values = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    start, end, step = values
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) / step < 0 and end != start:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    is_float = any(isinstance(v, float) for v in values)
    d = _dtype(dtype, dtypes.get_default_dtype() if is_float else dtypes.int64)
    n = max(math.ceil((end - start) / step), 0)
    check_numel((n,))
    arr = (start + np.arange(n, dtype=np.float64) * step) if is_float or d.is_floating_point \
        else np.arange(start, start + n * step, step, dtype=np.int64)[:n]
    return _finish(Tensor._from_array(arr.astype(d.np)), requires_grad, device)


@writes_out
def linspace(start, end, steps: int, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False) -> Tensor:
    """PyTorch's kernel: start and end taken as the output's type, the step computed in it (in
    float64 for an integer type)."""
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    d = _dtype(dtype)
    check_numel((steps,))
    work = d.np.type if d.is_floating_point else np.float64
    first, last = (work(_as_type(v, d)) for v in (start, end))
    if steps <= 1:
        arr = np.full(steps, first, dtype=work)
    else:
        arr = _symmetric(first, last, (last - first) / work(steps - 1), steps, work, fused=True)
    return _finish(Tensor._from_array(arr.astype(d.np)), requires_grad, device)


def logspace(start, end, steps: int, base: float = 10.0, *, dtype=None, requires_grad=False,
             **kw) -> Tensor:
    """PyTorch's kernel: base ** (the exponents as linspace spaces them, but stepped in float64
    from start and end taken as the output's type)."""
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    d = _dtype(dtype)
    check_numel((steps,))
    if steps == 1:   # torch fills one value, checked as fill_ checks it
        check_fits(_c_pow(float(base), float(start)), d)
    if steps <= 1:
        exps = np.full(steps, float(start))
    else:
        first, last = (_as_type(v, d) for v in (start, end))
        step = np.float64(last - first) / (steps - 1)
        exps = _symmetric(np.float64(first), np.float64(last), step, steps, np.float64,
                          fused=False)
    powers = elementwise(functools.partial(_c_pow, float(base)), exps)
    return _finish(Tensor._from_array(powers.astype(d.np)), requires_grad)


def _c_pow(base: float, exponent: float) -> float:
    """C's pow (glibc, as torch's kernel calls it; NumPy's SIMD pow may differ in the last
    bit), where Python would raise: inf on overflow, nan for a negative base's root."""
    try:
        return math.pow(base, exponent)
    except OverflowError:
        odd = exponent % 2 == 1
        return -math.inf if base < 0 and odd else math.inf
    except ValueError:
        return -math.nan    # x86's default NaN, which glibc returns, has its sign bit set


def _as_type(value, d: dtypes.dtype):
    """A Scalar as the kernel's C type: an integer type truncates, a float type rounds."""
    return d.np.type(value) if d.is_floating_point else builtins.int(value)


def _symmetric(first, last, step, steps: int, work, fused: bool) -> np.ndarray:
    """The first half counts up from first, the rest down from last. `fused`: the kernel is
    compiled for AVX2/AVX-512, where the compiler fuses multiply and add (linspace's kernel is;
    logspace is in a file built for the baseline CPU)."""
    i = np.arange(steps)
    up = i < steps // 2
    a, k, c = np.where(up, step, -step), np.where(up, i, steps - i - 1), np.where(up, first, last)
    if fused and work in (np.float32, np.float64):    # (float16 rounds after each operation)
        return _fused_multiply_add(a, k, c, work)
    return a * k.astype(work) + c


def _fused_multiply_add(a: np.ndarray, k: np.ndarray, c: np.ndarray, work) -> np.ndarray:
    """a * k + c rounded once, as the compiled kernel's fused multiply-add rounds it (float32 or
    float64; k are integers below 2**26). float32 works in float64, where a * k is exact and
    the sum is exact but for a rest that matters only where the float64 sum lies halfway
    between two float32s (rounding twice would break that tie by evenness, not by the rest);
    float64 splits the sum into exact parts (Dekker's product, Knuth's sum) and, where the last
    two parts do not add exactly, rounds the exact rational."""
    if work is np.float32:
        total, rest = _two_sum(a.astype(np.float64) * k, c.astype(np.float64))
        rounded = total.astype(np.float32)
        wide = rounded.astype(np.float64)
        toward = np.where(total > wide, np.float32(np.inf), np.float32(-np.inf))
        neighbour = np.nextafter(rounded, toward)
        halfway = (total != wide) & (total == (wide + neighbour.astype(np.float64)) / 2)
        beyond = np.sign(rest) == np.sign(total - wide)      # the rest leans to the neighbour
        return np.where(halfway & (rest != 0) & beyond, neighbour, rounded)
    k = k.astype(np.float64)
    product = a * k
    split = 134217729.0 * a                       # 2**27 + 1: a's high and low halves
    high = split - (split - a)
    error = (high * k - product) + (a - high) * k  # each half times k is exact
    total, rounding = _two_sum(product, c)
    rest, lost = _two_sum(rounding, error)
    fused = total + rest
    for j in np.flatnonzero((lost != 0) & np.isfinite(fused)):
        fused[j] = float(fractions.Fraction(a[j]) * int(k[j]) + fractions.Fraction(c[j]))
    return np.where(np.isfinite(fused), fused, product + c)


def _two_sum(x: np.ndarray, y: np.ndarray) -> tuple:
    """x + y as its rounded sum and the exact rest."""
    total = x + y
    back = total - x
    return total, (x - (total - back)) + (y - back)


# ---- random: the same stream and transforms as PyTorch's CPU generator --------------------
def _random_tensor(arr: np.ndarray, requires_grad: bool, device) -> Tensor:
    return _finish(Tensor._from_array(arr), requires_grad, device)


@_needs_size
@writes_out
def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False) -> Tensor:
    if _on_meta(device):
        return _filled(0, size, dtype, device, requires_grad)
    shape = _size(size)
    return _random_tensor(_random.uniform(shape, _dtype(dtype).np, generator=generator),
                          requires_grad, device)


@_needs_size
@writes_out
def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None,
          requires_grad=False, pin_memory=False) -> Tensor:
    if _on_meta(device):
        return _filled(0, size, dtype, device, requires_grad)
    shape = _size(size)
    return _random_tensor(_random.normal(shape, _dtype(dtype).np, generator=generator),
                          requires_grad, device)


@writes_out
def randint(low, high=None, size=None, *, generator=None, out=None, dtype=None, layout=None,
            device=None, requires_grad=False) -> Tensor:
    if size is None:
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= "
                           f"to={high}")
    if _on_meta(device):
        return _filled(0, (size,), dtype, device, requires_grad, dtypes.int64)
    shape = _size((size,))
    return _random_tensor(_random.randint(shape, low, high, _dtype(dtype, dtypes.int64).np,
                                          generator=generator), requires_grad, device)


@writes_out
def randperm(n: int, *, generator=None, out=None, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False) -> Tensor:
    _size((n,))
    return _random_tensor(_random.randperm(n, _dtype(dtype, dtypes.int64).np,
                                           generator=generator), requires_grad, device)


@writes_out
def normal(mean, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None,
           device=None, requires_grad=False) -> Tensor:
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        like = mean if isinstance(mean, Tensor) else std
        m = mean._data if isinstance(mean, Tensor) else mean
        s = std._data if isinstance(std, Tensor) else std
        if isinstance(std, Tensor) and np.any(std._data < 0):
            raise RuntimeError("normal expects all elements of std >= 0.0")
        return Tensor._from_array(_random.normal_tensor(m, s, like.dtype.np, generator=generator))
    if size is None:
        raise TypeError("normal() received an invalid combination of arguments")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    shape = _size((size,))
    return _random_tensor(_random.normal(shape, _dtype(dtype).np, mean, std, generator=generator),
                          requires_grad, device)


def rand_like(input, *, dtype=None, requires_grad=False, device=None, **kw) -> Tensor:
    return rand(input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad,
                device=input.device if device is None else device)


def randn_like(input, *, dtype=None, requires_grad=False, device=None, **kw) -> Tensor:
    return randn(input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad,
                 device=input.device if device is None else device)


def randint_like(input, low=0, high=None, *, dtype=None, requires_grad=False, device=None,
                 **kw) -> Tensor:
    if high is None:
        low, high = 0, low
    return randint(low, high, input.shape, dtype=dtype or input.dtype,
                   requires_grad=requires_grad, device=input.device if device is None else device)


@writes_out
def bernoulli(input: Tensor, p=None, *, generator=None, out=None) -> Tensor:
    if input.is_meta:   # nothing drawn
        return empty_like(input, memory_format=contiguous_format)
    probs = input._data if p is None else p
    return Tensor._from_array(_random.bernoulli(probs, input.shape, input.dtype.np,
                                                generator=generator))


@writes_out
def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *, generator=None,
                out=None) -> Tensor:
    return Tensor._from_array(_random.multinomial(input._data, num_samples, replacement,
                                                  generator=generator))


def _fill_random(self: Tensor, draw) -> Tensor:
    """self's values replaced by draw()'s, in place (a meta tensor has none: nothing drawn)."""
    from .registry import check_inplace_allowed
    from ..autograd.grad_mode import is_grad_enabled
    if is_grad_enabled():
        check_inplace_allowed(self)
    if self._meta is None:
        self._data[...] = draw()
    self._bump_version()
    return self


def uniform_(self: Tensor, a: float = 0.0, b: float = 1.0, *, generator=None) -> Tensor:
    return _fill_random(self, lambda: _random.uniform(self.shape, self.dtype.np, a, b,
                                                      generator=generator))


def normal_(self: Tensor, mean: float = 0.0, std: float = 1.0, *, generator=None) -> Tensor:
    return _fill_random(self, lambda: _random.normal(self.shape, self.dtype.np, mean, std,
                                                     generator=generator))


def random_(self: Tensor, from_=None, to=None, *, generator=None) -> Tensor:
    if from_ is None:
        return _fill_random(self, lambda: _random.random_(self.shape, self.dtype.np,
                                                          generator=generator))
    if to is None:
        from_, to = 0, from_
    return _fill_random(self, lambda: _random.randint(self.shape, from_, to, self.dtype.np,
                                                      generator=generator))


def bernoulli_(self: Tensor, p=0.5, *, generator=None) -> Tensor:
    probs = p._data if isinstance(p, Tensor) else p
    return _fill_random(self, lambda: _random.bernoulli(probs, self.shape, self.dtype.np,
                                                        generator=generator))


def exponential_(self: Tensor, lambd: float = 1.0, *, generator=None) -> Tensor:
    return _fill_random(self, lambda: _random.exponential(self.shape, self.dtype.np, lambd,
                                                          generator=generator))


# ---- legacy constructors ------------------------------------------------------------------
def _legacy_device(dev) -> None:
    """The legacy constructors take a CPU device only (the meta device too is refused)."""
    if dev is None:
        return
    if isinstance(dev, int):
        raise RuntimeError("Cannot access accelerator device when none is available.")
    from ..device import device
    d = dev if isinstance(dev, device) else device(str(dev))
    if d.type != "cpu":
        raise RuntimeError(f"legacy constructor expects device type: cpu but device type: "
                           f"{d.type} was passed")


def legacy_new(dtype: dtypes.dtype, args: tuple, kwargs: dict) -> Tensor:
    """torch.Tensor(2, 3) / torch.FloatTensor([1, 2]): sizes give zeros, data is copied."""
    _legacy_device(kwargs.pop("device", None))
    if not args:
        return zeros(0, dtype=dtype)
    if all(isinstance(a, (int, np.integer)) for a in args) or (
            len(args) == 1 and type(args[0]).__name__ == "Size"):
        return zeros(*args, dtype=dtype)
    if len(args) == 1:
        data = args[0]
        if isinstance(data, Tensor):
            if data.dtype is not dtype:
                raise TypeError(f"expected {dtype.legacy} (got {data.dtype.legacy})")
            return data
        return tensor(data, dtype=dtype)
    raise TypeError(f"new(): invalid arguments for {dtype.legacy}")


class _LegacyTypeMeta(type):
    """isinstance(t, torch.FloatTensor) checks the dtype, as in PyTorch."""

    def __instancecheck__(cls, obj) -> bool:
        return isinstance(obj, Tensor) and obj.dtype is cls._legacy_dtype


def _legacy_type(d: dtypes.dtype) -> type:
    def new(cls, *args, **kwargs):
        return legacy_new(d, args, kwargs)
    return _LegacyTypeMeta(d.legacy, (), {"__new__": new, "_legacy_dtype": d, "dtype": d,
                                          "is_cuda": False, "__module__": "torch"})


LEGACY_TYPES = {d.legacy: _legacy_type(d) for d in dtypes.ALL if d.np is not None}

for _fn in (tensor, as_tensor, from_numpy, zeros, ones, empty, full, empty_strided, zeros_like,
            ones_like, empty_like, full_like, eye, arange, linspace, logspace, rand, randn,
            randint, randperm, normal, rand_like, randn_like, randint_like, bernoulli,
            multinomial):
    expose(_fn, method=False)
expose(bernoulli, function=False)
expose(multinomial, function=False)
for _fn in (uniform_, normal_, random_, bernoulli_, exponential_):
    expose(_fn, function=False)
