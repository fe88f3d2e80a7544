"""Creating tensors: dtype inference, filled and range constructors, NumPy sharing, legacy types,
random factories and conversions, each compared with real torch."""
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import engine
from difftest import assert_same, run_both


@pytest.mark.parametrize("data", [
    1, 1.5, True, [1, 2, 3], [1.0, 2, 3], [True, False], [[1, 2], [3, 4]], [[1.5], [2.5]],
    [], [[], []], [1, 2.5, True], ((1, 2), (3, 4)), np.float64(2.0), np.int32(3),
])
def test_tensor_infers_dtype_and_prints_like_torch(data):
    run_both(lambda lib: lib.tensor(data), printed=True)


@pytest.mark.parametrize("dtype", ["bool", "uint8", "int8", "int16", "int32", "int64", "float16",
                                   "float32", "float64"])
def test_tensor_with_every_dtype(dtype):
    run_both(lambda lib: lib.tensor([[0, 1, 2], [3, 4, 5]], dtype=getattr(lib, dtype)),
             printed=True)


def test_ragged_list_error_matches_torch():
    run_both(lambda lib: lib.tensor([[1, 2], [3]]))


@pytest.mark.parametrize("expr", [
    lambda lib: lib.zeros(2, 3),
    lambda lib: lib.zeros((2, 3), dtype=lib.int32),
    lambda lib: lib.ones([4]),
    lambda lib: lib.empty(2, 2).shape,
    lambda lib: lib.full((2, 2), 7),
    lambda lib: lib.full((2, 2), 7.0),
    lambda lib: lib.full((2,), True),
    lambda lib: lib.eye(3),
    lambda lib: lib.eye(2, 4),
    lambda lib: lib.arange(5),
    lambda lib: lib.arange(1, 10, 3),
    lambda lib: lib.arange(0, 1, 0.1),
    lambda lib: lib.arange(10, 0, -2),
    lambda lib: lib.arange(3, dtype=lib.float64),
    lambda lib: lib.linspace(0, 1, 5),
    lambda lib: lib.linspace(-3, 7, 11),
    lambda lib: lib.linspace(0, 1, 1),
    lambda lib: lib.linspace(0.1, 0.9, 33),
    lambda lib: lib.zeros_like(lib.ones(2, 3, dtype=lib.int16)),
    lambda lib: lib.ones_like(lib.ones(2, 3), dtype=lib.float64),
    lambda lib: lib.full_like(lib.ones(2, 3), 4),
    lambda lib: lib.zeros(2, 3, requires_grad=True),
    lambda lib: lib.zeros(-1),
    lambda lib: lib.ones(2, 3).to(lib.int64),
    lambda lib: lib.ones(2, 3).double(),
    lambda lib: lib.ones(2, 3).long().float(),
    lambda lib: lib.ones(2, 3).type(lib.int8),
    lambda lib: lib.ones(2, 3).type(),
    lambda lib: lib.ones(2, 3).int().type_as(lib.ones(1, dtype=lib.float64)),
    lambda lib: lib.tensor([1.7, -1.7]).int(),
    lambda lib: lib.tensor([0, 1, 2]).bool(),
    lambda lib: (lib.Tensor(2, 3).shape, lib.Tensor(2, 3).dtype),
    lambda lib: lib.Tensor([1, 2]),
    lambda lib: (lib.FloatTensor(2, 3).shape, lib.FloatTensor(2, 3).dtype),
    lambda lib: (lib.IntTensor(3).shape, lib.IntTensor(3).dtype),
    lambda lib: lib.IntTensor([1, 2, 3, 4]),
    lambda lib: lib.LongTensor([[1, 2]]),
    lambda lib: lib.DoubleTensor([1, 2]),
    lambda lib: isinstance(lib.zeros(2), lib.FloatTensor),
    lambda lib: isinstance(lib.zeros(2), lib.LongTensor),
    lambda lib: lib.get_default_dtype(),
])
def test_constructors_match_torch(expr):
    run_both(expr, printed=True)


def test_default_dtype_changes_inference_and_printing():
    for lib in (torch, engine):
        lib.set_default_dtype(lib.float64)
    try:
        run_both(lambda lib: lib.tensor([1.5, 2.0]), printed=True)
        run_both(lambda lib: lib.tensor([1.5, 2.0], dtype=lib.float32), printed=True)
        run_both(lambda lib: lib.arange(0.0, 1.0, 0.25), printed=True)
        run_both(lambda lib: lib.tensor([1, 2]) / 2, printed=True)
    finally:
        for lib in (torch, engine):
            lib.set_default_dtype(lib.float32)


