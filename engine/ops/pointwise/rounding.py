"""Sign and rounding: abs, sign / sgn, floor / ceil / trunc / frac, round (with decimals),
neg / positive, and nan_to_num. The result keeps the input's dtype; most have zero gradient."""
from __future__ import annotations

import numpy as np

from ... import dtypes
from ...autograd.grad_mode import is_grad_enabled
from ...tensor import Tensor
from ..arguments import tensor_arg
from ..registry import TORCH_FUNCTIONS, check_inplace_allowed, defop
from .calls import in_place, publish, refuse, unary, with_out
from .iteration import computed, finish, opmath, unsupported
from .selection import masked, zeros_like

_INTS_AND_BOOL = (dtypes.bool, dtypes.uint8, dtypes.int8, dtypes.int16, dtypes.int32,
                  dtypes.int64)


@unary(to_float=False, check=refuse("abs_cpu", dtypes.bool), aliases=("absolute",),
       inplace_function=("abs",))
@defop("abs", "AbsBackward0", saves=("self",), formulas={"self": "grad * sgn(self)"})
def ABS(a, *, dtype):
    return computed(np.abs, a, dtype)


@ABS.derivative
def _(g, s):
    return g * s.self.sgn()


def _sign(a):
    if a.dtype == np.bool_:
        return a.copy()
    s = np.sign(a)
    return np.where(np.isnan(a), 0, s).astype(a.dtype) if a.dtype.kind == "f" else s


@unary(to_float=False, inplace_function=False)
@defop("sign", "SignBackward0", formulas={"self": "0"})
def SIGN(a, *, dtype):
    return computed(_sign, a, dtype)


@SIGN.derivative
def _(g, s):
    return zeros_like(g)


@unary(to_float=False, inplace_function=False)
@defop("sgn", "SgnBackward0", formulas={"self": "0"})
def SGN(a, *, dtype):
    return computed(_sign, a, dtype)


@SGN.derivative
def _(g, s):
    return zeros_like(g)


@unary(to_float=False, check=refuse("floor_vml_cpu", dtypes.bool))
@defop("floor", "FloorBackward0", formulas={"self": "0"})
def FLOOR(a, *, dtype):
    return computed(np.floor, a, dtype)


@FLOOR.derivative
def _(g, s):
    return zeros_like(g)


@unary(to_float=False, check=refuse("ceil_vml_cpu", dtypes.bool))
@defop("ceil", "CeilBackward0", formulas={"self": "0"})
def CEIL(a, *, dtype):
    return computed(np.ceil, a, dtype)


@CEIL.derivative
def _(g, s):
    return zeros_like(g)


@unary(to_float=False, check=refuse("trunc_vml_cpu", dtypes.bool), aliases=("fix",))
@defop("trunc", "TruncBackward0", formulas={"self": "0"})
def TRUNC(a, *, dtype):
    return computed(np.trunc, a, dtype)


@TRUNC.derivative
def _(g, s):
    return zeros_like(g)


@unary(to_float=False, check=refuse("frac_cpu", *_INTS_AND_BOOL))
@defop("frac", "FracBackward0", formulas={"self": "grad"})
def FRAC(a, *, dtype):
    return computed(lambda x: x - np.trunc(x), a, dtype)


@FRAC.derivative
def _(g, s):
    return g


def _neg_check(dt):
    if dt is dtypes.bool:
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you "
                           "are trying to invert a mask, use the `~` or `logical_not()` operator "
                           "instead.")


@unary(to_float=False, check=_neg_check, aliases=("negative",))
@defop("neg", "NegBackward0", formulas={"self": "-grad"})
def NEG(a, *, dtype):
    return computed(np.negative, a, dtype)


@NEG.derivative
def _(g, s):
    return -g


neg = TORCH_FUNCTIONS["neg"]


def positive(input) -> Tensor:
    """+x: the same tensor (no new node), refused for bool like PyTorch."""
    input = tensor_arg("positive", input)
    if input.dtype is dtypes.bool:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


