"""The TensorIterator part of a pointwise forward: the dtype an op computes in, and the memory
layout of a new result (a channels-last input gives a channels-last result)."""
from __future__ import annotations

import functools
import math

import numpy as np

from ... import dtypes
from ...memory_format import (channels_last, is_contiguous, is_non_overlapping_and_dense,
                              iterator_strides, strides_for)

_HALF = np.dtype(np.float16)


def opmath(x: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """An operand cast to the op's dtype, then to the dtype its arithmetic runs in (half
    precision computes in float32, from values already rounded to half)."""
    if x.dtype is not dtype and x.dtype != dtype:   # identity first: NumPy's dtypes are shared
        x = x.astype(dtype)
    return x.astype(np.float32) if dtype == _HALF else x


def cast(x: np.ndarray, dtype) -> np.ndarray:
    return x if x.dtype == dtype else x.astype(dtype)


def finish(result, dtype, *inputs: np.ndarray) -> np.ndarray:
    """Cast a NumPy result to the op's dtype (None: keep it) and lay it out as TensorIterator
    would: C-contiguous when each input is (or is a stretched scalar, all strides 0, as a
    backward's expanded grad, which has no say in the layout), else in the inputs' dim order.
    One function, no helpers: this runs for every pointwise op."""
    result = np.asarray(result)
    if dtype is not None and result.dtype is not dtype and result.dtype != dtype:
        result = result.astype(dtype)
    order = None
    if result.ndim > 1 and result.size:
        for a in inputs:
            if not a.flags.c_contiguous and any(a.strides):
                order = _dim_order(result.shape,
                                   tuple((x.shape, x.strides, x.itemsize) for x in inputs))
                break
    if order is None:
        return result if result.flags.c_contiguous else np.ascontiguousarray(result)
    out = np.empty([result.shape[d] for d in order], result.dtype).transpose(np.argsort(order))
    out[...] = result
    return out


def computed(kernel, a: np.ndarray, dtype, *, precise: bool = False) -> np.ndarray:
    """y = kernel(x) computed in the op's dtype (half in float32), as a new result.
    precise: float32 computes in float64, then rounds (see `precise`)."""
    x = opmath(a, dtype)
    if precise and x.dtype == np.float32:
        return finish(kernel(x.astype(np.float64)).astype(np.float32), dtype, a)
    return finish(kernel(x), dtype, a)


@functools.lru_cache(maxsize=4096)
def _dim_order(shape: tuple, inputs: tuple) -> tuple | None:
    """The outermost-first dim order of a new result of `shape` from inputs given as (shape,
    byte strides, itemsize), or None when that is plain contiguous. A pure function of
    geometry, cached: a training loop asks the same few questions every step."""
    strides = _iterator_strides(shape, inputs)
    if strides == strides_for(shape):
        return None
    return tuple(sorted(range(len(shape)), key=lambda d: strides[d], reverse=True))


def _iterator_strides(shape: tuple, inputs) -> tuple:
    """The output strides TensorIterator picks: its fast setup when every input has the output's
    shape and one shared layout, otherwise the dim order the inputs' strides suggest."""
    ins = [(a_shape, tuple(s // itemsize for s in a_strides))
           for a_shape, a_strides, itemsize in inputs]
    if all(s == shape for s, _ in ins):
        if all(is_contiguous(s, st) for s, st in ins):
            return strides_for(shape)
        if len(shape) == 4 and all(is_contiguous(s, st, channels_last) for s, st in ins):
            return strides_for(shape, channels_last)
        if (all(is_non_overlapping_and_dense(s, st) for s, st in ins)
                and len({st for _, st in ins}) == 1):
            return ins[-1][1]
    broadcast = []
    for s, st in ins:
        lead = len(shape) - len(s)
        broadcast.append((0,) * lead + tuple(0 if n == 1 and shape[lead + i] != 1 else x
                                             for i, (n, x) in enumerate(zip(s, st))))
    return iterator_strides(shape, broadcast)


def precise(np_fn):
    """np_fn evaluated in float64 for float32 input, then rounded: NumPy's float32 exp, log,
    sin, tanh, ... are off by an ulp much more often than PyTorch's kernels, which this makes
    agree with PyTorch's results (and printing) far more often."""
    def fn(a):
        return np_fn(a.astype(np.float64)).astype(np.float32) if a.dtype == np.float32 \
            else np_fn(a)
    return fn


_C_TYPES = {"uint8": "uint8_t", "int8": "int8_t", "int16": "int16_t", "int32": "int",
            "int64": "int64_t", "float16": "c10::Half", "float32": "float", "float64": "double"}


def check_fits(value, dt: dtypes.dtype) -> None:
    """A Scalar converted to a kernel's C type must fit (an unsigned type also takes -max..-1,
    which wraps around, as c10's checked_convert allows)."""
    if dt is dtypes.bool or isinstance(value, (bool, np.bool_)):
        return
    if dt.is_floating_point:
        fits = math.isinf(value) or math.isnan(value) or abs(value) <= float(np.finfo(dt.np).max)
    else:
        info = np.iinfo(dt.np)
        fits = (-info.max <= value <= info.max) if info.min == 0 else \
            (info.min <= value <= info.max)
    if not fits:
        raise RuntimeError(f"value cannot be converted to type {_C_TYPES[dt.name]} without "
                           "overflow")


def unsupported(kernel: str, dt: dtypes.dtype) -> NotImplementedError:
    """The kernel's own refusal of a dtype: "abs_cpu" not implemented for 'Bool'."""
    return NotImplementedError(f"\"{kernel}\" not implemented for '{dt.scalar_name}'")


def computed_pair(kernel, a: np.ndarray, b: np.ndarray, dtype, *args, wide: bool = True,
                  exact_scalar: bool = False) -> np.ndarray:
    """z = kernel(x, y, *args) with both operands cast to the op's dtype (`wide`: half
    computes in float32, as arithmetic does; not for ops that only select, such as maximum).
    exact_scalar: half precision by a 0-dim operand uses its value in float32, unrounded
    (PyTorch's mul and div read the scalar's original value for reduced float types)."""
    if a.dtype is dtype and b.dtype is dtype and dtype is not _HALF:   # nothing to cast
        return finish(kernel(a, b, *args), dtype, a, b)
    if exact_scalar and b.ndim == 0 and dtype == _HALF:
        return finish(kernel(opmath(a, dtype), b.astype(np.float32), *args), dtype, a, b)
    to = opmath if wide else cast
    return finish(kernel(to(a, dtype), to(b, dtype), *args), dtype, a, b)
