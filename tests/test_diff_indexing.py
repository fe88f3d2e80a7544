"""Indexing against real PyTorch: `t[...]`, `t[...] = v` and the gather/scatter family.

Every case goes through `check` (see test_diff_views): values, strides, storage offset, aliasing
of the input, the whole grad_fn chain and the gradients must match torch's. PyTorch applies int
indices as select *before* the tensor indices, so `t[[0, 1], 0]` is `t.select(1, 0)[[0, 1]]`,
unlike NumPy; those cases are here too.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from test_diff_views import SETTINGS, check, check_aliasing

A = np.arange(24, dtype=np.float32).reshape(2, 3, 4) - 5
A4 = np.arange(2 * 3 * 4 * 5, dtype=np.float64).reshape(2, 3, 4, 5) / 10
M = np.arange(12, dtype=np.float32).reshape(3, 4) - 4
W = np.array([1.5, -2.0, 0.5, 3.0], dtype=np.float32)
S = np.array(2.5, dtype=np.float32)


# ---- reading ------------------------------------------------------------------------------------
GETITEM = {
    "int": lambda l, a: a[1],
    "negative_int": lambda l, a: a[-1],
    "two_ints": lambda l, a: a[1, -2],
    "all_ints": lambda l, a: a[1, 2, 3],
    "bare_slice": lambda l, a: a[:],
    "bare_slice_with_bounds": lambda l, a: a[0:2],
    "bare_slice_step": lambda l, a: a[::2],
    "bare_slice_past_end": lambda l, a: a[-5:10],
    "tuple_full_slice_is_alias": lambda l, a: a[(slice(None),)],
    "tuple_full_slices_are_alias": lambda l, a: a[:, :],
    "tuple_slice_to_end_is_alias": lambda l, a: a[0:, :100],
    "tuple_slice_from_negative": lambda l, a: a[:, -3:],
    "slice_steps": lambda l, a: a[:, ::2, 1::2],
    "slice_empty": lambda l, a: a[:, 2:1],
    "slice_then_int": lambda l, a: a[1:, 2],
    "ellipsis": lambda l, a: a[...],
    "ellipsis_int": lambda l, a: a[..., 1],
    "int_ellipsis": lambda l, a: a[1, ...],
    "two_ellipses": lambda l, a: a[..., 0, ...],
    "none": lambda l, a: a[None],
    "none_middle": lambda l, a: a[:, None],
    "none_end": lambda l, a: a[..., None],
    "nones_and_ints": lambda l, a: a[None, 1, None, 2],
    "empty_tuple": lambda l, a: a[()],
    "true": lambda l, a: a[True],
    "false": lambda l, a: a[False],
    "true_and_int": lambda l, a: a[True, 0],
    "zero_dim_int_tensor": lambda l, a: a[l.tensor(1)],
    "zero_dim_int_tensor_in_tuple": lambda l, a: a[:, l.tensor(2)],
    "numpy_int": lambda l, a: a[np.int64(1), 0],
    "list": lambda l, a: a[[1, 0, 1]],
    "list_negative": lambda l, a: a[[-1, 0]],
    "list_empty": lambda l, a: a[[]],
    "list_of_bools": lambda l, a: a[[True, False]],
    "list_second_dim": lambda l, a: a[:, [2, 0]],
    "long_tensor": lambda l, a: a[l.tensor([1, 0])],
    "int32_tensor": lambda l, a: a[l.tensor([1, 0], dtype=l.int32)],
    "2d_long_tensor": lambda l, a: a[l.tensor([[0, 1], [1, 1]])],
    "numpy_array": lambda l, a: a[np.array([1, 0])],
    "two_lists": lambda l, a: a[[0, 1], [1, 2]],
    "two_lists_broadcast": lambda l, a: a[[[0], [1]], [1, 2, 0]],
    "lists_split_by_slice": lambda l, a: a[[0, 1], :, [1, 2]],
    "lists_adjacent_after_slice": lambda l, a: a[:, [0, 1], [1, 2]],
    "list_after_slice": lambda l, a: a[1:, [0, 2]],
    "int_before_list": lambda l, a: a[0, :, [1, 2]],
    "int_after_list": lambda l, a: a[[1, 0], 0],
    "int_after_list_and_slice": lambda l, a: a[[1, 0], :, 0],
    "list_then_none": lambda l, a: a[:, [0, 1], None],
    "none_then_list": lambda l, a: a[:, None, [0, 1]],
    "list_ellipsis_list": lambda l, a: a[[0], ..., [1]],
    "true_and_list": lambda l, a: a[True, [0, 1]],
    "mask_all_dims": lambda l, a: a[a > 3],
    "mask_first_two_dims": lambda l, a: a[a[:, :, 0] > -3],
    "mask_second_dim": lambda l, a: a[:, a[0, :, 0] > -4],
    "mask_nothing": lambda l, a: a[a > 100],
    "mask_zero_dim": lambda l, a: a[a[0, 0, 0] > 0],
    "uint8_mask": lambda l, a: a[l.tensor([1, 0], dtype=l.uint8)],
    "mask_and_list": lambda l, a: a[a[:, 0, 0] > -10, :, [1, 3]],
    "2d_mask_then_list": lambda l, a: a[a[:, :, 0] > -3, [1]],
    "2d_mask_then_int": lambda l, a: a[a[:, :, 0] > -3, 2],
    "2d_mask_then_slice": lambda l, a: a[a[:, :, 0] > -3, 1:],
    "2d_mask_then_none": lambda l, a: a[a[:, :, 0] > -3, :, None],
    "int_2d_mask_list": lambda l, a: a[0, a[0] > 0],
    "2d_mask_last_dims": lambda l, a: a[:, a[0] > 0],
    "list_of_floats_is_long": lambda l, a: a[[1.0]],
    "nested_list_is_a_tuple": lambda l, a: a[[[0, 1], [1, 0]]],
    "list_with_slice_is_a_tuple": lambda l, a: a[[slice(None), 1]],
    "transposed_int": lambda l, a: a.transpose(0, 2)[1],
    "transposed_list_front": lambda l, a: a.transpose(1, 2)[[1, 0]],
    "transposed_list_middle": lambda l, a: a.transpose(1, 2)[:, [0, 1]],
    "transposed_list_last": lambda l, a: a.transpose(1, 2)[:, :, [0, 1]],
    "transposed_two_lists": lambda l, a: a.transpose(0, 2)[[1, 0], :, [0, 1]],
    "transposed_mask": lambda l, a: a.transpose(0, 2)[a.transpose(0, 2) > 4],
    "strided_list": lambda l, a: a[:, ::2][[1, 0], :, 1:],
    "transposed_index_tensor": lambda l, a: a[l.tensor([[0, 1, 1], [1, 0, 0]]).t()],
    "expanded_input": lambda l, a: a[:, :1].expand(2, 3, 4)[:, [0, 2]],
}


@pytest.mark.parametrize("name", list(GETITEM))
def test_getitem_matches_torch(name):
    check(GETITEM[name], A)


@pytest.mark.parametrize("name", list(GETITEM))
def test_getitem_aliases_like_torch(name):
    check_aliasing(GETITEM[name], A)


def test_getitem_on_4d_and_0d_tensors():
    for expr in (lambda l, a: a[:, 1:, [0, 2], ::2], lambda l, a: a[..., [1, 0], :],
                 lambda l, a: a.permute(0, 2, 3, 1)[:, [0, 1], :, [2, 0]],
                 lambda l, a: a[[1], :, [1, 2], [0]], lambda l, a: a[a.sum(-1) > 20]):
        check(expr, A4)
    for expr in (lambda l, s: s[...], lambda l, s: s[None], lambda l, s: s[True],
                 lambda l, s: s[False], lambda l, s: s[s > 0], lambda l, s: s[None, ..., None]):
        check(expr, S)


GETITEM_ERRORS = {
    "too_many_ints": lambda l, a: a[0, 0, 0, 0],
    "too_many_with_ellipsis": lambda l, a: a[0, ..., 0, 0, 0],
    "too_many_lists": lambda l, a: a[[0], [0], [0], [0]],
    "int_out_of_range": lambda l, a: a[2],
    "negative_int_out_of_range": lambda l, a: a[-3],
    "int_out_of_range_second": lambda l, a: a[0, 5],
    "int_out_of_range_after_ellipsis": lambda l, a: a[..., 9],
    "int_out_of_range_after_none": lambda l, a: a[None, 0, 9],
    "list_out_of_range": lambda l, a: a[[0, 5]],
    "list_negative_out_of_range": lambda l, a: a[[0, -3]],
    "list_out_of_range_second": lambda l, a: a[:, [0, 3]],
    "lists_out_of_range": lambda l, a: a[[0, 1], [2, 5]],
    "lists_dont_broadcast": lambda l, a: a[[0, 1], [0, 1, 2]],
    "float_index": lambda l, a: a[1.0],
    "float_tensor_index": lambda l, a: a[l.tensor([1.0])],
    "int8_tensor_index": lambda l, a: a[l.tensor([1, 0], dtype=l.int8)],
    "string_index": lambda l, a: a["a"],
    "mask_wrong_shape": lambda l, a: a[a[0] > 5],
    "mask_too_long": lambda l, a: a[l.tensor([True, False, True])],
    "mask_wrong_shape_second": lambda l, a: a[:, l.tensor([True, False])],
    "negative_step": lambda l, a: a[::-1],
    "zero_step": lambda l, a: a[:, ::0],
    "zero_dim_int": lambda l, a: a[0, 0, 0][0],
    "zero_dim_int_nonzero": lambda l, a: a[0, 0, 0][1],
    "zero_dim_slice": lambda l, a: a[0, 0, 0][:],
    "zero_dim_list": lambda l, a: a[0, 0, 0][[0]],
    "index_into_empty_dim": lambda l, a: a[:, :0][:, [0]],
}


@pytest.mark.parametrize("name", list(GETITEM_ERRORS))
def test_getitem_error_first_line_matches_torch(name):
    check(GETITEM_ERRORS[name], A, raises=True)


# ---- generated reads -----------------------------------------------------------------------------
@st.composite
def _basic_item(draw, size: int):
    if draw(st.booleans()):
        return draw(st.integers(-size, size - 1))
    start = draw(st.one_of(st.none(), st.integers(-size - 1, size + 1)))
    stop = draw(st.one_of(st.none(), st.integers(-size - 1, size + 1)))
    return slice(start, stop, draw(st.one_of(st.none(), st.integers(1, 3))))


@st.composite
def basic_indices(draw, shape):
    """A tuple of ints and slices for some leading dims, maybe an Ellipsis and items for some
    trailing dims, and a few None anywhere: always valid for `shape`."""
    n = len(shape)
    ellipsis = draw(st.booleans())
    k = draw(st.integers(0, n))
    m = draw(st.integers(0, n - k)) if ellipsis else 0
    items = [draw(_basic_item(shape[d])) for d in range(k)]
    if ellipsis:
        items.append(Ellipsis)
    items += [draw(_basic_item(shape[d])) for d in range(n - m, n)]
    for _ in range(draw(st.integers(0, 2))):
        items.insert(draw(st.integers(0, len(items))), None)
    return tuple(items)


@st.composite
def shapes_and_basic_indices(draw):
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=0, max_size=4)))
    return shape, draw(basic_indices(shape))


def _data(shape, dtype=np.float32):
    return (np.arange(int(np.prod(shape)), dtype=dtype) - 3).reshape(shape)


@SETTINGS
@given(shapes_and_basic_indices())
def test_random_basic_index_matches_torch(case):
    shape, index = case
    check(lambda l, a: a[index], _data(shape))


@SETTINGS
@given(shapes_and_basic_indices())
def test_random_basic_index_aliases_like_torch(case):
    shape, index = case
    check_aliasing(lambda l, a: a[index], _data(shape))


@st.composite
def mixed_indices(draw):
    """Basic items where one or two ints/slices became integer lists (of one common length, so
    they broadcast), or with a list appended: the order of select and index matters here."""
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=4)))
    layout = draw(st.sampled_from(["plain", "transposed"]))
    index = list(draw(basic_indices(shape)))
    n_dims = len(shape)
    length = draw(st.integers(0, 3))
    positions = [i for i, item in enumerate(index) if isinstance(item, (int, slice))]
    used = len(positions)
    if positions and draw(st.booleans()):
        for i in draw(st.lists(st.sampled_from(positions), min_size=1, max_size=2, unique=True)):
            size = shape[_dim_of(index, i, n_dims)]
            index[i] = draw(st.lists(st.integers(-size, size - 1), min_size=length,
                                     max_size=length))
    elif used < n_dims and Ellipsis not in index:
        size = shape[used]
        index.append(draw(st.lists(st.integers(-size, size - 1), min_size=max(length, 1),
                                   max_size=max(length, 1))))
    return shape, layout, tuple(index)


def _dim_of(index, i, n_dims) -> int:
    """Which input dim item i indexes (ints, slices and lists each take one)."""
    consumed = [isinstance(x, (int, slice, list)) for x in index]
    if Ellipsis in index and index.index(Ellipsis) < i:
        return n_dims - sum(consumed[i:])
    return sum(consumed[:i])


@SETTINGS
@given(mixed_indices())
def test_random_mixed_basic_and_advanced_index_matches_torch(case):
    shape, layout, index = case
    data = _data(shape)
    if layout == "transposed":  # the same shape, dims in reverse order in memory
        check(lambda l, a: a.permute(*range(a.dim() - 1, -1, -1))[index], data.T.copy())
    else:
        check(lambda l, a: a[index], data)


@SETTINGS
@given(st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple), st.data())
def test_random_mask_index_matches_torch(shape, data):
    arr = _data(shape)
    k = data.draw(st.integers(1, len(shape)))
    start = data.draw(st.integers(0, len(shape) - k))
    mask = data.draw(st.lists(st.booleans(), min_size=int(np.prod(shape[start:start + k])),
                              max_size=int(np.prod(shape[start:start + k]))))
    mask = np.array(mask, dtype=bool).reshape(shape[start:start + k])
    after = ()
    if start + k < len(shape):  # something for the dim after the mask: an int, a list or :
        size = shape[start + k]
        after = (data.draw(st.one_of(st.integers(-size, size - 1), st.just(slice(1, None)),
                                     st.lists(st.integers(0, size - 1), min_size=1,
                                              max_size=1))),)
    check(lambda l, a: a[(slice(None),) * start + (l.tensor(mask),) + after], arr)


# ---- writing ------------------------------------------------------------------------------------
def _setitem(index, value):
    """a = x * 1 (a non-leaf), then a[index] = value(lib, x, w); return a.
    `index` may be a function of (lib, x), for masks made from x."""
    def scenario(l, x, w):
        a = x * 1
        a[index(l, x) if callable(index) else index] = value(l, x, w)
        return a
    return scenario


SETITEM = {
    "int_number": _setitem(0, lambda l, x, w: 5.0),
    "int_int_number": _setitem((1, 2), lambda l, x, w: -1),
    "bare_slice_number": _setitem(slice(None), lambda l, x, w: 2.0),
    "ellipsis_number": _setitem(Ellipsis, lambda l, x, w: 2.0),
    "full_slices_number": _setitem((slice(None), slice(None)), lambda l, x, w: 2.0),
    "none_number": _setitem(None, lambda l, x, w: 3.0),
    "true_number": _setitem(True, lambda l, x, w: 3.0),
    "false_number": _setitem(False, lambda l, x, w: 3.0),
    "row_tensor": _setitem(1, lambda l, x, w: w),
    "row_broadcast_with_leading_ones": _setitem(1, lambda l, x, w: w.view(1, 1, 4)),
    "rows_broadcast": _setitem(slice(0, 2), lambda l, x, w: w),
    "column_tensor": _setitem((slice(None), 1), lambda l, x, w: w[:3] * 2),
    "column_zero_dim_tensor": _setitem((slice(None), 1), lambda l, x, w: w[0]),
    "all_broadcast": _setitem(slice(None), lambda l, x, w: w),
    "ellipsis_broadcast": _setitem(Ellipsis, lambda l, x, w: w),
    "strided_block": _setitem((slice(None, None, 2), slice(1, None, 2)), lambda l, x, w: w[:2]),
    "float64_value": _setitem(0, lambda l, x, w: l.ones(4, dtype=l.float64)),
    "int_value": _setitem(0, lambda l, x, w: l.arange(4)),
    "list_number": _setitem([0, 2], lambda l, x, w: 7.0),
    "list_tensor": _setitem([0, 2], lambda l, x, w: w),
    "list_with_leading_ones": _setitem([0, 2], lambda l, x, w: w.view(1, 1, 4)),
    "list_repeated": _setitem([1, 1], lambda l, x, w: w),
    "second_dim_list": _setitem((slice(None), [0, 3]), lambda l, x, w: w[:1]),
    "int_and_list": _setitem((0, [1, 3]), lambda l, x, w: w[:2]),
    "two_lists": _setitem(([0, 2], [3, 1]), lambda l, x, w: w[2]),
    "mask_number": _setitem(lambda l, x: x > 2, lambda l, x, w: 0.0),
    "mask_zero_dim_tensor": _setitem(lambda l, x: x > 2, lambda l, x, w: w[1]),
    "mask_row": _setitem(lambda l, x: x[:, 0] > -1, lambda l, x, w: w),
    "true_and_list": _setitem((True, [0, 1]), lambda l, x, w: 1.0),
}


def _augmented(index, op):
    """a[index] op= value: a read, an in-place op on what was read, and a write back."""
    def scenario(l, x, w):
        a = x * 1
        i = index(l, a) if callable(index) else index
        if op == "add":
            a[i] += 1
        elif op == "mul":
            a[i] *= w[:2]
        else:
            a[i] -= w[0]
        return a
    return scenario


SETITEM.update({
    "augmented_int": _augmented(0, "add"),
    "augmented_slice": _augmented((slice(None), slice(2, None)), "mul"),
    "augmented_list": _augmented([0, 2], "add"),
    "augmented_mask": _augmented(lambda l, a: a > 0, "sub"),
})


@pytest.mark.parametrize("name", list(SETITEM))
def test_setitem_matches_torch(name):
    check(SETITEM[name], M, W)


@pytest.mark.parametrize("index", [1, [0, 2], Ellipsis, (slice(None), 2)])
@pytest.mark.parametrize("value", ["tensor", "number"])
def test_setitem_on_a_tensor_without_grad_takes_history_from_the_value(index, value):
    def scenario(l, x, w):
        a = x.detach().clone()
        a[index] = (w if index != (slice(None), 2) else w[:3]) if value == "tensor" else 5.0
        return a
    check(scenario, M, W)


def test_setitem_on_a_view_updates_the_base_and_its_version():
    def scenario(l, x):
        base = x.detach().clone()
        v = base[1:]
        v[0, [0, 2]] = 9.0
        v[:, 1] = l.tensor([7.0, 8.0])
        return base, v, base._version, v._version
    check(scenario, M, grad=False)


SETITEM_ERRORS = {
    "leaf_int": lambda l, x, w: x.__setitem__(0, 1.0),
    "leaf_slice": lambda l, x, w: x.__setitem__(slice(None), 1.0),
    "leaf_list": lambda l, x, w: x.__setitem__([0], 1.0),
    "shape_mismatch": lambda l, x, w: (x * 1).__setitem__((slice(None), 0), w),
    "too_many_value_dims": lambda l, x, w: (x * 1).__setitem__(0, w.expand(2, 4)),
    "list_shape_mismatch": lambda l, x, w: (x * 1).__setitem__([0, 1], w[:3]),
    "lists_shape_mismatch": lambda l, x, w: (x * 1).__setitem__(([0, 1], [1, 2]), w[:3]),
    "list_dtype_mismatch": lambda l, x, w: (x * 1).__setitem__([0, 1], w.double()),
    "list_out_of_range": lambda l, x, w: (x * 1).__setitem__([0, 5], 1.0),
    "int_out_of_range": lambda l, x, w: (x * 1).__setitem__((0, 9), 1.0),
    "too_many_indices": lambda l, x, w: (x * 1).__setitem__((0, 0, 0), 1.0),
    "negative_step": lambda l, x, w: (x * 1).__setitem__(slice(None, None, -1), 1.0),
    "python_list_value": lambda l, x, w: (x * 1).__setitem__(0, [1.0, 2.0, 3.0, 4.0]),
    "string_value": lambda l, x, w: (x * 1).__setitem__(0, "x"),
    "numpy_value": lambda l, x, w: (x * 1).__setitem__(0, np.ones(4)),
}


@pytest.mark.parametrize("name", list(SETITEM_ERRORS))
def test_setitem_error_first_line_matches_torch(name):
    check(SETITEM_ERRORS[name], M, W, raises=True)


# ---- gather, scatter, index_select, masked ops, take, nonzero ------------------------------------
IDX = np.array([[0, 2, 1, 0], [2, 2, 0, 1]])
OPS = {
    "gather": lambda l, x, w: x.gather(0, l.tensor(IDX)),
    "gather_dim1": lambda l, x, w: l.gather(x, 1, l.tensor(IDX[:, :3])),
    "gather_int32": lambda l, x, w: x.gather(1, l.tensor(IDX, dtype=l.int32)),
    "gather_transposed": lambda l, x, w: x.t().gather(1, l.tensor(IDX[:, :2].T.copy())),
    "gather_zero_dim": lambda l, x, w: w[1].gather(0, l.tensor([0, 0])),
    "gather_zero_dim_index": lambda l, x, w: w.gather(0, l.tensor(2)),
    "scatter_src": lambda l, x, w: x.scatter(1, l.tensor([[0, 1], [2, 3]]), w.view(2, 2)),
    "scatter_value": lambda l, x, w: x.scatter(0, l.tensor([[2, 0, 1, 0]]), 9.0),
    "scatter_value_keyword": lambda l, x, w: x.scatter(0, l.tensor([[1]]), value=4.0),
    "scatter_transposed": lambda l, x, w: x.t().scatter(0, l.tensor([[0, 1, 2]]), 1.0),
    "scatter_add": lambda l, x, w: x.scatter_add(1, l.tensor([[0, 0], [3, 3]]), w.view(2, 2)),
    "scatter_add_repeated": lambda l, x, w: l.scatter_add(x, 0, l.tensor([[1, 1, 1, 1],
                                                                         [1, 1, 1, 1]]),
                                                          w.expand(2, 4)),
    "scatter_inplace": lambda l, x, w: (x * 1).scatter_(1, l.tensor([[3], [0], [1]]),
                                                        w[:3].view(3, 1)),
    "scatter_value_inplace": lambda l, x, w: (x * 1).scatter_(1, l.tensor([[3], [0]]), -1.0),
    "scatter_add_inplace": lambda l, x, w: (x * 1).scatter_add_(0, l.tensor([[0, 1]]),
                                                                w[:2].view(1, 2)),
    "index_select": lambda l, x, w: x.index_select(0, l.tensor([2, 0, 2])),
    "index_select_dim1": lambda l, x, w: l.index_select(x, 1, l.tensor([3, 1])),
    "index_select_zero_dim_index": lambda l, x, w: x.index_select(1, l.tensor(2)),
    "index_select_transposed": lambda l, x, w: x.t().index_select(0, l.tensor([1, 0])),
    "masked_fill": lambda l, x, w: x.masked_fill(x > 2, 0.0),
    "masked_fill_broadcast_mask": lambda l, x, w: x.masked_fill(w > 0, -1.0),
    "masked_fill_bigger_mask": lambda l, x, w: x.masked_fill((x > 2).unsqueeze(0), 1.0),
    "masked_fill_tensor_value": lambda l, x, w: x.masked_fill(x > 2, w[0]),
    "masked_fill_transposed": lambda l, x, w: x.t().masked_fill(x.t() > 2, 0.0),
    "masked_fill_inplace": lambda l, x, w: (x * 1).masked_fill_(w < 1, 5.0),
    "masked_fill_inplace_tensor": lambda l, x, w: (x * 1).masked_fill_(w < 1, w[3]),
    "masked_select": lambda l, x, w: x.masked_select(x > 2),
    "masked_select_broadcast": lambda l, x, w: l.masked_select(x, w > 0),
    "masked_select_bigger_mask": lambda l, x, w: w.masked_select(x > 2),
    "take": lambda l, x, w: x.take(l.tensor([0, 11, -1, 5])),
    "take_2d_index": lambda l, x, w: l.take(x.t(), l.tensor([[1, 2], [3, 4]])),
    "nonzero": lambda l, x, w: (x > 2).nonzero(),
    "nonzero_transposed": lambda l, x, w: x.t().nonzero(),
    "nonzero_as_tuple": lambda l, x, w: x.nonzero(as_tuple=True),
    "nonzero_none": lambda l, x, w: (x > 100).nonzero(),
    "nonzero_zero_dim": lambda l, x, w: w[0].nonzero(),
    "nonzero_zero_dim_tuple": lambda l, x, w: (w[0] * 0).nonzero(as_tuple=True),
    "argwhere": lambda l, x, w: l.argwhere(x),
    "index_put": lambda l, x, w: x.index_put((l.tensor([0, 2]),), w),
    "index_put_transposed": lambda l, x, w: x.t().index_put((l.tensor([3, 1]),), w[:3]),
    "index_put_accumulate": lambda l, x, w: (x * 1).index_put_((l.tensor([1, 1]),), w,
                                                               accumulate=True),
    "index_put_two": lambda l, x, w: (x * 1).index_put_((l.tensor([0, 2]), l.tensor([1, 3])),
                                                        w[0]),
    "index_put_mask": lambda l, x, w: (x * 1).index_put_((x > 3,), w[1]),
    "fill_number": lambda l, x, w: (x * 1).fill_(2.0),
    "fill_tensor": lambda l, x, w: (x * 1).fill_(w[2]),
    "zero": lambda l, x, w: (x * 1).zero_(),
}


@pytest.mark.parametrize("name", list(OPS))
def test_indexing_op_matches_torch(name):
    check(OPS[name], M, W)


OP_ERRORS = {
    "gather_out_of_range": lambda l, x, w: x.gather(1, l.tensor([[0, 5]])),
    "gather_negative": lambda l, x, w: x.gather(1, l.tensor([[-1]])),
    "gather_wrong_rank": lambda l, x, w: x.gather(1, l.tensor([0, 1])),
    "gather_too_big": lambda l, x, w: x.gather(0, l.tensor([[0] * 5])),
    "gather_float_index": lambda l, x, w: x.gather(1, l.tensor([[0.0]])),
    "gather_dim_out_of_range": lambda l, x, w: x.gather(2, l.tensor([[0]])),
    "scatter_src_too_small": lambda l, x, w: x.scatter(1, l.tensor([[0, 1]]), l.ones(1, 1)),
    "scatter_out_of_range": lambda l, x, w: x.scatter(1, l.tensor([[0, 9]]), 1.0),
    "scatter_dtype": lambda l, x, w: x.scatter(1, l.tensor([[0, 1]]), w.double()[:2].view(1, 2)),
    "scatter_index_dtype": lambda l, x, w: x.scatter(1, l.tensor([[0.0]]), 1.0),
    "scatter_add_number": lambda l, x, w: x.scatter_add(1, l.tensor([[0, 1]]), 1.0),
    "index_select_out_of_range": lambda l, x, w: x.index_select(0, l.tensor([0, 5])),
    "index_select_negative": lambda l, x, w: x.index_select(1, l.tensor([-1])),
    "index_select_2d_index": lambda l, x, w: x.index_select(0, l.tensor([[0]])),
    "index_select_float_index": lambda l, x, w: x.index_select(0, l.tensor([0.0])),
    "masked_fill_float_mask": lambda l, x, w: x.masked_fill(l.ones(3, 4), 0.0),
    "masked_fill_long_mask": lambda l, x, w: x.masked_fill(l.ones(3, 4, dtype=l.long), 0.0),
    "masked_fill_uint8_mask": lambda l, x, w: x.masked_fill(l.ones(3, 4, dtype=l.uint8), 0.0),
    "masked_fill_wrong_shape": lambda l, x, w: x.masked_fill(l.ones(2, 4, dtype=l.bool), 0.0),
    "masked_fill_1d_value": lambda l, x, w: x.masked_fill(x > 0, w[:2]),
    "masked_fill_inplace_bigger_mask": lambda l, x, w: (x * 1).masked_fill_(
        (x > 0).unsqueeze(0), 0.0),
    "masked_select_float_mask": lambda l, x, w: x.masked_select(l.ones(3, 4)),
    "masked_select_wrong_shape": lambda l, x, w: x.masked_select(l.ones(2, 4, dtype=l.bool)),
    "take_out_of_range": lambda l, x, w: x.take(l.tensor([12])),
    "take_int32_index": lambda l, x, w: x.take(l.tensor([1], dtype=l.int32)),
    "index_put_dtype": lambda l, x, w: (x * 1).index_put_((l.tensor([0]),), l.tensor(1.0,
                                                          dtype=l.float64)),
    "index_put_none_index": lambda l, x, w: (x * 1).index_put_((None, l.tensor([0])), w[0]),
    "index_put_shape": lambda l, x, w: x.index_put((l.tensor([0]), l.tensor([0, 1, 2])),
                                                   l.ones(2)),
    "fill_1d_value": lambda l, x, w: (x * 1).fill_(w),
    "index_put_too_many": lambda l, x, w: (x * 1).index_put_((l.tensor([0]),) * 3, w[0]),
    "index_put_mask_too_big": lambda l, x, w: (x * 1).index_put_(
        (l.ones(3, 4, 1, dtype=l.bool),), w[0]),
}


@pytest.mark.parametrize("name", list(OP_ERRORS))
def test_indexing_op_error_first_line_matches_torch(name):
    check(OP_ERRORS[name], M, W, raises=True)


@SETTINGS
@given(st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple), st.data())
def test_random_gather_and_scatter_match_torch(shape, data):
    arr = _data(shape)
    dim = data.draw(st.integers(0, len(shape) - 1))
    index_shape = tuple(data.draw(st.integers(1, n)) for n in shape)
    index = np.array(data.draw(st.lists(st.integers(0, shape[dim] - 1),
                                        min_size=int(np.prod(index_shape)),
                                        max_size=int(np.prod(index_shape))))).reshape(index_shape)
    check(lambda l, a: a.gather(dim, l.tensor(index)), arr)
    check(lambda l, a: a.scatter_add(dim, l.tensor(index), a[tuple(slice(0, n) for n in
                                                                   index_shape)] * 2), arr)
