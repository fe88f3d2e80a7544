"""Math functions of one tensor: exp and log, powers of e and 2, trigonometric and hyperbolic
functions, erf, reciprocal, sinc and logit. Integer and bool inputs compute in the default float
dtype; float32 ones that NumPy computes an ulp off PyTorch more often compute in float64."""
from __future__ import annotations

import math

import numpy as np

from ... import dtypes
from ...libm import elementwise
from ...tensor import Tensor
from ..activation_grads import TANH_BACKWARD
from ..registry import defop
from .arithmetic import MUL_SCALAR
from .calls import in_place, publish, unary, with_out
from .iteration import computed, finish, opmath, precise
from .selection import where, zero
from ..arguments import tensor_arg

LN2, LN10 = math.log(2.0), math.log(10.0)
TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)


# ---- exp and log -------------------------------------------------------------------------------


@unary()
@defop("exp", "ExpBackward0", saves=("result",), formulas={"self": "grad * result"})
def EXP(a, *, dtype):
    return computed(np.exp, a, dtype, precise=True)


@EXP.derivative
def _(g, s):
    return g * s.result


@unary()
@defop("exp2", "Exp2Backward0", saves=("result",), formulas={"self": "grad * result * ln(2)"})
def EXP2(a, *, dtype):
    return computed(np.exp2, a, dtype)


@EXP2.derivative
def _(g, s):
    return g * (s.result * LN2)


@unary()
@defop("expm1", "Expm1Backward0", saves=("result",), formulas={"self": "grad * (result + 1)"})
def EXPM1(a, *, dtype):
    return computed(np.expm1, a, dtype, precise=True)


@EXPM1.derivative
def _(g, s):
    return g * (s.result + 1)


@unary()
@defop("log", "LogBackward0", saves=("self",), formulas={"self": "grad / self"})
def LOG(a, *, dtype):
    return computed(np.log, a, dtype, precise=True)


@LOG.derivative
def _(g, s):
    return g / s.self


@unary()
@defop("log2", "Log2Backward0", saves=("self",), formulas={"self": "grad / (self * ln(2))"})
def LOG2(a, *, dtype):
    return computed(np.log2, a, dtype, precise=True)


@LOG2.derivative
def _(g, s):
    return g / (s.self * LN2)


@unary()
@defop("log10", "Log10Backward0", saves=("self",), formulas={"self": "grad / (self * ln(10))"})
def LOG10(a, *, dtype):
    return computed(np.log10, a, dtype, precise=True)


@LOG10.derivative
def _(g, s):
    return g / (s.self * LN10)


@unary()
@defop("log1p", "Log1PBackward0", saves=("self",), formulas={"self": "grad / (self + 1)"})
def LOG1P(a, *, dtype):
    return computed(np.log1p, a, dtype, precise=True)


@LOG1P.derivative
def _(g, s):
    return g / (s.self + 1)


# ---- roots and reciprocal ---------------------------------------------------------------
@unary()
@defop("sqrt", "SqrtBackward0", saves=("result",), formulas={"self": "grad / (2 * result)"})
def SQRT(a, *, dtype):
    return computed(np.sqrt, a, dtype)


@SQRT.derivative
def _(g, s):
    return g / MUL_SCALAR(s.result, other=2)


@unary()
@defop("rsqrt", "RsqrtBackward0", saves=("result",), formulas={"self": "-0.5 * grad * result³"})
def RSQRT(a, *, dtype):
    return computed(lambda x: 1 / np.sqrt(x), a, dtype)


@RSQRT.derivative
def _(g, s):
    return MUL_SCALAR(g, other=-0.5) * s.result.pow(3)


@unary()
@defop("reciprocal", "ReciprocalBackward0", saves=("result",), formulas={"self": "-grad * result²"})
def RECIPROCAL(a, *, dtype):
    return computed(lambda x: 1 / x, a, dtype)


@RECIPROCAL.derivative
def _(g, s):
    return -g * (s.result * s.result)


