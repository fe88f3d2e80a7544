"""Sums of products over chosen indices: trace, kron, cross and einsum.

trace and cross are primitives (PyTorch shows TraceBackward0 and LinalgCrossBackward0);
kron and einsum are composites over views, mul, sum and bmm, the way PyTorch builds them, so
the graph shows the same nodes.
"""
from __future__ import annotations


import numpy as np

from .. import caller_warning
from ..tensor import Tensor, _wrap_dim
from .registry import broadcast_shapes, defop, expose, writes_out
from .views import UNSAFE_VIEW, compute_stride


# ---- trace -------------------------------------------------------------------------------------
@defop("trace", "TraceBackward0", saves=("self_sym_sizes",),
       formulas={"self": "grad * eye(self.sizes())"})
def TRACE(a, *, dtype):
    return np.asarray(np.trace(a, dtype=dtype))


@TRACE.derivative
def _(g, s):
    from .creation import eye
    n, m = s.self_sym_sizes
    return g * eye(n, m, dtype=g.dtype)     # the gradient is grad on the diagonal, 0 elsewhere


def trace(input: Tensor) -> Tensor:
    if input.dtype.name == "bool":   # the dtype is checked first
        raise NotImplementedError("\"trace\" not implemented for 'Bool'")
    if input.dim() != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.dim()}")
    integral = not input.dtype.is_floating_point   # integers sum in int64, as torch.sum does
    return TRACE(input, dtype=np.int64 if integral else input._data.dtype)


