"""How tensors sit in memory, against real PyTorch: strides, storage offsets, data pointers,
shared storage, `_base`, contiguity in each memory format, and the layout of copies.

A learner reads these numbers in the app's memory panel, so they must be PyTorch's exactly,
including the strides of size-1 dims and the layout a copy keeps (clone, contiguous, to, cat).
"""
from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import engine
from test_diff_views import SETTINGS, check, check_aliasing, version

X4 = np.arange(2 * 3 * 4 * 5, dtype=np.float32).reshape(2, 3, 4, 5) / 8
X5 = np.arange(2 * 3 * 2 * 2 * 3, dtype=np.float32).reshape(2, 3, 2, 2, 3)
M = np.arange(12, dtype=np.float64).reshape(3, 4)


def formats(lib):
    return {"contiguous": lib.contiguous_format, "channels_last": lib.channels_last,
            "channels_last_3d": lib.channels_last_3d, "preserve": lib.preserve_format}


def contiguity(t, lib):
    """is_contiguous() in every format, as PyTorch answers it."""
    return {name: t.is_contiguous(memory_format=fmt) for name, fmt in formats(lib).items()}


def geometry(t):
    return tuple(t.shape), t.stride(), t.storage_offset(), t.is_contiguous()


# ---- strides, offsets, pointers, storage ---------------------------------------------------------
def test_storage_offset_and_data_ptr_of_views_match_torch():
    def scenario(l, m):
        views = [m[1], m[:, 2], m[1:, 1:], m[::2, 1::2], m.t()[2], m.view(-1)[5:], m.diagonal(1),
                 m.unsqueeze(0)[:, 2], m[2:].t(), m.as_strided((2, 2), (1, 1), 3)]
        return [(v.storage_offset(), v.stride(), v.data_ptr() - m.data_ptr(),
                 v.untyped_storage().data_ptr() == m.untyped_storage().data_ptr(),
                 v._base is m, v._is_view(), v.is_contiguous()) for v in views]
    check(scenario, M, grad=False)


def test_views_of_views_share_the_root_base_and_storage():
    def scenario(l, m):
        v = m[1:].t()[1:].unsqueeze(0)
        w = v.view(-1) if v.is_contiguous() else v.reshape(-1)
        return (v._base is m, w._base is m, v.storage_offset(), w.storage_offset(),
                w.untyped_storage().nbytes(), v.untyped_storage().data_ptr() == m.data_ptr())
    check(scenario, M, grad=False)


def test_copies_do_not_share_storage_and_have_no_base():
    def scenario(l, m):
        copies = [m.clone(), m.t().contiguous(), m.t().reshape(-1), m[:, ::2].flatten(),
                  m.repeat(1, 1), l.cat([m, m]), m.to(l.float32), m.flip(0), m[[0, 1]]]
        return [(c._base is None, c.untyped_storage().data_ptr() != m.untyped_storage().data_ptr(),
                 c.storage_offset(), c.untyped_storage().nbytes()) for c in copies]
    check(scenario, M, grad=False)


def test_detach_and_data_share_storage_but_not_history():
    def scenario(l, m):
        y = m * 2
        d, data = y.detach(), y.data
        d[0, 0] = 100.0
        return (y, d._base is None, d._is_view(), d.requires_grad, data.requires_grad,
                d.data_ptr() == y.data_ptr(), data.data_ptr() == y.data_ptr(),
                version(y), version(d), version(data))
    check(scenario, M)


def test_writes_show_through_every_alias_and_bump_one_version_counter():
    def scenario(l, m):
        base = m.detach().clone()
        row, col, flat, t = base[1], base[:, 2], base.view(-1), base.t()
        row.add_(1)
        col.mul_(2)
        flat[0] = -1.0
        t[3, 2] = 7.0
        return (base, row, col, flat, t, [version(x) for x in (base, row, col, flat, t)])
    check(scenario, M, grad=False)


def test_tensor_from_a_fortran_order_array_keeps_its_strides():
    f = np.asfortranarray(M)
    assert engine.tensor(f).stride() == torch.tensor(f).stride()


def test_resize_keeps_the_storage_like_torch():
    def scenario(l, m):
        r = m.detach().flatten().clone()
        steps = [r.resize_(2).clone(), r.resize_(12).clone(), r.resize_(3, 2).clone(),
                 r.stride(), version(r), r.untyped_storage().nbytes()]
        part = m.detach().clone()[1:]
        part.resize_(2, 2)
        same = m.detach().t().clone().resize_(4, 3)
        return steps, part, part.storage_offset(), part.stride(), same.stride()
    check(scenario, M, grad=False)


def test_resize_past_the_storage_grows_it_like_torch():
    def scenario(l, m):
        r = m.detach().flatten().clone()
        r.resize_(20)
        return tuple(r.shape), r.stride(), r[:12], r.untyped_storage().nbytes()
    check(scenario, M, grad=False)