# ---- trigonometric and hyperbolic functions ---------------------------------------------
@unary()
@defop("sin", "SinBackward0", saves=("self",), formulas={"self": "grad * cos(self)"})
def SIN(a, *, dtype):
    return computed(np.sin, a, dtype, precise=True)


@SIN.derivative
def _(g, s):
    return g * s.self.cos()


@unary()
@defop("cos", "CosBackward0", saves=("self",), formulas={"self": "grad * -sin(self)"})
def COS(a, *, dtype):
    return computed(np.cos, a, dtype, precise=True)


@COS.derivative
def _(g, s):
    return g * -s.self.sin()


@unary()
@defop("tan", "TanBackward0", saves=("result",), formulas={"self": "grad * (1 + result²)"})
def TAN(a, *, dtype):
    return computed(np.tan, a, dtype)


@TAN.derivative
def _(g, s):
    return g * (1 + s.result.pow(2))


@unary(aliases=("arcsin",))
@defop("asin", "AsinBackward0", saves=("self",), formulas={"self": "grad / sqrt(1 - self²)"})
def ASIN(a, *, dtype):
    return computed(np.arcsin, a, dtype, precise=True)


@ASIN.derivative
def _(g, s):
    return g * (1 - s.self * s.self).rsqrt()


@unary(aliases=("arccos",))
@defop("acos", "AcosBackward0", saves=("self",), formulas={"self": "-grad / sqrt(1 - self²)"})
def ACOS(a, *, dtype):
    return computed(np.arccos, a, dtype)


@ACOS.derivative
def _(g, s):
    return g * -(1 - s.self * s.self).rsqrt()


@unary(aliases=("arctan",))
@defop("atan", "AtanBackward0", saves=("self",), formulas={"self": "grad / (1 + self²)"})
def ATAN(a, *, dtype):
    return computed(np.arctan, a, dtype)


@ATAN.derivative
def _(g, s):
    return g / (s.self * s.self + 1)


@unary()
@defop("sinh", "SinhBackward0", saves=("self",), formulas={"self": "grad * cosh(self)"})
def SINH(a, *, dtype):
    return computed(np.sinh, a, dtype, precise=True)


@SINH.derivative
def _(g, s):
    return g * s.self.cosh()


@unary()
@defop("cosh", "CoshBackward0", saves=("self",), formulas={"self": "grad * sinh(self)"})
def COSH(a, *, dtype):
    return computed(np.cosh, a, dtype, precise=True)


@COSH.derivative
def _(g, s):
    return g * s.self.sinh()


@unary()
@defop("tanh", "TanhBackward0", saves=("result",), formulas={"self": "grad * (1 - result²)"})
def TANH(a, *, dtype):
    return computed(np.tanh, a, dtype, precise=True)


@TANH.derivative
def _(g, s):
    return TANH_BACKWARD(g, s.result)


@unary(aliases=("arcsinh",))
@defop("asinh", "AsinhBackward0", saves=("self",), formulas={"self": "grad / sqrt(self² + 1)"})
def ASINH(a, *, dtype):
    return computed(np.arcsinh, a, dtype)


@ASINH.derivative
def _(g, s):
    return g * (s.self * s.self + 1).rsqrt()


@unary(aliases=("arccosh",))
@defop("acosh", "AcoshBackward0", saves=("self",), formulas={"self": "grad / sqrt(self² - 1)"})
def ACOSH(a, *, dtype):
    return computed(np.arccosh, a, dtype)


@ACOSH.derivative
def _(g, s):
    return g * (s.self * s.self - 1).rsqrt()


@unary(aliases=("arctanh",))
@defop("atanh", "AtanhBackward0", saves=("self",), formulas={"self": "grad / (1 - self²)"})
def ATANH(a, *, dtype):
    return computed(np.arctanh, a, dtype, precise=True)


@ATANH.derivative
def _(g, s):
    return g / (1 - s.self * s.self)


# ---- sinc, degrees and radians -------------------------------------------------------------------
def _sinc(a):
    x = a * a.dtype.type(math.pi)  # pi * x rounded first, as PyTorch computes it
    with np.errstate(all="ignore"):
        return np.where(a == 0, 1, precise(np.sin)(x) / x).astype(a.dtype)