def test_from_numpy_shares_memory_both_ways():
    arr = np.arange(6, dtype=np.float64).reshape(2, 3)
    t = engine.from_numpy(arr)
    arr[0, 0] = 100
    assert t[0, 0].item() == 100
    t[1, 2] = -5
    assert arr[1, 2] == -5
    assert t.numpy() is arr or np.shares_memory(t.numpy(), arr)
    reference = torch.from_numpy(arr.copy())
    assert_same(t, reference)


def test_from_numpy_keeps_strides_of_a_strided_array():
    arr = np.arange(24, dtype=np.int32).reshape(4, 6)[:, ::2]
    assert_same(engine.from_numpy(arr), torch.from_numpy(arr))
    assert engine.from_numpy(arr).storage_offset() == 0


def test_from_numpy_negative_strides_error_matches_torch():
    arr = np.arange(4)[::-1]
    run_both(lambda lib: lib.from_numpy(arr))


def test_numpy_of_tensor_shares_memory():
    t = engine.zeros(2, 2)
    a = t.numpy()
    a[0, 1] = 3
    assert t[0, 1].item() == 3


def test_relabelling_a_shared_array_leaves_the_tensor_alone():
    """Setting .shape or .dtype on the array from_numpy took, or on what numpy() gave, relabelled
    the engine's tensor (its shape changed, its dtype no longer matched its data); torch's
    tensor keeps its own metadata."""
    def relabel(lib):
        arr = np.zeros(4, dtype=np.float32)
        t = lib.from_numpy(arr)
        arr.shape = (2, 2)
        arr.dtype = np.int8
        u = lib.zeros(4)
        shown = u.numpy()
        shown.shape = (2, 2)
        shown.dtype = np.int16
        return t, u
    for e, t in zip(relabel(engine), relabel(torch)):
        assert_same(e, t)
        assert e.numpy().dtype == np.float32


def test_numpy_refused_when_requires_grad():
    run_both(lambda lib: lib.ones(2, requires_grad=True).numpy())


def test_as_tensor_shares_numpy_memory():
    arr = np.ones(3, dtype=np.float32)
    t = engine.as_tensor(arr)
    arr[0] = 9
    assert t[0].item() == 9


@pytest.mark.parametrize("name", ["rand", "randn"])
@pytest.mark.parametrize("n", [1, 5, 15, 16, 17, 33, 100])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_random_factories_equal_torch(name, n, dtype):
    for seed in (0, 42):
        torch.manual_seed(seed)
        engine.manual_seed(seed)
        run_both(lambda lib: getattr(lib, name)(n, dtype=getattr(lib, dtype)), printed=True)


def test_interleaved_random_calls_equal_torch():
    def program(lib):
        lib.manual_seed(7)
        out = [lib.randn(3), lib.rand(20), lib.randint(0, 10, (4,)), lib.randn(2, 9),
               lib.randperm(7), lib.normal(2.0, 3.0, size=(5,)), lib.rand_like(lib.ones(3)),
               lib.randn_like(lib.ones(17))]
        w = lib.empty(3, 4)
        w.uniform_(-0.5, 0.5)
        out.append(w)
        v = lib.empty(20)
        v.normal_(1.0, 2.0)
        out.append(v)
        return out
    run_both(program, printed=True)


def test_separate_generator_objects_equal_torch():
    def program(lib):
        g = lib.Generator().manual_seed(5)
        return [lib.rand(4, generator=g), lib.randperm(5, generator=g)]
    run_both(program)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**31), shape=st.lists(st.integers(1, 6), min_size=1, max_size=3))
def test_generated_seeds_and_shapes_match_torch(seed, shape):
    def program(lib):
        lib.manual_seed(seed)
        return [lib.randn(*shape), lib.rand(*shape), lib.randint(-5, 5, tuple(shape))]
    run_both(program)


def test_size_behaves_like_torch_size():
    run_both(lambda lib: (lib.zeros(2, 3, 4).shape, repr(lib.zeros(2, 3).size()),
                          lib.zeros(2, 3, 4).size(1), lib.zeros(2, 3, 4).shape[1:],
                          lib.zeros(2, 3, 4).shape.numel(), str(lib.Size([2, 3]))))


def test_bfloat16_refused_clearly():
    with pytest.raises(TypeError, match="bfloat16"):
        engine.zeros(2, dtype=engine.bfloat16)


def test_item_tolist_and_conversions_match_torch():
    run_both(lambda lib: (lib.tensor([[1.5, 2.0]]).tolist(), lib.tensor(3).item(),
                          float(lib.tensor([2.5])), int(lib.tensor(7)),
                          bool(lib.tensor([0.0]))))
    run_both(lambda lib: lib.tensor([1.0, 2.0]).item())
    run_both(lambda lib: bool(lib.tensor([1.0, 2.0])))