def test_resize_errors_match_torch():
    check(lambda l, m: m.resize_(2), M, raises=True)
    check(lambda l, m: m.detach().resize_(-1), M, grad=False, raises=True)


def test_broadcast_tensors_matches_torch():
    def scenario(l, m, v):
        a, b, c = l.broadcast_tensors(m, v, v[:1])
        return a, b, c, a is m, l.broadcast_tensors(v), l.broadcast_tensors()
    check(scenario, M, M[0])
    check(lambda l, m, v: l.broadcast_tensors(m, v), M, M[:, 0], raises=True)


def test_like_constructors_keep_the_dim_order():
    check(lambda l, m: (l.zeros_like(m.t()), l.ones_like(m.unsqueeze(1).permute(2, 1, 0))), M,
          grad=False)


# ---- contiguity and memory formats ---------------------------------------------------------------
LAYOUTS = {
    "contiguous": lambda l, x: x,
    "channels_last": lambda l, x: x.contiguous(memory_format=l.channels_last),
    "permuted_nhwc": lambda l, x: x.permute(0, 2, 3, 1),
    "nhwc_back_to_nchw": lambda l, x: x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2),
    "transposed_hw": lambda l, x: x.transpose(2, 3),
    "sliced_w": lambda l, x: x[..., ::2],
    "sliced_c": lambda l, x: x[:, 1:],
    "one_channel": lambda l, x: x[:, :1],
    "one_channel_last": lambda l, x: x[:, :1].contiguous(memory_format=l.channels_last),
    "batch_of_one_channels_last": lambda l, x: x[:1].contiguous(memory_format=l.channels_last),
    "one_pixel": lambda l, x: x[:, :, :1, :1],
    "one_pixel_channels_last": lambda l, x: x[:, :, :1, :1].contiguous(
        memory_format=l.channels_last),
    "expanded": lambda l, x: x[:, :1].expand(2, 3, 4, 5),
    "expanded_channels_last": lambda l, x: x[:, :, :1].expand(2, 3, 4, 5),
    "empty": lambda l, x: x[:, :0],
}


EMPTY_STRIDES = pytest.mark.xfail(
    strict=True, reason="engine/tensor.py: Tensor.stride() reports contiguous strides for every "
    "empty tensor, so an empty view or an empty channels_last copy shows the wrong strides")


def _layout_params(broken=()):
    return [pytest.param(n, marks=EMPTY_STRIDES) if n in broken else n for n in LAYOUTS]


@pytest.mark.parametrize("name", _layout_params(broken=("empty",)))
def test_is_contiguous_in_each_format_matches_torch(name):
    check(lambda l, x: (geometry(LAYOUTS[name](l, x)), contiguity(LAYOUTS[name](l, x), l)), X4,
          grad=False)


@pytest.mark.parametrize("name, fmt", [
    pytest.param(n, f, marks=EMPTY_STRIDES) if (n, f) == ("empty", "channels_last") else (n, f)
    for f in ("contiguous_format", "channels_last") for n in LAYOUTS])
def test_contiguous_in_a_format_matches_torch(name, fmt):
    def scenario(l, x):
        y = LAYOUTS[name](l, x)
        z = y.contiguous(memory_format=getattr(l, fmt))
        return z, z is y, contiguity(z, l)
    check(scenario, X4)


@pytest.mark.parametrize("name", list(LAYOUTS))
@pytest.mark.parametrize("fmt", ["preserve_format", "contiguous_format", "channels_last"])
def test_clone_in_a_format_matches_torch(name, fmt):
    check(lambda l, x: LAYOUTS[name](l, x).clone(memory_format=getattr(l, fmt)), X4)


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_to_keeps_the_layout_like_torch(name):
    check(lambda l, x: (LAYOUTS[name](l, x).to(l.float64),
                        LAYOUTS[name](l, x).to(memory_format=l.channels_last),
                        LAYOUTS[name](l, x).to(l.float64, memory_format=l.channels_last),
                        LAYOUTS[name](l, x).to(l.float32, copy=True)), X4)


def test_channels_last_3d_matches_torch():
    def scenario(l, x):
        y = x.contiguous(memory_format=l.channels_last_3d)
        return (y, contiguity(y, l), contiguity(x.permute(0, 2, 3, 4, 1), l),
                y.clone(), l.cat([y, y], 1), y.contiguous())
    check(scenario, X5)


def test_cat_and_stack_keep_channels_last_when_all_inputs_have_it():
    def scenario(l, x):
        cl = x.contiguous(memory_format=l.channels_last)
        return (l.cat([cl, cl], 1), l.cat([cl, x], 0), l.cat([x, cl], 2),
                l.stack([cl, cl], 1), l.stack([cl, cl]), l.stack([cl, cl], -1),
                l.cat([x.transpose(1, 2), x.transpose(1, 2)]),
                l.stack([x.transpose(2, 3), x.transpose(2, 3)], 2))
    check(scenario, X4)