@unary()
@defop("sinc", "SincBackward0", saves=("self",),
       formulas={"self": "grad * (pi self cos(pi self) - sin(pi self)) / (pi self²)"})
def SINC(a, *, dtype):
    return computed(_sinc, a, dtype)


@SINC.derivative
def _(g, s):
    x_pi, x2_pi = s.self * math.pi, s.self * s.self * math.pi
    out = g * ((x_pi * x_pi.cos()) - x_pi.sin()) / x2_pi
    return where(x2_pi == 0.0, zero(g), out)


@unary()
@defop("deg2rad", "Deg2RadBackward0", formulas={"self": "grad * pi / 180"})
def DEG2RAD(a, *, dtype):
    return computed(lambda x: x * x.dtype.type(math.pi / 180), a, dtype)


@DEG2RAD.derivative
def _(g, s):
    return g * (math.pi / 180)


@unary()
@defop("rad2deg", "Rad2DegBackward0", formulas={"self": "grad * 180 / pi"})
def RAD2DEG(a, *, dtype):
    return computed(lambda x: x * x.dtype.type(180 / math.pi), a, dtype)


@RAD2DEG.derivative
def _(g, s):
    return g * (180 / math.pi)


# ---- erf: NumPy has none, so the math module's runs over the array ------------------------------
def _erf(x: np.ndarray) -> np.ndarray:
    return elementwise(math.erf, x).astype(x.dtype)


def _erfc(x: np.ndarray) -> np.ndarray:
    return elementwise(math.erfc, x).astype(x.dtype)


@unary()
@defop("erf", "ErfBackward0", saves=("self",),
       formulas={"self": "grad * 2/sqrt(pi) * exp(-self²)"})
def ERF(a, *, dtype):
    return computed(_erf, a, dtype)


@ERF.derivative
def _(g, s):
    return g * (TWO_OVER_SQRT_PI * (-(s.self * s.self)).exp())


@unary()
@defop("erfc", "ErfcBackward0", saves=("self",),
       formulas={"self": "-grad * 2/sqrt(pi) * exp(-self²)"})
def ERFC(a, *, dtype):
    return computed(_erfc, a, dtype)


@ERFC.derivative
def _(g, s):
    return g * (-TWO_OVER_SQRT_PI * (-(s.self * s.self)).exp())


# ---- logit(x, eps) = log(x / (1 - x)), x clamped to [eps, 1 - eps] when eps is given -----------
@defop("logit", "LogitBackward0", saves=("self", "eps"),
       formulas={"self": "grad / (self * (1 - self)) inside [eps, 1 - eps], else 0 (nan)"})
def LOGIT(a, *, eps, dtype):
    x = opmath(a, dtype)
    if eps is not None:
        x = np.clip(x, x.dtype.type(eps), x.dtype.type(1 - eps))
    return finish(precise(np.log)(x / (1 - x)), dtype, a)


@LOGIT.derivative
def _(g, s):
    x, eps = s.self, s.eps
    lo, hi = (0.0, 1.0) if eps is None else (eps, 1.0 - eps)
    outside = Tensor._from_array(np.array(0.0 if eps is not None else math.nan, g.dtype.np))
    return where((x >= lo).logical_and(x <= hi), g / (x * (1.0 - x)), outside)


def _logit_dtype(input: Tensor) -> dtypes.dtype:
    return input.dtype if input.dtype.is_floating_point else dtypes.get_default_dtype()


def logit(input, eps=None, *, out=None) -> Tensor:
    input = tensor_arg("logit", input)
    return with_out(LOGIT(input, eps=eps, dtype=_logit_dtype(input).np), out)


def logit_(input, eps=None) -> Tensor:
    input = tensor_arg("logit_", input)
    dt = _logit_dtype(input)
    return in_place(LOGIT, input, (), {"eps": eps, "dtype": dt.np}, dtype=dt, shape=input.shape)


publish(logit, "logit", inplace=logit_, inplace_function=True)
