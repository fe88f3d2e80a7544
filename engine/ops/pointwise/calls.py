"""How a pointwise op is called: its operands checked and broadcast, `out=`, the in-place
variant with PyTorch's checks in PyTorch's order, and torch.X / Tensor.X / Tensor.X_.

Errors come in PyTorch's order: argument types, then for in-place ops the leaf check, then
shapes, dtypes, and last the kernel's own dtype support ("... not implemented for 'Bool'").
"""
from __future__ import annotations

from ... import dtypes
from ...autograd.grad_mode import is_grad_enabled
from ...tensor import Tensor
from ..arguments import as_method, invalid_combination, operand, tensor_arg
from ..parser import NUMBERS_AS_TENSORS
from ..registry import broadcast_shapes as op_broadcast_shape
from ..registry import (check_inplace_allowed, check_no_internal_overlap, expose, op_failed,
                        run_inplace)
from .iteration import unsupported


def broadcast(name: str, *tensors: Tensor) -> tuple:
    """The shape the operands of op `name` broadcast to; on failure the observers hear that
    this op refused them."""
    try:
        return op_broadcast_shape(*[t._data.shape for t in tensors])
    except RuntimeError as error:
        if any(t.is_meta for t in tensors):   # torch's meta kernels say it as broadcast_shapes
            try:
                _common_shape([t.shape for t in tensors], repr)
            except RuntimeError as meta_error:
                error = meta_error
        raise op_failed(name, tensors, error) from None


def broadcast_shapes(*shapes):
    """torch.broadcast_shapes: the shape tensors of these shapes broadcast to (no tensors made),
    with PyTorch's own messages for this function, which name the failing dim (counted from
    the right) and argument, unlike an op's."""
    from ...size import Size
    return Size(_common_shape([(s,) if isinstance(s, int) else tuple(s) for s in shapes], str))


def _common_shape(shapes, show) -> list:
    """broadcast_shapes' walk; a failure names the argument's shape as show(shape) does."""
    result = [1] * max((len(s) for s in shapes), default=0)
    for k, shape in enumerate(shapes):
        for i in range(-1, -len(shape) - 1, -1):
            n = shape[i]
            if n < 0:
                raise ValueError("Attempting to broadcast a dimension with negative length!")
            if n == 1 or n == result[i]:
                continue
            if result[i] != 1:
                raise RuntimeError(f"Attempting to broadcast a dimension of length {n} at {i}! "
                                   f"Mismatching argument at index {k} had {show(shape)}; but "
                                   f"expected shape should be broadcastable to {result}")
            result[i] = n
    return result


expose(broadcast_shapes, method=False)


def operands(name: str, input, other, *, input_number: bool = True):
    """Both operands as tensors (Python numbers wrapped), their broadcast shape and dtype."""
    if isinstance(input, Tensor) and isinstance(other, Tensor) and input.dtype is other.dtype:
        shape = input._data.shape    # the common case: two tensors of one dtype keep it
        if shape == other._data.shape:
            return input, other, shape, input.dtype
    a = (operand if input_number else tensor_arg)(name, input, "input", 1)
    b = operand(name, other, "other", 2)
    if not isinstance(input, Tensor) and not isinstance(other, Tensor) and \
            name not in NUMBERS_AS_TENSORS:       # torch.add(3, 1) is tensor(4)
        raise invalid_combination(name, (input, other))
    return a, b, broadcast(name, a, b), dtypes.result_type(a, b)


def with_out(result: Tensor, out: Tensor | None) -> Tensor:
    """torch's `out=`: the result copied into out (resized if empty), or the result itself."""
    if out is None:
        return result
    from ..views import copy_into_out
    return copy_into_out(out, result)


def _dims(shape) -> str:
    return "[" + ", ".join(str(n) for n in shape) + "]"


def in_place(op, self: Tensor, others: tuple, attrs: dict, *, dtype: dtypes.dtype, shape,
             check=None, leaf_check: bool = True) -> Tensor:
    """Write op(self, *others) into self: leaf check, overlap, shape, castability, kernel.

    (PyTorch's logical_and_ and friends skip the leaf check: they are not differentiable.)"""
    if leaf_check and is_grad_enabled() and (self.requires_grad
                                             or any(o.requires_grad for o in others)):
        check_inplace_allowed(self)
    check_no_internal_overlap(self)
    if tuple(shape) != tuple(self.shape):
        raise op_failed(op.name + "_", (self, *others), RuntimeError(
            f"output with shape {self.shape} doesn't match the broadcast shape {tuple(shape)}"
            if self.is_meta else   # (torch's meta kernels print a Size and a tuple)
            f"output with shape {_dims(self.shape)} doesn't match the broadcast shape "
            f"{_dims(shape)}"))
    if self._meta is not None:   # torch's meta kernels check no castability, but add's, sub's
        if op.name in ("add", "sub") and dtype.category > self.dtype.category:
            raise RuntimeError("Promotion of int.add/sub_(float) in in-place ops are not "
                               "possible due to element size change.")
    elif not dtypes.can_cast(dtype, self.dtype):
        raise RuntimeError(f"result type {dtype.scalar_name} can't be cast to the desired output "
                           f"type {self.dtype.scalar_name}")
    if check is not None:
        check()
    return run_inplace(op, self, others, attrs)


