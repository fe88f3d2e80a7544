"""Differential testing against real PyTorch: run the same code on both, compare everything.

    run_both(lambda lib, x: (x * 2).sum(dim=0), np_array)

calls the function once with `lib=torch` and once with `lib=engine`, each time passing the
arguments converted to that library's tensors, then asserts that results (or the first line of
the raised errors) agree: values, dtype, shape, strides, contiguity, requires_grad, grad_fn name
and printed text.
"""
from __future__ import annotations

from collections import Counter

import numpy as np
import torch

import engine

LIBS = (torch, engine)

# Tolerances per dtype for values computed by different kernels (sums, transcendental fns).
TOLERANCE = {"float16": (1e-3, 1e-3), "float32": (1e-5, 1e-6), "float64": (1e-12, 1e-12)}


def convert(lib, value, requires_grad: bool = False):
    """A NumPy array (or nested structure of them) as a tensor of `lib`."""
    if isinstance(value, np.ndarray):
        t = lib.tensor(value)
        if requires_grad and t.dtype.is_floating_point:
            t.requires_grad_(True)
        return t
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, np.ndarray)
                                                          for v in value):
        return type(value)(convert(lib, v, requires_grad) for v in value)
    return value


def first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else ""


def outcome(fn, lib, args, requires_grad: bool):
    """(result, None) or (None, exception) from running fn on lib."""
    converted = [convert(lib, a, requires_grad) for a in args]
    try:
        return fn(lib, *converted), None, converted
    except Exception as exc:  # noqa: BLE001 - the exception is what we compare
        return None, exc, converted


def assert_same_tensor(e, t, *, values: bool = True, strides: bool = True,
                       printed: bool = False, where: str = "result") -> None:
    assert isinstance(e, engine.Tensor), f"{where}: engine gave {type(e).__name__}, torch Tensor"
    assert str(e.dtype) == str(t.dtype), f"{where}: dtype {e.dtype} != {t.dtype}"
    assert tuple(e.shape) == tuple(t.shape), f"{where}: shape {tuple(e.shape)} != {tuple(t.shape)}"
    if strides and t.numel() > 1:
        assert e.stride() == t.stride(), f"{where}: stride {e.stride()} != {t.stride()}"
        assert e.is_contiguous() == t.is_contiguous(), f"{where}: is_contiguous differs"
    assert e.requires_grad == t.requires_grad, f"{where}: requires_grad differs"
    e_fn = type(e.grad_fn).__name__ if e.grad_fn is not None else None
    t_fn = type(t.grad_fn).__name__ if t.grad_fn is not None else None
    assert e_fn == t_fn, f"{where}: grad_fn {e_fn} != {t_fn}"
    if values:
        ev = e.detach().numpy()
        tv = t.detach().numpy()
        rtol, atol = TOLERANCE.get(str(t.dtype).replace("torch.", ""), (0, 0))
        finite = np.abs(tv[np.isfinite(tv)]) if tv.dtype.kind == "f" else np.zeros(0)
        if finite.size:  # sums cancel: allow rounding relative to the tensor's scale too
            atol = max(atol, rtol * float(finite.max()))
        np.testing.assert_allclose(ev.astype(np.float64) if ev.dtype != np.bool_ else ev,
                                   tv.astype(np.float64) if tv.dtype != np.bool_ else tv,
                                   rtol=rtol, atol=atol, equal_nan=True, err_msg=where)
    if printed:
        assert repr(e) == repr(t), f"{where}: printed\n{e!r}\n!=\n{t!r}"