# ---- kron ----------------------------------------------------------------------------------------
@writes_out(name="mul")   # torch writes kron's out= with mul
def kron(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """a[i, j] * b[k, l] at (i*K + k, j*L + l): PyTorch views a as (I, 1, J, 1) and b as
    (1, K, 1, L), multiplies (broadcasting), and views the product as (I*K, J*L)."""
    nd = max(input.dim(), other.dim())
    a_sizes = (1,) * (nd - input.dim()) + tuple(input.shape)
    b_sizes = (1,) * (nd - other.dim()) + tuple(other.shape)
    a_shape, b_shape = [], []
    for na, nb in zip(a_sizes, b_sizes):
        a_shape += [na, 1]
        b_shape += [1, nb]
    product = _viewed(input, a_shape) * _viewed(other, b_shape)
    return _viewed(product, [na * nb for na, nb in zip(a_sizes, b_sizes)])


def _viewed(t: Tensor, shape: list) -> Tensor:
    """PyTorch's _unsafe_view inside kron: it fails where a view would (a transposed input's
    product, say, cannot be viewed as the result)."""
    if compute_stride(tuple(t.shape), t.stride(), shape) is None:
        raise RuntimeError("view size is not compatible with input tensor's size and stride "
                           "(at least one dimension spans across two contiguous subspaces). Use "
                           ".reshape(...) instead.")
    return UNSAFE_VIEW(t, size=tuple(shape))


# ---- cross ---------------------------------------------------------------------------------------
@defop("linalg_cross", "LinalgCrossBackward0", inputs=("self", "other"),
       saves=("self", "other", "dim"),
       formulas={"self": "linalg_cross(other, grad, dim)",
                 "other": "linalg_cross(grad, self, dim)"},
       reads={"self": ("other", "dim"), "other": ("self", "dim")})
def LINALG_CROSS(a, b, *, dim):
    shape = np.broadcast_shapes(a.shape, b.shape)
    return np.ascontiguousarray(np.cross(np.broadcast_to(a, shape), np.broadcast_to(b, shape),
                                         axis=dim))


LINALG_CROSS.derivative(lambda g, s: (LINALG_CROSS(s.other, g, dim=s.dim),
                                      LINALG_CROSS(g, s.self, dim=s.dim)))


def _cross(input: Tensor, other: Tensor, dim: int) -> Tensor:
    if input.dim() != other.dim():
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    d = _wrap_dim(dim, input.dim())
    if input.shape[d] != 3 or other.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{input.shape[d]} and {other.shape[d]}")
    broadcast_shapes(tuple(input.shape), tuple(other.shape))   # PyTorch's error if they do not
    if input.dtype is not other.dtype:
        raise RuntimeError(f"expected scalar type {input.dtype.scalar_name} but found "
                           f"{other.dtype.scalar_name}")
    return LINALG_CROSS(input, other, dim=d)


@writes_out
def linalg_cross(input: Tensor, other: Tensor, *, dim: int = -1, out=None) -> Tensor:
    return _cross(input, other, dim)


@writes_out
def cross(input: Tensor, other: Tensor, dim=None, *, out=None) -> Tensor:
    """torch.cross: without `dim`, the first dim of size 3 (deprecated, with PyTorch's warning)."""
    if dim is None:
        if input.dim() == other.dim():
            shape = broadcast_shapes(tuple(input.shape), tuple(other.shape))
            dim = next((i for i, n in enumerate(shape) if n == 3), None)
        if dim is None:
            raise RuntimeError("no dimension of size 3 in input")
        caller_warning.warn_once("Using torch.cross without specifying the dim arg is "
                                 "deprecated.\nPlease either pass the dim explicitly or simply "
                                 "use torch.linalg.cross.\nThe default value of dim will change "
                                 "to agree with that of linalg.cross in a future release.")
    return _cross(input, other, dim)


# ---- einsum --------------------------------------------------------------------------------------
_ELLIPSIS = "..."


def _label_order(c: str) -> int:
    """PyTorch numbers labels A-Z then a-z; contraction dims follow that order."""
    return ord(c) - ord("A") if c.isupper() else 26 + ord(c) - ord("a")


def _parse_operand(spec: str, where: str) -> list:
    labels, i = [], 0
    while i < len(spec):
        if spec.startswith(_ELLIPSIS, i):
            if _ELLIPSIS in labels:
                raise RuntimeError(f"einsum(): found '.' for {where} that is not part of any "
                                   "ellipsis")
            labels.append(_ELLIPSIS)
            i += 3
            continue
        c = spec[i]
        if c == " ":
            i += 1
            continue
        if not c.isascii() or not c.isalpha():
            raise RuntimeError(f"einsum(): invalid subscript given at index {i} in the "
                               "equation string, subscripts must be in [a-zA-Z]")
        labels.append(c)
        i += 1
    return labels


def einsum(equation: str, *operands) -> Tensor:
    """PyTorch's einsum, step by step, so the graph shows its nodes: each operand is
    diagonalised for repeated labels, unsqueezed for missing ones and permuted into one label
    order (output labels first, then the summed ones); operands are then contracted left to
    right (mul when nothing is summed, else permute/reshape/bmm/view/permute), and the summed
    dims are dropped (view) or, for one operand, summed."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not operands:
        raise RuntimeError("einsum(): must provide at least one operand")
    lhs, arrow, rhs = equation.partition("->")
    specs = lhs.split(",")
    if len(specs) != len(operands):
        raise RuntimeError("einsum(): more operands were provided than specified in the "
                           "equation" if len(operands) > len(specs) else
                           "einsum(): fewer operands were provided than specified in the "
                           "equation")
    op_labels = [_parse_operand(spec, "operand") for spec in specs]
    ell_dims = 0
    counts: dict = {}
    for i, (labels, op) in enumerate(zip(op_labels, operands)):
        named = [c for c in labels if c != _ELLIPSIS]
        if _ELLIPSIS in labels:
            if op.dim() < len(named):
                raise RuntimeError(f"einsum(): the number of subscripts in the equation "
                                   f"({len(named)}) is more than the number of dimensions "
                                   f"({op.dim()}) for operand {i}")
            ell_dims = max(ell_dims, op.dim() - len(named))
        elif op.dim() != len(named):
            raise RuntimeError(f"einsum(): the number of subscripts in the equation "
                               f"({len(named)}) does not match the number of dimensions "
                               f"({op.dim()}) for operand {i} and no ellipsis was given")
        for c in named:
            counts[c] = counts.get(c, 0) + 1
    _check_label_sizes(op_labels, operands)
    # where each label goes: output labels first, then (unless output) the ellipsis, then the rest
    perm_index: dict = {}
    index = 0
    ell_index = 0
    ell_in_output = False
    if arrow:
        for c in _parse_operand(rhs, "output"):
            if c == _ELLIPSIS:
                ell_index, ell_in_output = index, True
                index += ell_dims
            elif c not in counts:
                raise RuntimeError(f"einsum(): output subscript {c} does not appear in the "
                                   "equation for any input operand")
            elif c in perm_index:
                raise RuntimeError(f"einsum(): output subscript {c} appears more than once in "
                                   "the output")
            else:
                perm_index[c] = index
                index += 1
    else:   # implicit output: the ellipsis, then the labels seen once, in order
        ell_in_output = True
        index = ell_dims
        for c in sorted(counts, key=_label_order):
            if counts[c] == 1:
                perm_index[c] = index
                index += 1
    out_size = index
    if not ell_in_output:
        ell_index = index
        index += ell_dims
    for c in sorted(counts, key=_label_order):
        if c not in perm_index:
            perm_index[c] = index
            index += 1
    total = index
    permuted = [_align(op, labels, perm_index, ell_index, ell_dims, total)
                for op, labels in zip(operands, op_labels)]
    if len(permuted) == 1:
        result = permuted[0]
        if total > out_size:
            return result.sum(tuple(range(out_size, total)))
        return result
    # how many operands have each summed dim (size > 1): one alone sums it right away
    dim_counts = [sum(op.shape[d] != 1 for op in permuted) if d >= out_size else 0
                  for d in range(total)]
    for i, op in enumerate(permuted):
        dims = [d for d in range(out_size, total) if dim_counts[d] == 1 and op.shape[d] != 1]
        for d in dims:
            dim_counts[d] = 0
        if dims:
            permuted[i] = op.sum(tuple(dims), True)
    ops = permuted
    while len(ops) > 1:
        a, b = ops[0], ops[1]
        sum_dims, a_sum, b_sum = [], [], []
        for d in range(out_size, total):
            if a.shape[d] != 1 and b.shape[d] != 1:
                dim_counts[d] -= 1
                if dim_counts[d] == 1:
                    sum_dims.append(d)
                    dim_counts[d] = 0
            elif dim_counts[d] == 1:
                if a.shape[d] != 1:
                    a_sum.append(d)
                    dim_counts[d] = 0
                elif b.shape[d] != 1:
                    b_sum.append(d)
                    dim_counts[d] = 0
        if a_sum:
            a = a.sum(tuple(a_sum), True)
        if b_sum:
            b = b.sum(tuple(b_sum), True)
        ops = [_sumproduct_pair(a, b, sum_dims)] + ops[2:]
    result = ops[0]
    if total > out_size:
        return result.view(tuple(result.shape[:out_size]))
    return result


def _align(op: Tensor, labels: list, perm_index: dict, ell_index: int, ell_dims: int,
           total: int) -> Tensor:
    """One operand with a dim per label, in the common order: repeated labels become a
    diagonal, missing labels a dim of size 1."""
    permutation = [-1] * total
    dim = 0
    for c in labels:
        if c == _ELLIPSIS:
            covered = op.dim() - (len(labels) - 1)
            for j in range(ell_dims - covered, ell_dims):
                permutation[ell_index + j] = dim
                dim += 1
            continue
        target = perm_index[c]
        if permutation[target] == -1:
            permutation[target] = dim
            dim += 1
        else:   # a repeated label: its diagonal, moved to where the label first appeared
            prev = permutation[target]          # (its sizes checked by _check_label_sizes)
            op = op.diagonal(0, prev, dim).movedim(-1, prev)
    for i, p in enumerate(permutation):
        if p == -1:
            op = op.unsqueeze(dim)
            permutation[i] = dim
            dim += 1
    return op.permute(permutation)


def _check_label_sizes(op_labels: list, operands) -> None:
    """A subscript's size in each operand broadcasts with the size seen before it (equal, or
    one of them 1), and a subscript repeated in one operand has one size: PyTorch's checks in
    its words."""
    seen: dict = {}
    for i, (labels, op) in enumerate(zip(op_labels, operands)):
        if _ELLIPSIS in labels:
            k = labels.index(_ELLIPSIS)
            after = len(labels) - k - 1
            dims = list(range(k)) + list(range(op.dim() - after, op.dim()))
            labels = labels[:k] + labels[k + 1:]
        else:
            dims = list(range(len(labels)))
        mine: dict = {}
        for c, d in zip(labels, dims):
            size = op.shape[d]
            if c in mine and mine[c] != size:
                raise RuntimeError(f"einsum(): subscript {c} is repeated for operand {i} but the "
                                   f"sizes don't match, {size} != {mine[c]}")
            mine[c] = size
            if c in seen and seen[c] != 1 and size != 1 and seen[c] != size:
                raise RuntimeError(f"einsum(): subscript {c} has size {size} for operand {i} "
                                   f"which does not broadcast with previously seen size "
                                   f"{seen[c]}")
            if seen.get(c, 1) == 1:
                seen[c] = size


def _sumproduct_pair(left: Tensor, right: Tensor, sum_dims: list) -> Tensor:
    """PyTorch's sumproduct_pair (keepdim): the product of two aligned operands summed over
    sum_dims, as one bmm of (shared, left-only, summed) by (shared, summed, right-only)."""
    if not sum_dims:
        return left * right
    lro, lo, ro = [], [], []
    lro_size = lo_size = ro_size = sum_size = 1
    for i in range(left.dim()):
        sl, sr = left.shape[i] != 1, right.shape[i] != 1
        if i in sum_dims:
            if sl and sr:
                if left.shape[i] != right.shape[i]:
                    raise RuntimeError("non-broadcast dimensions must match")
                sum_size *= left.shape[i]
            elif sl:
                left = left.sum(i, True)
            elif sr:
                right = right.sum(i, True)
        elif sl and sr:
            if left.shape[i] != right.shape[i]:
                raise RuntimeError("non-broadcast dimensions must match")
            lro.append(i)
            lro_size *= left.shape[i]
        elif sl:
            lo.append(i)
            lo_size *= left.shape[i]
        else:
            ro.append(i)
            ro_size *= right.shape[i]
    out_size = ([left.shape[d] for d in lro] + [left.shape[d] for d in lo] + [1] * len(sum_dims)
                + [right.shape[d] for d in ro])
    lperm = lro + lo + sum_dims + ro
    rperm = lro + sum_dims + ro + lo
    operm = [0] * len(lperm)
    for i, d in enumerate(lro + lo + sum_dims + ro):
        operm[d] = i
    a = left.permute(lperm).reshape(lro_size, lo_size, sum_size)
    b = right.permute(rperm).reshape(lro_size, sum_size, ro_size)
    return a.bmm(b).view(out_size).permute(operm)


for _fn in (trace, kron):
    expose(_fn)
expose(cross)
expose(einsum, method=False)