def test_copy_ops_lay_out_their_results_like_torch():
    def scenario(l, x):
        t = x.transpose(1, 2)
        return (t.flip(0), t.flip(1, 3), t.roll(1, 0), t.roll(2), t.tril(), t.triu(1),
                t.repeat(1, 1, 1, 1), t[[1, 0]], t[:, [0, 2]], t[..., [1, 0]], t.masked_fill(
                    t > 3, 0.0), t.index_select(1, l.tensor([0, 2])), t.clone(),
                x[:, :1].expand(2, 3, 4, 5).clone(), x[:, :1].expand(2, 3, 4, 5).double())
    check(scenario, X4)


FORMAT_ERRORS = {
    "contiguous_channels_last_3d": lambda l, m: m.contiguous(memory_format=l.channels_last),
    "clone_channels_last_2d": lambda l, m: m.clone(memory_format=l.channels_last),
    "clone_channels_last_3d_on_4d": lambda l, m: m[None, None].clone(
        memory_format=l.channels_last_3d),
    "contiguous_preserve_on_transposed": lambda l, m: m.t().contiguous(
        memory_format=l.preserve_format),
    "to_channels_last_2d": lambda l, m: m.to(memory_format=l.channels_last),
}


@pytest.mark.parametrize("name", list(FORMAT_ERRORS))
def test_memory_format_errors_match_torch(name):
    check(FORMAT_ERRORS[name], M, raises=True)


def test_memory_formats_print_like_torch():
    for name in ("contiguous_format", "channels_last", "channels_last_3d", "preserve_format"):
        assert repr(getattr(engine, name)) == repr(getattr(torch, name))
        assert str(getattr(engine, name)) == str(getattr(torch, name))


def test_contiguous_of_a_contiguous_tensor_is_the_same_object():
    for lib in (torch, engine):
        x = lib.tensor(X4)
        assert x.contiguous() is x
        cl = x.contiguous(memory_format=lib.channels_last)
        assert cl.contiguous(memory_format=lib.channels_last) is cl
        assert x.contiguous(memory_format=lib.preserve_format) is x


# ---- generated layouts ---------------------------------------------------------------------------
@st.composite
def strided_4d(draw):
    """A permutation, then per-dim slicing, then maybe an expand: many layouts of a 4-d tensor."""
    perm = draw(st.permutations(range(4)))
    slices = tuple(slice(draw(st.integers(0, 1)), None, draw(st.integers(1, 2))) for _ in range(4))
    expand = draw(st.booleans())
    return tuple(perm), slices, expand


def _apply(l, x, case):
    perm, slices, expand = case
    y = x.permute(*perm)[slices]
    if expand:
        y = y[:1].expand(3, *y.shape[1:])
    return y


@SETTINGS
@given(strided_4d())
def test_random_layouts_have_torch_contiguity_and_copies(case):
    def scenario(l, x):
        y = _apply(l, x, case)
        return (geometry(y), contiguity(y, l), y.clone(), y.contiguous(),
                y.contiguous(memory_format=l.channels_last), y.clone(memory_format=l.channels_last),
                y.double(), l.cat([y, y], 1), y.flip(2))
    check(scenario, X4)


@SETTINGS
@given(strided_4d(), st.data())
def test_random_layouts_reshape_like_torch(case, data):
    """reshape is a view when the strides allow it (ViewBackward0 or ReshapeAliasBackward0) and a
    copy otherwise (UnsafeViewBackward0 over CloneBackward0); view() fails exactly then."""
    perm, slices, expand = case
    with torch.no_grad():
        shape = tuple(_apply(torch, torch.tensor(X4), case).shape)
    n = int(np.prod(shape))
    # a target shape: merge and split neighbouring dims at random
    dims = list(shape)
    target = []
    while dims:
        k = data.draw(st.integers(1, len(dims)))
        target.append(int(np.prod(dims[:k])))
        dims = dims[k:]
    if data.draw(st.booleans()) and target:
        target[data.draw(st.integers(0, len(target) - 1))] = -1
    assert n == 0 or int(np.prod([t for t in target if t != -1])) > 0
    check(lambda l, x: _apply(l, x, case).reshape(target), X4)
    check(lambda l, x: _apply(l, x, case).view(target), X4,
          raises=_view_fails(case, target))
    check_aliasing(lambda l, x: _apply(l, x, case).reshape(target), X4)


def _view_fails(case, target) -> bool:
    try:
        _apply(torch, torch.tensor(X4), case).view(target)
    except RuntimeError:
        return True
    return False
