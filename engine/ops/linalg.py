"""Matrix products: mm, bmm, mv, dot, outer, and matmul's dispatch between them."""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor
from .registry import defop, expose, op_failed, writes_out


def _same_dtype(a: Tensor, b: Tensor, what: str = "m1 and m2") -> None:
    if a.dtype is not b.dtype:
        raise RuntimeError(f"expected {what} to have the same dtype, but got: "
                           f"{_c_name(a)} != {_c_name(b)}")


def _scalar_name(t: Tensor) -> str:
    return {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
            "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
            "bool": "Bool"}[t.dtype.name]


def _c_name(t: Tensor) -> str:
    return {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int",
            "int32": "int", "int16": "short int", "int8": "signed char",
            "uint8": "unsigned char", "bool": "bool"}[t.dtype.name]


@defop("mm", "MmBackward0", inputs=("self", "mat2"), saves=("self", "mat2"),
       formulas={"self": "grad @ mat2.T", "mat2": "self.T @ grad"},
       reads={"self": ("mat2",), "mat2": ("self",)})
def MM(a, b):
    return a @ b


MM.derivative(lambda g, s: (mat1_grad(g, s.self, s.mat2) if s.needs("self") else None,
                           mat2_grad(g, s.self, s.mat2) if s.needs("mat2") else None))


def mat1_grad(g: Tensor, mat1: Tensor, mat2: Tensor) -> Tensor:
    """grad @ mat2.T, laid out like mat1 (PyTorch's mm_mat1_backward): for a column-major
    mat1 it is computed as (mat2 @ grad.T).T, so the gradient needs no reordering copy.
    The operands of a backward fit by construction: the mm op itself, without mm()'s checks."""
    if _column_major(mat1):
        return MM(mat2, g.t()).t()
    return MM(g, mat2.t())


def mat2_grad(g: Tensor, mat1: Tensor, mat2: Tensor) -> Tensor:
    """mat1.T @ grad, laid out like mat2 (PyTorch's mm_mat2_backward): a layer's weight.t()
    is column-major, and its gradient comes out as (grad.T @ mat1).T, the weight's layout."""
    if _column_major(mat2):
        return MM(g.t(), mat1).t()
    return MM(mat1.t(), g)


def _column_major(t: Tensor) -> bool:
    stride = t._data.strides
    return stride[0] == t._data.itemsize and stride[1] == t._data.shape[0] * t._data.itemsize


@writes_out
def mm(input: Tensor, mat2: Tensor, *, out=None) -> Tensor:
    if input.dim() != 2:
        raise RuntimeError("self must be a matrix")
    if mat2.dim() != 2:
        raise RuntimeError("mat2 must be a matrix")
    if input.shape[1] != mat2.shape[0]:
        raise op_failed("mm", (input, mat2), RuntimeError(
            f"a and b must have same reduction dim, but got {list(input.shape)} X "
            f"{list(mat2.shape)}." if input.is_meta else   # (torch's meta kernel's words)
            f"mat1 and mat2 shapes cannot be multiplied ({input.shape[0]}x{input.shape[1]} and "
            f"{mat2.shape[0]}x{mat2.shape[1]})"))
    _same_dtype(input, mat2)
    return MM(input, mat2)


@defop("bmm", "BmmBackward0", inputs=("self", "mat2"), saves=("self", "mat2"),
       formulas={"self": "grad.bmm(mat2.transpose(1, 2))",
                 "mat2": "self.transpose(1, 2).bmm(grad)"},
       reads={"self": ("mat2",), "mat2": ("self",)})
def BMM(a, b):
    return np.matmul(a, b)


BMM.derivative(lambda g, s: (g.bmm(s.mat2.transpose(1, 2)), s.self.transpose(1, 2).bmm(g)))


@writes_out
def bmm(input: Tensor, mat2: Tensor, *, out=None) -> Tensor:
    if input.dim() != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if mat2.dim() != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    b, n, m = input.shape
    if tuple(mat2.shape[:2]) != (b, m):
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{b}, {m}] but got: [{mat2.shape[0]}, {mat2.shape[1]}].")
    if input.dtype is not mat2.dtype:
        raise RuntimeError(f"expected scalar type {_scalar_name(input)} but found "
                           f"{_scalar_name(mat2)}")
    return BMM(input, mat2)


@defop("mv", "MvBackward0", inputs=("self", "vec"), saves=("self", "vec"),
       formulas={"self": "grad.outer(vec)", "vec": "self.T @ grad"},
       reads={"self": ("vec",), "vec": ("self",)})
def MV(a, v):
    return a @ v


MV.derivative(lambda g, s: (g.unsqueeze(1) * s.vec, s.self.t().mv(g)))


@writes_out
def mv(input: Tensor, vec: Tensor, *, out=None) -> Tensor:
    if input.dim() != 2 or vec.dim() != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {vec.dim() if False else 1}, "
                           f"{input.dim()}, {vec.dim()}")
    if input.shape[1] != vec.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({input.shape[0]}), mat ({input.shape[0]}x"
                           f"{input.shape[1]}), vec ({vec.shape[0]})")
    if input.dtype is not vec.dtype:   # PyTorch's mv is addmv into a result of vec's dtype
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got "
                           f"{_scalar_name(vec)}, {_scalar_name(input)}, and {_scalar_name(vec)}")
    return MV(input, vec)


@defop("dot", "DotBackward0", inputs=("self", "tensor"), saves=("self", "tensor"),
       formulas={"self": "grad * tensor", "tensor": "grad * self"},
       reads={"self": ("tensor",), "tensor": ("self",)})
def DOT(a, b):
    return np.dot(a, b)


