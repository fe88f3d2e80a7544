"""Matrix products: mm, bmm, mv, dot, outer, and matmul's dispatch between them."""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor
from .registry import defop, expose


def _same_dtype(a: Tensor, b: Tensor, what: str = "m1 and m2") -> None:
    if a.dtype is not b.dtype:
        raise RuntimeError(f"expected {what} to have the same dtype, but got: "
                           f"{_c_name(a)} != {_c_name(b)}")


def _c_name(t: Tensor) -> str:
    return {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int",
            "int32": "int", "int16": "short int", "int8": "signed char",
            "uint8": "unsigned char", "bool": "bool"}[t.dtype.name]


@defop("mm", "MmBackward0", inputs=("self", "mat2"), saves=("self", "mat2"),
       formulas={"self": "grad @ mat2.T", "mat2": "self.T @ grad"})
def MM(a, b):
    return a @ b


MM.derivative(lambda g, s: (g.mm(s.mat2.t()), s.self.t().mm(g)))


def mm(input: Tensor, mat2: Tensor, *, out=None) -> Tensor:
    if input.dim() != 2:
        raise RuntimeError("self must be a matrix")
    if mat2.dim() != 2:
        raise RuntimeError("mat2 must be a matrix")
    if input.shape[1] != mat2.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({input.shape[0]}x"
                           f"{input.shape[1]} and {mat2.shape[0]}x{mat2.shape[1]})")
    _same_dtype(input, mat2)
    return MM(input, mat2)


@defop("bmm", "BmmBackward0", inputs=("self", "mat2"), saves=("self", "mat2"),
       formulas={"self": "grad.bmm(mat2.transpose(1, 2))", "mat2": "self.transpose(1, 2).bmm(grad)"})
def BMM(a, b):
    return np.matmul(a, b)


BMM.derivative(lambda g, s: (g.bmm(s.mat2.transpose(1, 2)), s.self.transpose(1, 2).bmm(g)))


def bmm(input: Tensor, mat2: Tensor, *, out=None) -> Tensor:
    if input.dim() != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if mat2.dim() != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    b, n, m = input.shape
    if tuple(mat2.shape[:2]) != (b, m):
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{b}, {m}] but got: [{mat2.shape[0]}, {mat2.shape[1]}].")
    _same_dtype(input, mat2, "scalar type")
    return BMM(input, mat2)


@defop("mv", "MvBackward0", inputs=("self", "vec"), saves=("self", "vec"),
       formulas={"self": "grad.outer(vec)", "vec": "self.T @ grad"})
def MV(a, v):
    return a @ v


MV.derivative(lambda g, s: (g.unsqueeze(1) * s.vec, s.self.t().mv(g)))


def mv(input: Tensor, vec: Tensor, *, out=None) -> Tensor:
    if input.dim() != 2 or vec.dim() != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {vec.dim() if False else 1}, "
                           f"{input.dim()}, {vec.dim()}")
    if input.shape[1] != vec.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({input.shape[0]}), mat ({input.shape[0]}x"
                           f"{input.shape[1]}), vec ({vec.shape[0]})")
    _same_dtype(input, vec)
    return MV(input, vec)


@defop("dot", "DotBackward0", inputs=("self", "tensor"), saves=("self", "tensor"),
       formulas={"self": "grad * tensor", "tensor": "grad * self"})
def DOT(a, b):
    return np.dot(a, b)


DOT.derivative(lambda g, s: (g * s.tensor, g * s.self))


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


def outer(input: Tensor, vec2: Tensor) -> Tensor:
    return input.unsqueeze(1) * vec2


def matmul(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """Dispatch like PyTorch: dot, mv, mm, folded mm for a batch @ matrix, else bmm."""
    da, db = input.dim(), other.dim()
    if da == 0 or db == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{da}D and {db}D")
    if da == 1 and db == 1:
        return dot(input, other)
    if da == 2 and db == 1:
        return mv(input, other)
    if da == 1 and db == 2:
        return mm(input.unsqueeze(0), other).squeeze(0)
    if da == 2 and db == 2:
        return mm(input, other)
    if da >= 3 and db <= 2:
        folded = input.reshape(-1, input.shape[-1])
        right = other if db == 2 else other.unsqueeze(1)
        if folded.shape[1] != right.shape[0]:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({folded.shape[0]}x"
                               f"{folded.shape[1]} and {right.shape[0]}x{right.shape[1]})")
        out_shape = tuple(input.shape[:-1]) + ((other.shape[-1],) if db == 2 else ())
        from .views import UNSAFE_VIEW
        return UNSAFE_VIEW(mm(folded, right), size=out_shape)
    # General case: broadcast the batch dims, fold them into one, bmm, unfold.
    from .registry import broadcast_shapes
    a = input.unsqueeze(0) if da == 1 else input
    b = other.unsqueeze(-1) if db == 1 else other
    n, m = a.shape[-2:]
    m2, p = b.shape[-2:]
    batch = broadcast_shapes(tuple(a.shape[:-2]), tuple(b.shape[:-2]))
    size = int(np.prod(batch)) if batch else 1
    a3 = a.expand(batch + (n, m)).reshape(size, n, m)
    b3 = b.expand(batch + (m2, p)).reshape(size, m2, p)
    result = bmm(a3, b3)
    shape = batch + ((n,) if da > 1 else ()) + ((p,) if db > 1 else ())
    from .views import UNSAFE_VIEW
    return UNSAFE_VIEW(result, size=shape)


for _fn in (mm, bmm, mv, dot, outer, matmul):
    expose(_fn)
expose(outer, "ger")
expose(matmul, "__matmul__", function=False)
expose(lambda self, other: matmul(other, self), "__rmatmul__", function=False)