def assert_same(e, t, where: str = "result", **kw) -> None:
    """Compare results recursively: tensors, tuples/lists, numbers, Sizes, dtypes."""
    if isinstance(t, torch.Tensor):
        assert_same_tensor(e, t, where=where, **kw)
    elif isinstance(t, (tuple, list)):
        assert isinstance(e, (tuple, list)), f"{where}: engine gave {type(e).__name__}"
        assert len(e) == len(t), f"{where}: length {len(e)} != {len(t)}"
        for i, (a, b) in enumerate(zip(e, t)):
            assert_same(a, b, f"{where}[{i}]", **kw)
    elif isinstance(t, dict):
        assert isinstance(e, dict), f"{where}: engine gave {type(e).__name__}"
        assert list(e) == list(t), f"{where}: keys {list(e)} != {list(t)}"
        for key in t:
            assert_same(e[key], t[key], f"{where}[{key!r}]", **kw)
    elif isinstance(t, torch.dtype):
        assert str(e) == str(t), f"{where}: {e} != {t}"
    elif isinstance(t, float):
        assert np.isclose(e, t, rtol=1e-6, equal_nan=True), f"{where}: {e} != {t}"
    else:
        assert e == t, f"{where}: {e!r} != {t!r}"


def run_both(fn, *args, requires_grad: bool = False, backward: bool = False, **kw):
    """Run fn(lib, *tensors) on torch and engine; compare results or error first lines.

    With backward=True the (summed) result is backpropagated on both sides and the .grad of
    every input is compared too. Returns the (engine, torch) results.
    """
    t_res, t_exc, t_args = outcome(fn, torch, args, requires_grad or backward)
    e_res, e_exc, e_args = outcome(fn, engine, args, requires_grad or backward)
    if t_exc is not None:
        assert e_exc is not None, f"torch raised {type(t_exc).__name__}: {first_line(t_exc)}; " \
                                  f"engine returned {e_res!r}"
        assert type(e_exc).__name__ == type(t_exc).__name__, (
            f"torch raised {type(t_exc).__name__}: {first_line(t_exc)}; engine raised "
            f"{type(e_exc).__name__}: {first_line(e_exc)}")
        assert first_line(e_exc) == first_line(t_exc), \
            f"error text:\n engine: {first_line(e_exc)}\n torch:  {first_line(t_exc)}"
        return None, None
    if e_exc is not None:
        raise AssertionError(f"engine raised {type(e_exc).__name__}: {first_line(e_exc)}; torch "
                             f"returned {t_res!r}") from e_exc
    assert_same(e_res, t_res, **kw)
    if backward:
        t_out = t_res if isinstance(t_res, torch.Tensor) else t_res[0]
        e_out = e_res if isinstance(e_res, engine.Tensor) else e_res[0]
        if t_out.requires_grad:
            t_out.sum().backward()
            e_out.sum().backward()
            for i, (ea, ta) in enumerate(zip(e_args, t_args)):
                if isinstance(ta, torch.Tensor) and ta.requires_grad:
                    assert (ea.grad is None) == (ta.grad is None), f"grad of input {i}"
                    if ta.grad is not None:
                        assert_same_tensor(ea.grad, ta.grad, strides=False,
                                           where=f"grad of input {i}")
    return e_res, t_res


def each(cases) -> None:
    """Run every (label, thunk) case and report all that differ, so one test item can cover a
    whole table (dtypes, dims) without stopping at the first difference."""
    failures = []
    for label, case in cases:
        try:
            case()
        except Exception as exc:  # noqa: BLE001 - every difference is reported
            text = str(exc).strip().splitlines()
            failures.append(f"[{label}] {type(exc).__name__}: {' | '.join(text[:3])[:400]}")
    assert not failures, f"{len(failures)} case(s) differ from torch:\n" + "\n".join(failures)


def autograd_nodes(fn) -> Counter[str]:
    """The class names of every autograd node reachable from grad_fn `fn` (each node once,
    AccumulateGrad included): the graph a backward() from there walks."""
    seen, stack = set(), [fn]
    while stack:
        node = stack.pop()
        if node is not None and node not in seen:
            seen.add(node)
            stack.extend(f for f, _ in node.next_functions)
    return Counter(type(node).__name__ for node in seen)