DOT.derivative(lambda g, s: (g * s.tensor, g * s.self))


@writes_out
def dot(input: Tensor, tensor: Tensor, *, out=None) -> Tensor:
    if input.dim() != 1 or tensor.dim() != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.dim()}D and {tensor.dim()}D "
                           "tensors")
    if input.shape[0] != tensor.shape[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{input.shape[0]}] and "
                           f"src [{tensor.shape[0]}] to have the same number of elements, but "
                           f"got {input.shape[0]} and {tensor.shape[0]} elements respectively")
    if input.dtype is not tensor.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                           f"{input.dtype.legacy[:-6]} and {tensor.dtype.legacy[:-6]}")
    return DOT(input, tensor)


@writes_out
def outer(input: Tensor, vec2: Tensor, *, out=None) -> Tensor:
    """input[i] * vec2[j]: PyTorch computes it as input.reshape(-1, 1) * vec2."""
    if input.dim() != 1:
        raise RuntimeError(f"outer: Expected 1-D argument self, but got {input.dim()}-D")
    if vec2.dim() != 1:
        raise RuntimeError(f"outer: Expected 1-D argument vec2, but got {vec2.dim()}-D")
    return input.reshape(input.shape[0], 1) * vec2


@writes_out(name="matmul")
def matmul(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """Dispatch like PyTorch's matmul, so the graph shows the same nodes:

    1-D @ 1-D dot; 2-D @ 1-D mv; 1-D @ 2-D unsqueeze, mm, squeeze_; 2-D @ 2-D mm;
    a batch against a matrix or vector is folded into one mm/mv when that costs no copy (or
    when the smaller operand needs a gradient), else both are expanded and reshaped for bmm.
    """
    da, db = input.dim(), other.dim()
    if da == 0 or db == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{da}D and {db}D")
    if da == 1 and db == 1:
        return dot(input, other)
    if da == 2 and db == 1:
        return mv(input, other)
    if da == 1 and db == 2:
        return SQUEEZE_(mm(input.unsqueeze(0), other), dim=0)
    if da == 2 and db == 2:
        return mm(input, other)
    from .views import UNSAFE_VIEW
    if _should_fold(input, other):
        transpose = db > da   # fold the bigger operand: (b...n, m) @ small
        t1 = other.mT if transpose else input
        t2 = (input.t() if da == 2 else input) if transpose else other
        out_shape = tuple(t1.shape[:-1])
        folded = t1.reshape(int(np.prod(out_shape)), t1.shape[-1])
        if t2.dim() == 2:
            result = UNSAFE_VIEW(folded.mm(t2), size=out_shape + (t2.shape[1],))
            return result.mT.contiguous() if transpose else result
        return UNSAFE_VIEW(folded.mv(t2), size=out_shape)
    # Broadcast the batch dims, fold them into one, bmm, unfold.
    n = input.shape[-2] if da > 1 else 1
    m1 = input.shape[-1]
    m2 = other.shape[-2] if db > 1 else other.shape[0]
    p = other.shape[-1] if db > 1 else 1
    batch_a, batch_b = tuple(input.shape[:max(da - 2, 0)]), tuple(other.shape[:max(db - 2, 0)])
    if da == 3 and db == 3 and batch_a[0] != batch_b[0]:
        # a batch of one that needs a gradient is squeezed, so it folds (see _should_fold)
        if batch_a[0] == 1 and input.requires_grad:
            return matmul(input.squeeze(0), other)
        if batch_b[0] == 1 and other.requires_grad:
            return matmul(input, other.squeeze(0))
    from .registry import broadcast_shapes
    batch = broadcast_shapes(batch_a, batch_b)
    size = int(np.prod(batch))
    a3 = input.expand(batch + (n, m1)).reshape(size, n, m1)
    if db == 1:   # a vector is not broadcast as a matrix: (size, m2) then a column
        b3 = other.expand(batch + (m2,)).reshape(size, m2).unsqueeze(2)
    else:
        b3 = other.expand(batch + (m2, p)).reshape(size, m2, p)
    shape = batch + ((n,) if da > 1 else ()) + ((p,) if db > 1 else ())
    product = a3.bmm(b3)
    return UNSAFE_VIEW(product.squeeze(-1) if db == 1 else product, size=shape)


def _should_fold(tensor1: Tensor, tensor2: Tensor) -> bool:
    """PyTorch's should_fold: fold the bigger operand into a matrix for one mm/mv?"""
    larger_first = tensor1.dim() >= tensor2.dim()
    t1 = tensor1 if larger_first else tensor2.mT
    small = tensor2 if larger_first else tensor1
    if not (t1.dim() >= 3 and small.dim() <= 2):
        return False
    if small.requires_grad:   # folding avoids a big intermediate in the backward
        return True
    if tensor1.dim() == 2:
        return False
    if t1.numel() == 0:
        return True
    shape, strides = t1.shape, t1.stride()
    return all(strides[i] == strides[i + 1] * shape[i + 1] for i in range(len(shape) - 2))


@defop("squeeze_", "SqueezeBackward4", saves=("dim", "self_sym_sizes"),
       formulas={"self": "grad.unsqueeze(dim)"})
def SQUEEZE_(a, *, dim):
    """matmul's in-place squeeze_(0) of its fresh mm result (a copy here: nothing else sees it)."""
    return np.squeeze(a, axis=dim)


SQUEEZE_.derivative(lambda g, s: g.unsqueeze(s.dim))


for _fn in (mm, bmm, mv, dot, outer, matmul):
    expose(_fn)
expose(outer, "ger")
expose(matmul, "__matmul__", function=False)
expose(lambda self, other: matmul(other, self), "__rmatmul__", function=False)
