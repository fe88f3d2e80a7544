"""The backward ops of tanh and sigmoid, as torch has them (tanh_backward, sigmoid_backward),
so a gradient taken with create_graph shows TanhBackwardBackward0 / SigmoidBackwardBackward0;
and add with a Python number (AddBackward1), which their formulas use."""
from __future__ import annotations

import numpy as np

from .registry import defop


@defop("add_scalar", "AddBackward1", saves=("other",), formulas={"self": "grad"})
def ADD_SCALAR(a, *, other):
    return a + a.dtype.type(other)


ADD_SCALAR.derivative(lambda g, s: g)


@defop("tanh_backward", "TanhBackwardBackward0", inputs=("grad_output", "output"),
       saves=("grad_output", "output"),
       formulas={"grad_output": "tanh_backward(grad, output)",
                 "output": "grad * (-2 * output * grad_output)"},
       reads={"grad_output": ("output",), "output": ("grad_output", "output")})
def TANH_BACKWARD(go, y):
    """go * (1 - y²), with 1 - y² fused (one rounding) as torch's float kernel computes it."""
    if y.dtype == np.float32:
        return go * (1 - y.astype(np.float64) ** 2).astype(np.float32)
    return go * (1 - y * y)


@TANH_BACKWARD.derivative
def _(g, s):
    from .pointwise import MUL_SCALAR
    return TANH_BACKWARD(g, s.output), g * (MUL_SCALAR(s.output, other=-2) * s.grad_output)


@defop("sigmoid_backward", "SigmoidBackwardBackward0", inputs=("grad_output", "output"),
       saves=("grad_output", "output"),
       formulas={"grad_output": "sigmoid_backward(grad, output)",
                 "output": "grad * grad_output * (-2 * output + 1)"},
       reads={"grad_output": ("output",), "output": ("grad_output", "output")})
def SIGMOID_BACKWARD(go, y):
    return go * (1 - y) * y


@SIGMOID_BACKWARD.derivative
def _(g, s):
    from .pointwise import MUL_SCALAR
    slope = ADD_SCALAR(MUL_SCALAR(s.output, other=-2), other=1)
    return SIGMOID_BACKWARD(g, s.output), g * s.grad_output * slope