publish(positive, "positive")


# ---- round: RoundBackward0 without decimals, RoundBackward1 when decimals is given (even 0) ----
@defop("round", "RoundBackward0", formulas={"self": "0"})
def ROUND(a, *, dtype):
    return finish(np.round(a), dtype, a)


@ROUND.derivative
def _(g, s):
    return zeros_like(g)


@defop("round_decimals", "RoundBackward1", formulas={"self": "0"})
def ROUND_DECIMALS(a, *, decimals, dtype):
    x = opmath(a, dtype)
    if decimals >= 0:
        ten = np.float32(10.0) ** decimals if x.dtype == np.float32 else 10.0 ** decimals
        return finish(np.round(x * ten) / ten, dtype, a)
    ten = 10.0 ** -decimals
    return finish(np.round(x / ten) * ten, dtype, a)


@ROUND_DECIMALS.derivative
def _(g, s):
    return zeros_like(g)


class _Unset(int):
    """round's `decimals=0` default, told apart from an explicit 0 (which PyTorch treats as the
    round.decimals overload: a different kernel and grad_fn)."""


_NO_DECIMALS = _Unset(0)


def _round_op(input: Tensor, decimals):
    if decimals is _NO_DECIMALS:
        if input.dtype is dtypes.bool:
            raise unsupported("round_vml_cpu", input.dtype)
        return ROUND, {}
    if not input.dtype.is_floating_point:
        raise unsupported("round_vml_cpu" if decimals == 0 else "round_cpu", input.dtype)
    return ROUND_DECIMALS, {"decimals": decimals}


def round(input, *, decimals: int = _NO_DECIMALS, out=None) -> Tensor:  # noqa: A001
    """Round half to even, like PyTorch (and NumPy); decimals < 0 rounds to tens, hundreds."""
    input = tensor_arg("round", input)
    op, attrs = _round_op(input, decimals)
    return with_out(op(input, dtype=input.dtype.np, **attrs), out)


def round_(input, *, decimals: int = _NO_DECIMALS) -> Tensor:
    input = tensor_arg("round_", input)
    if is_grad_enabled() and input.requires_grad:
        check_inplace_allowed(input)
    op, attrs = _round_op(input, decimals)
    return in_place(op, input, (), {"dtype": input.dtype.np, **attrs}, dtype=input.dtype,
                    shape=input.shape)


publish(round, "round", inplace=round_, inplace_function=True)


# ---- nan_to_num ---------------------------------------------------------------------------------
@defop("nan_to_num", "NanToNumBackward0", saves=("self",),
       formulas={"self": "grad * isfinite(self)"})
def NAN_TO_NUM(a, *, nan, posinf, neginf):
    if a.dtype.kind != "f":
        return finish(a.copy(), None, a)
    info = np.finfo(a.dtype)
    out = np.where(np.isnan(a), nan, a)
    out = np.where(np.isposinf(a), info.max if posinf is None else posinf, out)
    out = np.where(np.isneginf(a), info.min if neginf is None else neginf, out)
    return finish(out, a.dtype, a)


@NAN_TO_NUM.derivative
def _(g, s):
    return masked(g, s.self.isfinite())


def nan_to_num(input, nan: float = 0.0, posinf=None, neginf=None, *, out=None) -> Tensor:
    input = tensor_arg("nan_to_num", input)
    return with_out(NAN_TO_NUM(input, nan=nan, posinf=posinf, neginf=neginf), out)


def nan_to_num_(input, nan: float = 0.0, posinf=None, neginf=None) -> Tensor:
    input = tensor_arg("nan_to_num_", input)
    return in_place(NAN_TO_NUM, input, (), {"nan": nan, "posinf": posinf, "neginf": neginf},
                    dtype=input.dtype, shape=input.shape)


publish(nan_to_num, "nan_to_num", inplace=nan_to_num_, inplace_function=True)