def publish(fn, *names, inplace=None, inplace_function: bool | tuple = False,
            method: bool = True):
    """torch.<name> and Tensor.<name> (a method's argument positions count from 1).
    inplace_function: True when torch.<name>_ exists for every name, or the names it exists
    for (torch has abs_ but no absolute_)."""
    expose(fn, *names, method=False)
    if method:
        expose(as_method(fn), *names, function=False)
    if inplace is not None:
        expose(as_method(inplace), *(n + "_" for n in names), function=False)
        if inplace_function:
            functions = names if inplace_function is True else inplace_function
            expose(inplace, *(n + "_" for n in functions), method=False)


def refuse(kernel: str, *refused: dtypes.dtype):
    """A kernel check: the dtypes `kernel` is not implemented for."""
    def check(dt: dtypes.dtype) -> None:
        if dt in refused:
            raise unsupported(kernel, dt)
    return check


def floats_only(kernel: str):
    def check(dt: dtypes.dtype) -> None:
        if not dt.is_floating_point:
            raise unsupported(kernel, dt)
    return check


def true_divide_dtype(dt: dtypes.dtype) -> dtypes.dtype:
    """The dtype of a true division (and of ops like it): integers divide in the default float."""
    return dt if dt.is_floating_point else dtypes.get_default_dtype()


def unary(*, to_float: bool = True, check=None, aliases=(),
          inplace_function: bool | tuple = True):
    """Publish a declared y = f(x) op as torch.<name>, Tensor.<name> and Tensor.<name>_
    (decorating its `@defop`). The forward gets `dtype=`, the dtype of the result:

    to_float: integer and bool inputs compute in the default float dtype (exp, sin, ...);
    otherwise the result keeps the input's dtype (abs, floor, ...). check(dtype) raises the
    kernel's "not implemented for" errors."""
    def result_dtype(t: Tensor) -> dtypes.dtype:
        return dtypes.get_default_dtype() if to_float and not t.dtype.is_floating_point \
            else t.dtype

    def declare(op):
        name = op.name

        def fn(input, *, out=None) -> Tensor:
            input = tensor_arg(name, input)
            if check is not None:
                check(input.dtype)
            return with_out(op(input, dtype=result_dtype(input).np), out)

        def fn_(input) -> Tensor:
            input = tensor_arg(name + "_", input)
            dt = result_dtype(input)
            return in_place(op, input, (), {"dtype": dt.np}, dtype=dt, shape=input.shape,
                            check=None if check is None else lambda: check(input.dtype))

        fn.__name__ = fn.__qualname__ = name
        fn_.__name__ = fn_.__qualname__ = name + "_"
        fn.__doc__ = f"torch.{name}: elementwise; d/dx from the op registry ({op.grad_fn})."
        publish(fn, name, *aliases, inplace=fn_, inplace_function=inplace_function)
        return op
    return declare


def tensor_pair(name: str, op, *, floating: bool = False, kernel_check=None):
    """torch.<name>(input, other) over two tensors (no Python numbers), and <name>_.
    floating: integer operands compute in the default float dtype (atan2)."""
    def prepare(fname, input, other):
        a, b = tensor_arg(fname, input), tensor_arg(fname, other, "other", 2)
        shape, dt = broadcast(fname, a, b), dtypes.result_type(a, b)
        return a, b, shape, (true_divide_dtype(dt) if floating else dt)

    def fn(input, other, *, out=None) -> Tensor:
        a, b, shape, dt = prepare(name, input, other)
        if kernel_check is not None:
            kernel_check(dt)
        return with_out(op(a, b, dtype=dt.np, _broadcast=shape), out)

    def fn_(input, other) -> Tensor:
        a, b, shape, dt = prepare(name + "_", input, other)
        return in_place(op, a, (b,), {"dtype": dt.np, "_broadcast": shape}, dtype=dt,
                        shape=shape, check=None if kernel_check is None else
                        lambda: kernel_check(dt))
    fn.__name__ = fn.__qualname__ = name
    fn_.__name__ = fn_.__qualname__ = name + "_"
    return fn, fn_
