"""Python's operators on tensors call the pointwise ops; a wrong operand type gives Python's own
"unsupported operand type(s)" (the op returns NotImplemented), as in PyTorch."""
from __future__ import annotations

from ... import dtypes
from ...tensor import Tensor
from ..arguments import is_number
from ..registry import expose
from .arithmetic import (add, add_, div, div_, floor_divide, floor_divide_, mul, mul_, remainder,
                         remainder_, rsub, sub, sub_)
from .comparisons import (BITWISE_NOT, LOGICAL_NOT, bitwise_and, bitwise_and_,
                          bitwise_left_shift, bitwise_left_shift_, bitwise_or, bitwise_or_,
                          bitwise_right_shift, bitwise_right_shift_, bitwise_xor, bitwise_xor_,
                          eq, ge, gt, le, lt, ne)
from .powers import pow, pow_  # noqa: A004
from .rounding import neg, positive


def _operator(fn):
    def op(self, other):
        if not (isinstance(other, Tensor) or is_number(other)):
            return NotImplemented
        return fn(self, other)
    return op


def _reflected(fn):
    return _operator(lambda self, other: fn(other, self))


def _invert(self):
    if self.dtype.is_floating_point:
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                        "tensors")
    return LOGICAL_NOT(self) if self.dtype is dtypes.bool else BITWISE_NOT(self)


OPERATORS = {
    "__add__": _operator(add), "__radd__": _operator(add),
    "__sub__": _operator(sub), "__rsub__": _operator(rsub),
    "__mul__": _operator(mul), "__rmul__": _operator(mul),
    "__truediv__": _operator(div),
    "__rtruediv__": _operator(lambda self, other: self.reciprocal() * other),
    "__floordiv__": _operator(floor_divide), "__rfloordiv__": _reflected(floor_divide),
    "__mod__": _operator(remainder), "__rmod__": _reflected(remainder),
    "__pow__": _operator(pow), "__rpow__": _reflected(pow),
    "__and__": _operator(bitwise_and), "__rand__": _operator(bitwise_and),
    "__or__": _operator(bitwise_or), "__ror__": _operator(bitwise_or),
    "__xor__": _operator(bitwise_xor), "__rxor__": _operator(bitwise_xor),
    "__lshift__": _operator(bitwise_left_shift), "__rlshift__": _reflected(bitwise_left_shift),
    "__rshift__": _operator(bitwise_right_shift),
    "__rrshift__": _reflected(bitwise_right_shift),
    "__eq__": _operator(eq), "__ne__": _operator(ne),
    "__lt__": _operator(lt), "__le__": _operator(le),
    "__gt__": _operator(gt), "__ge__": _operator(ge),
    "__iadd__": _operator(add_), "__isub__": _operator(sub_), "__imul__": _operator(mul_),
    "__itruediv__": _operator(div_), "__ifloordiv__": _operator(floor_divide_),
    "__imod__": _operator(remainder_), "__ipow__": _operator(pow_),
    "__iand__": _operator(bitwise_and_), "__ior__": _operator(bitwise_or_),
    "__ixor__": _operator(bitwise_xor_), "__ilshift__": _operator(bitwise_left_shift_),
    "__irshift__": _operator(bitwise_right_shift_),
    "__neg__": neg,
    "__pos__": positive,
    "__abs__": lambda self: self.abs(),
    "__invert__": _invert,
}
for _name, _fn in OPERATORS.items():
    expose(_fn, _name, function=False)
