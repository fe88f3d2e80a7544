"""Math functions of two tensors: atan2, logaddexp / logaddexp2, hypot and xlogy."""
from __future__ import annotations

import numpy as np

from ...tensor import Tensor
from ..arguments import number
from ..registry import defop
from .calls import (floats_only, in_place, operands, publish, tensor_pair, true_divide_dtype,
                    with_out)
from .iteration import computed_pair, finish, opmath, precise


@defop("atan2", "Atan2Backward0", inputs=("self", "other"), saves=("self", "other"),
       formulas={"self": "grad * other / (self² + other²)",
                 "other": "-grad * self / (self² + other²)"},
       reads={"self": ("self", "other"), "other": ("self", "other")})
def ATAN2(a, b, *, dtype, _broadcast=None):
    return computed_pair(np.arctan2, a, b, dtype)


@ATAN2.derivative
def _(g, s):
    x, y = s.self, s.other
    return (g * (y * (x * x + y * y).reciprocal()),
            g * (-x * (x * x + y * y).reciprocal()))


@defop("logaddexp", "LogaddexpBackward0", inputs=("self", "other"), saves=("self", "other"),
       formulas={"self": "grad / (1 + exp(other - self))",
                 "other": "grad / (1 + exp(self - other))"},
       reads={"self": ("self", "other"), "other": ("self", "other")})
def LOGADDEXP(a, b, *, dtype, _broadcast=None):
    return computed_pair(np.logaddexp, a, b, dtype)


@LOGADDEXP.derivative
def _(g, s):
    return g / (1 + (s.other - s.self).exp()), g / (1 + (s.self - s.other).exp())


@defop("logaddexp2", "Logaddexp2Backward0", inputs=("self", "other"), saves=("self", "other"),
       formulas={"self": "grad / (1 + 2^(other - self))",
                 "other": "grad / (1 + 2^(self - other))"},
       reads={"self": ("self", "other"), "other": ("self", "other")})
def LOGADDEXP2(a, b, *, dtype, _broadcast=None):
    return computed_pair(np.logaddexp2, a, b, dtype)


@LOGADDEXP2.derivative
def _(g, s):
    return g / (1 + (s.other - s.self).exp2()), g / (1 + (s.self - s.other).exp2())


@defop("hypot", "HypotBackward0", inputs=("self", "other"), saves=("self", "other", "result"),
       formulas={"self": "grad * self / result", "other": "grad * other / result"},
       reads={"self": ("self", "result"), "other": ("other", "result")})
def HYPOT(a, b, *, dtype, _broadcast=None):
    return computed_pair(np.hypot, a, b, dtype)


@HYPOT.derivative
def _(g, s):
    return g * s.self / s.result, g * s.other / s.result


atan2, atan2_ = tensor_pair("atan2", ATAN2, floating=True)
logaddexp, _ = tensor_pair("logaddexp", LOGADDEXP, kernel_check=floats_only("logaddexp_cpu"))
logaddexp2, _ = tensor_pair("logaddexp2", LOGADDEXP2, kernel_check=floats_only("logaddexp2_cpu"))
hypot, hypot_ = tensor_pair("hypot", HYPOT, kernel_check=floats_only("hypot_cpu"))


# ---- xlogy: x * log(y), for a tensor or a Scalar on either side ---------------------------------
def _xlogy(x, y):
    """x * log(y), with 0 where x == 0 (unless y is nan)."""
    with np.errstate(all="ignore"):
        out = np.where(x == 0, 0, x * precise(np.log)(y))
    return np.where(np.isnan(y), np.nan, out).astype(x.dtype)


def _xlogy_self_grad(g, s):
    return g * xlogy((s.self != 0).to(g.dtype), s.other)


@defop("xlogy", "XlogyBackward0", inputs=("self", "other"), saves=("self", "other"),
       formulas={"self": "grad * xlogy(self != 0, other)", "other": "grad * self / other"},
       reads={"self": ("self", "other"), "other": ("self", "other")})
def XLOGY(a, b, *, dtype, _broadcast=None):
    return computed_pair(_xlogy, a, b, dtype)


@XLOGY.derivative
def _(g, s):
    return _xlogy_self_grad(g, s), g * s.self / s.other


@defop("xlogy_scalar_self", "XlogyBackward1", inputs=("other",), saves=("self", "other"),
       formulas={"other": "grad * self / other"})
def XLOGY_SCALAR_SELF(b, *, self, dtype, _broadcast=None):
    y = opmath(b, dtype)
    return finish(_xlogy(np.broadcast_to(np.asarray(self).astype(y.dtype), b.shape), y), dtype, b)


@XLOGY_SCALAR_SELF.derivative
def _(g, s):
    return g * s.self / s.other


@defop("xlogy_scalar_other", "XlogyBackward2", saves=("self", "other"),
       formulas={"self": "grad * xlogy(self != 0, other)"})
def XLOGY_SCALAR_OTHER(a, *, other, dtype):
    x = opmath(a, dtype)
    return finish(_xlogy(x, np.asarray(other).astype(x.dtype)), dtype, a)


@XLOGY_SCALAR_OTHER.derivative
def _(g, s):
    return _xlogy_self_grad(g, s)


def xlogy(input, other, *, out=None) -> Tensor:
    a, b, shape, dt = operands("xlogy", input, other)
    dt = true_divide_dtype(dt)
    if not isinstance(input, Tensor):
        return with_out(XLOGY_SCALAR_SELF(b, self=number(input), dtype=dt.np), out)
    if not isinstance(other, Tensor):
        return with_out(XLOGY_SCALAR_OTHER(a, other=number(other), dtype=dt.np), out)
    return with_out(XLOGY(a, b, dtype=dt.np, _broadcast=shape), out)


def xlogy_(input, other) -> Tensor:
    a, b, shape, dt = operands("xlogy_", input, other, input_number=False)
    dt = true_divide_dtype(dt)
    if not isinstance(other, Tensor):
        return in_place(XLOGY_SCALAR_OTHER, a, (), {"other": number(other), "dtype": dt.np},
                        dtype=dt, shape=shape)
    return in_place(XLOGY, a, (b,), {"dtype": dt.np, "_broadcast": shape}, dtype=dt,
                    shape=shape)


publish(atan2, "atan2", "arctan2", inplace=atan2_)
publish(logaddexp, "logaddexp")
publish(logaddexp2, "logaddexp2")
publish(hypot, "hypot", inplace=hypot_)
publish(xlogy, "xlogy", inplace=xlogy_, inplace_function=True)
