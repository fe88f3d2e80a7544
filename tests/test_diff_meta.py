"""The meta device (issue 16) against real torch 2.13: tensors with shapes and no data, as
tutorials use them to reason about a model's shapes. Each case runs the same code on torch and
on the engine and compares what a learner can see: printed text, dtype, shape, strides,
grad_fn names, the device, and the first line of any error."""
from __future__ import annotations

import pytest
import torch
from difftest import run_both

import engine


def same(fn):
    """fn(lib) on both libraries: results compared without values (meta tensors have none)."""
    run_both(fn, values=False, printed=True)


def meta(lib, *shape, **kw):
    return lib.empty(shape, device="meta", **kw)


def seen(t):
    """What a learner reads off a tensor, as plain data."""
    return (repr(t), str(t.device), t.is_meta, tuple(t.shape), t.stride(), str(t.dtype),
            t.storage_offset(), t.is_contiguous(), t.requires_grad, t.is_leaf)


# ---- factories ----------------------------------------------------------------------------------
FACTORIES = {
    "empty": lambda lib: lib.empty(2, 3, device="meta"),
    "empty 0-d": lambda lib: lib.empty((), device="meta"),
    "empty no elements": lambda lib: lib.empty(0, 4, device="meta"),
    "zeros int64": lambda lib: lib.zeros(2, dtype=lib.int64, device="meta"),
    "ones bool": lambda lib: lib.ones(2, 2, dtype=lib.bool, device="meta"),
    "ones float64": lambda lib: lib.ones(3, dtype=lib.float64, device="meta"),
    "randn": lambda lib: lib.randn(3, 4, device="meta"),
    "rand requires grad": lambda lib: lib.rand(3, device="meta", requires_grad=True),
    "randint": lambda lib: lib.randint(0, 5, (3,), device="meta"),
    "full int": lambda lib: lib.full((2,), 3, device="meta"),
    "full float": lambda lib: lib.full((2, 2), 1.5, device=lib.device("meta")),
    "arange": lambda lib: lib.arange(5, device="meta"),
    "arange float": lambda lib: lib.arange(0, 1, 0.25, device="meta"),
    "linspace": lambda lib: lib.linspace(0, 1, 5, device="meta"),
    "eye": lambda lib: lib.eye(3, device="meta"),
    "tensor": lambda lib: lib.tensor([1, 2], device="meta"),
    "tensor 0-d": lambda lib: lib.tensor(1.0, device="meta"),
    "as_tensor": lambda lib: lib.as_tensor([1.0], device="meta"),
    "empty_strided": lambda lib: lib.empty_strided((2, 3), (1, 2), device="meta"),
    "channels_last": lambda lib: lib.empty(2, 3, 4, 5, device="meta",
                                           memory_format=lib.channels_last),
    "huge": lambda lib: lib.empty(10 ** 6, 10 ** 6, device="meta"),
    "too huge": lambda lib: lib.empty(10 ** 12, 10 ** 12, device="meta"),
    "zeros_like": lambda lib: lib.zeros_like(meta(lib, 2, 3)),
    "ones_like transposed": lambda lib: lib.ones_like(meta(lib, 2, 3).t()),
    "empty_like": lambda lib: lib.empty_like(meta(lib, 2, 3, dtype=lib.float16)),
    "full_like": lambda lib: lib.full_like(meta(lib, 2, 3), 2),
    "rand_like": lambda lib: lib.rand_like(meta(lib, 2, 3)),
    "randn_like": lambda lib: lib.randn_like(meta(lib, 2, 3)),
    "zeros_like to cpu": lambda lib: lib.zeros_like(meta(lib, 2, 3), device="cpu"),
    "new_zeros": lambda lib: meta(lib, 2).new_zeros(3),
    "new_ones": lambda lib: meta(lib, 2, dtype=lib.int32).new_ones((2, 2)),
    "new_tensor": lambda lib: meta(lib, 2).new_tensor([1, 2]),
}


@pytest.mark.parametrize("name", list(FACTORIES))
def test_factories_make_meta_tensors_as_torch(name):
    same(lambda lib: (FACTORIES[name](lib), seen(FACTORIES[name](lib))))


def test_random_factories_on_meta_draw_no_numbers_as_torch():
    def draw(lib):
        lib.manual_seed(0)
        lib.randn(5, device="meta")
        lib.rand(2, 2, device="meta")
        lib.nn.init.uniform_(meta(lib, 3))
        meta(lib, 4).normal_()
        lib.bernoulli(meta(lib, 5))
        lib.nn.functional.dropout(meta(lib, 6), 0.5)
        return lib.randn(3)
    run_both(draw)


# ---- printing and what a learner reads off a tensor --------------------------------------------
READS = {
    "repr with grad_fn": lambda lib: repr(meta(lib, 2, 3, requires_grad=True) * 2),
    "float64 wraps its suffixes": lambda lib: repr(meta(lib, 2, 3, dtype=lib.float64,
                                                        requires_grad=True) * 2),
    "str": lambda lib: str(meta(lib, 2, 3, dtype=lib.bool)),
    "format": lambda lib: f"{meta(lib, 2, 3)}",
    "format 0-d": lambda lib: f"{meta(lib)}",
    "format 0-d with a spec": lambda lib: f"{meta(lib):.2f}",
    "parameter": lambda lib: repr(lib.nn.Parameter(meta(lib, 4, 3))),
    "device": lambda lib: (repr(meta(lib, 2).device), str(meta(lib, 2).device)),
    "device object": lambda lib: (repr(lib.device("meta")), str(lib.device("meta"))),
    "is_meta of cpu": lambda lib: lib.ones(2).is_meta,
    "slice offsets": lambda lib: seen(meta(lib, 4, 5)[1:3, ::2]),
    "select offset": lambda lib: seen(meta(lib, 4, 5)[2]),
    "storage": lambda lib: (meta(lib, 2, 3).untyped_storage().nbytes(), meta(lib, 2, 3).nbytes,
                            meta(lib, 2, 3).element_size(), meta(lib, 2, 3).data_ptr(),
                            meta(lib, 2, 3).get_device(), repr(meta(lib, 2).untyped_storage()),
                            meta(lib, 2).untyped_storage().data_ptr()),
    "len and iteration": lambda lib: (len(meta(lib, 2, 3)), list(meta(lib, 2, 3))),
    "detach and data": lambda lib: (meta(lib, 2, requires_grad=True).detach(),
                                    meta(lib, 2, requires_grad=True).data),
}


@pytest.mark.parametrize("name", list(READS))
def test_meta_tensors_print_and_report_as_torch(name):
    same(READS[name])


# ---- no data: the values are not there ----------------------------------------------------------
NO_DATA = {
    "item of many": lambda lib: meta(lib, 2, 3).item(),
    "item of one": lambda lib: meta(lib, 1).item(),
    "tolist": lambda lib: meta(lib, 2, 3).tolist(),
    "numpy": lambda lib: meta(lib, 2, 3).numpy(),
    "bool": lambda lib: bool(meta(lib)),
    "float": lambda lib: float(meta(lib)),
    "int": lambda lib: int(meta(lib, dtype=lib.int64)),
    "if on a comparison": lambda lib: "yes" if meta(lib) > 0 else "no",
    "if on many": lambda lib: "yes" if meta(lib, 2) > 0 else "no",
    "cpu": lambda lib: meta(lib, 2).cpu(),
    "to cpu": lambda lib: meta(lib, 2).to("cpu"),
    "to a cpu tensor": lambda lib: meta(lib, 2).to(lib.ones(1)),
    "allclose": lambda lib: lib.allclose(meta(lib, 2), meta(lib, 2)),
    "nonzero": lambda lib: meta(lib, 2, 3).nonzero(),
    "boolean mask": lambda lib: meta(lib, 2, 3)[meta(lib, 2, 3) > 0],
    "unique": lambda lib: meta(lib, 2, 3).unique(),
    "masked_select": lambda lib: meta(lib, 2, 3).masked_select(meta(lib, 2, 3, dtype=lib.bool)),
}


@pytest.mark.parametrize("name", list(NO_DATA))
def test_reading_values_of_a_meta_tensor_raises_as_torch(name):
    same(NO_DATA[name])


# ---- devices mixed ------------------------------------------------------------------------------
MIXED = {
    "meta + cpu": lambda lib: meta(lib, 2, 3) + lib.ones(2, 3),
    "cpu + meta": lambda lib: lib.ones(2, 3) + meta(lib, 2, 3),
    "meta + cpu number": lambda lib: meta(lib, 2, 3) + lib.tensor(1.0),
    "cpu + meta number": lambda lib: lib.ones(2, 3) + meta(lib),
    "cat": lambda lib: lib.cat([meta(lib, 2, 3), lib.ones(2, 3)]),
    "cat cpu first": lambda lib: lib.cat([lib.ones(2, 3), meta(lib, 2, 3)]),
    "stack": lambda lib: lib.stack([meta(lib, 2, 3), lib.ones(2, 3)]),
    "where": lambda lib: lib.where(meta(lib, 2, 3) > 0, meta(lib, 2, 3), lib.ones(2, 3)),
    "cpu layer on meta": lambda lib: lib.nn.Linear(3, 4)(meta(lib, 2, 3)),
    "linear with a cpu weight": lambda lib: lib.nn.functional.linear(meta(lib, 2, 3),
                                                                     lib.ones(4, 3)),
    "conv with a cpu weight": lambda lib: lib.nn.functional.conv2d(meta(lib, 1, 3, 8, 8),
                                                                   lib.ones(2, 3, 3, 3)),
    "copy from cpu into meta": lambda lib: meta(lib, 2, 3).copy_(lib.ones(2, 3)),
    "copy from meta into cpu": lambda lib: lib.ones(2, 3).copy_(meta(lib, 2, 3)),
    "addmm with a cpu weight": lambda lib: lib.nn.functional.linear(meta(lib, 2, 3),
                                                                    lib.ones(4, 3), meta(lib, 4)),
    "addmm with a cpu bias": lambda lib: lib.nn.functional.linear(meta(lib, 2, 3),
                                                                  meta(lib, 4, 3), lib.ones(4)),
}


@pytest.mark.parametrize("name", list(MIXED))
def test_mixing_meta_and_cpu_tensors_as_torch(name):
    same(MIXED[name])


# ---- ops: shapes, dtypes, strides, grad_fns ---------------------------------------------------
def leaf(lib, *shape, dtype=None):
    return lib.empty(shape, device="meta", requires_grad=True,
                     **({} if dtype is None else {"dtype": getattr(lib, dtype)}))


OPS = {
    # moving to meta
    "to meta": lambda lib: lib.ones(2, 3, requires_grad=True).to("meta"),
    "to meta and float64": lambda lib: lib.ones(2, 3).to("meta", lib.float64),
    "to meta transposed": lambda lib: lib.ones(2, 3).t().to(lib.device("meta")),
    "to meta again is itself": lambda lib: (lambda x: x.to("meta") is x)(meta(lib, 2)),
    "to a dtype on meta": lambda lib: meta(lib, 2, 3).to(lib.float16),
    "double": lambda lib: leaf(lib, 2, 3).double(),
    "clone of a transpose": lambda lib: leaf(lib, 2, 3).t().clone(),
    "contiguous of a transpose": lambda lib: leaf(lib, 2, 3).t().contiguous(),
    # pointwise: broadcasting and type promotion
    "add broadcast": lambda lib: leaf(lib, 4, 1, 3) + leaf(lib, 2, 1),
    "broadcast fails": lambda lib: meta(lib, 2, 3) + meta(lib, 4),
    "broadcast fails later": lambda lib: meta(lib, 2, 3, 4) * 2 + meta(lib, 5, 1, 4),
    "where fails to broadcast": lambda lib: lib.where(meta(lib, 2, 3) > 0, meta(lib, 4),
                                                      meta(lib, 3)),
    "int plus float": lambda lib: meta(lib, 2, dtype=lib.int64) + meta(lib, 2),
    "int plus a Python float": lambda lib: meta(lib, 2, dtype=lib.int32) * 2.5,
    "int divided": lambda lib: meta(lib, 2, dtype=lib.int64) / 2,
    "float16 and float64": lambda lib: meta(lib, 2, dtype=lib.float16) - meta(lib, 2,
                                                                             dtype=lib.float64),
    "comparison": lambda lib: meta(lib, 2, 3) == 1,
    "logical": lambda lib: (meta(lib, 2, 3) > 0) & (meta(lib, 3) < 1),
    "transposed layout kept": lambda lib: leaf(lib, 2, 3).t() * 2,
    "expand strides": lambda lib: meta(lib, 2, 3).expand(4, 2, 3),
    "unary": lambda lib: (leaf(lib, 2, 3).exp(), leaf(lib, 2, 3).sigmoid(),
                          leaf(lib, 2, 3).tanh(), leaf(lib, 2, 3).relu()),
    "pow and sqrt": lambda lib: (leaf(lib, 3) ** 2, leaf(lib, 3).sqrt()),
    "where": lambda lib: lib.where(meta(lib, 2, 3) > 0, leaf(lib, 2, 3), 0.0),
    "clamp": lambda lib: leaf(lib, 2, 3).clamp(min=0),
    "masked_fill": lambda lib: leaf(lib, 2, 3).masked_fill(meta(lib, 3, dtype=lib.bool), 0.0),
    # in place
    "add_": lambda lib: meta(lib, 2, 3).add_(meta(lib, 3)),
    "add_ that would grow": lambda lib: meta(lib, 3).add_(meta(lib, 2, 3)),
    "add_ that does not broadcast": lambda lib: meta(lib, 2, 3).add_(meta(lib, 4)),
    "add_ int by float": lambda lib: meta(lib, 3, dtype=lib.int64).add_(1.5),
    "mul_ int by float": lambda lib: meta(lib, 3, dtype=lib.int64).mul_(1.5),
    "fill_ and zero_": lambda lib: (meta(lib, 2).fill_(1), meta(lib, 2).zero_()),
    "in place on a leaf": lambda lib: leaf(lib, 2).add_(1),
    "in place on an expanded": lambda lib: meta(lib, 3).expand(2, 3).add_(1),
    "unsqueeze_": lambda lib: meta(lib, 2, 3).unsqueeze_(1),
    # matrix products
    "mm": lambda lib: leaf(lib, 2, 3) @ leaf(lib, 3, 4),
    "mm mismatch": lambda lib: meta(lib, 2, 3) @ meta(lib, 4, 5),
    "bmm": lambda lib: lib.bmm(leaf(lib, 5, 2, 3), leaf(lib, 5, 3, 4)),
    "matmul batched broadcast": lambda lib: leaf(lib, 7, 1, 2, 3) @ leaf(lib, 5, 3, 4),
    "matmul vector": lambda lib: (leaf(lib, 2, 3) @ leaf(lib, 3), leaf(lib, 3) @ leaf(lib, 3)),
    "linear mismatch": lambda lib: lib.nn.functional.linear(meta(lib, 2, 3), meta(lib, 4, 5)),
    "linear": lambda lib: lib.nn.functional.linear(leaf(lib, 2, 3), leaf(lib, 4, 3),
                                                   leaf(lib, 4)),
    "linear 3-d": lambda lib: lib.nn.functional.linear(leaf(lib, 5, 2, 3), leaf(lib, 4, 3),
                                                       leaf(lib, 4)),
    # reductions
    "sum": lambda lib: leaf(lib, 2, 3).sum(),
    "sum dim keepdim": lambda lib: (leaf(lib, 2, 3, 4).sum(1, keepdim=True),
                                    leaf(lib, 2, 3, 4).sum((0, 2))),
    "sum of ints": lambda lib: meta(lib, 2, 3, dtype=lib.int32).sum(0),
    "mean": lambda lib: (leaf(lib, 2, 3).mean(), leaf(lib, 2, 3).mean(-1, keepdim=True)),
    "mean of ints": lambda lib: meta(lib, 2, dtype=lib.int64).mean(),
    "max and argmax": lambda lib: (leaf(lib, 3, 4).max(1), meta(lib, 3, 4).argmax(1),
                                   leaf(lib, 3, 4).max()),
    "std and var": lambda lib: (leaf(lib, 3, 4).std(0), leaf(lib, 3, 4).var(1, keepdim=True)),
    "softmax": lambda lib: (lib.softmax(leaf(lib, 2, 3), 1), leaf(lib, 2, 3).log_softmax(-1)),
    "softmax of a transpose": lambda lib: lib.softmax(leaf(lib, 2, 3).t(), 0),
    "cumsum": lambda lib: leaf(lib, 2, 3).cumsum(1),
    "norm": lambda lib: leaf(lib, 2, 3).norm(dim=1),
    "all and any": lambda lib: ((meta(lib, 2, 3) > 0).all(), meta(lib, 2, 3).any(1)),
    "topk": lambda lib: leaf(lib, 3, 6).topk(2, dim=1),
    "sort": lambda lib: leaf(lib, 3, 6).sort(dim=0),
    # views and joining
    "view": lambda lib: leaf(lib, 2, 3).view(3, 2),
    "view -1": lambda lib: leaf(lib, 2, 3, 4).view(-1, 4),
    "view refused": lambda lib: meta(lib, 2, 3).t().view(6),
    "reshape of a transpose copies": lambda lib: leaf(lib, 2, 3).t().reshape(6),
    "reshape alias": lambda lib: leaf(lib, 4, 3)[:, :2].reshape(2, 2, 2),
    "transpose and permute": lambda lib: (leaf(lib, 2, 3, 4).transpose(0, 2),
                                          leaf(lib, 2, 3, 4).permute(2, 0, 1)),
    "T and mT": lambda lib: (leaf(lib, 2, 3).T, leaf(lib, 5, 2, 3).mT),
    "flatten": lambda lib: (leaf(lib, 2, 3, 4).flatten(), leaf(lib, 2, 3, 4).flatten(1)),
    "unsqueeze and squeeze": lambda lib: (leaf(lib, 2, 3).unsqueeze(1),
                                          leaf(lib, 2, 1, 3).squeeze(),
                                          leaf(lib, 2, 1, 3).squeeze(1),
                                          leaf(lib, 2, 1, 1).squeeze((1, 2))),
    "select and slice": lambda lib: (leaf(lib, 4, 5)[1], leaf(lib, 4, 5)[:, 1:4:2],
                                     leaf(lib, 4, 5).narrow(0, 1, 2)),
    "chunk split unbind": lambda lib: (leaf(lib, 5, 2).chunk(2), leaf(lib, 5, 2).split([1, 4]),
                                       leaf(lib, 3, 2).unbind(1)),
    "diagonal": lambda lib: (leaf(lib, 3, 4).diagonal(), leaf(lib, 3, 4).diagonal(1)),
    "cat": lambda lib: (lib.cat([leaf(lib, 2, 3), leaf(lib, 4, 3)]),
                        lib.cat([leaf(lib, 2, 3), leaf(lib, 2, 1)], 1)),
    "cat mismatch": lambda lib: lib.cat([meta(lib, 2, 3), meta(lib, 2, 4)]),
    "stack": lambda lib: lib.stack([leaf(lib, 2, 3), leaf(lib, 2, 3)], 1),
    "repeat": lambda lib: leaf(lib, 2, 3).repeat(2, 1, 2),
    "index by a cpu tensor": lambda lib: (leaf(lib, 4, 3)[lib.tensor([0, 2])],
                                          leaf(lib, 4, 3)[:, lib.tensor([0, 2])]),
    "index by a meta tensor": lambda lib: leaf(lib, 4, 3)[meta(lib, 2, 2, dtype=lib.int64)],
    # layers
    "conv2d": lambda lib: lib.nn.functional.conv2d(leaf(lib, 2, 3, 16, 16), leaf(lib, 8, 3, 3, 3),
                                                   leaf(lib, 8), stride=2, padding=1),
    "conv2d module": lambda lib: lib.nn.Conv2d(3, 6, 5, device="meta")(meta(lib, 4, 3, 32, 32)),
    "max pool": lambda lib: lib.nn.functional.max_pool2d(leaf(lib, 2, 3, 9, 9), 2,
                                                         ceil_mode=True),
    "avg pool": lambda lib: lib.nn.AvgPool2d(3, stride=2)(leaf(lib, 2, 3, 9, 9)),
    "adaptive avg pool": lambda lib: lib.nn.AdaptiveAvgPool2d((1, 1))(leaf(lib, 2, 3, 9, 9)),
    "batch norm": lambda lib: lib.nn.BatchNorm2d(3, device="meta")(meta(lib, 2, 3, 4, 4)),
    "batch norm eval": lambda lib: lib.nn.BatchNorm2d(3, device="meta").eval()(
        meta(lib, 2, 3, 4, 4)),
    "layer norm": lambda lib: lib.nn.LayerNorm(4, device="meta")(meta(lib, 2, 3, 4)),
    "embedding": lambda lib: lib.nn.Embedding(10, 3, device="meta")(
        meta(lib, 2, 4, dtype=lib.int64)),
    "dropout": lambda lib: lib.nn.functional.dropout(leaf(lib, 2, 3), 0.5),
    "bernoulli": lambda lib: lib.bernoulli(meta(lib, 3, 4).t()),
    "relu and gelu": lambda lib: (lib.nn.functional.relu(leaf(lib, 2, 3)),
                                  lib.nn.functional.gelu(leaf(lib, 2, 3))),
    "cross entropy": lambda lib: lib.nn.functional.cross_entropy(
        leaf(lib, 4, 5), meta(lib, 4, dtype=lib.int64)),
    "mse loss": lambda lib: lib.nn.functional.mse_loss(leaf(lib, 4, 5), meta(lib, 4, 5)),
    "pad": lambda lib: lib.nn.functional.pad(leaf(lib, 2, 3), (1, 2)),
    "interpolate": lambda lib: (
        lib.nn.functional.interpolate(leaf(lib, 1, 2, 4, 4), scale_factor=2),
        lib.nn.Upsample(scale_factor=2, mode="bilinear")(meta(lib, 1, 1, 3, 3))),
    "group norm": lambda lib: lib.nn.GroupNorm(2, 4, device="meta")(meta(lib, 2, 4, 3)),
    "lstm": lambda lib: lib.nn.LSTM(3, 5, device="meta")(meta(lib, 7, 2, 3)),
    "gru batch first": lambda lib: lib.nn.GRU(3, 5, batch_first=True, device="meta")(
        meta(lib, 2, 7, 3)),
    "rnn two layers": lambda lib: lib.nn.RNN(3, 5, 2, device="meta")(meta(lib, 7, 2, 3)),
    "lstm cell": lambda lib: lib.nn.LSTMCell(3, 5, device="meta")(meta(lib, 2, 3)),
    "multihead attention": lambda lib: lib.nn.MultiheadAttention(8, 2, device="meta")(
        meta(lib, 5, 2, 8), meta(lib, 5, 2, 8), meta(lib, 5, 2, 8)),
    "scaled dot product attention": lambda lib: lib.nn.functional.scaled_dot_product_attention(
        leaf(lib, 2, 5, 8), leaf(lib, 2, 5, 8), leaf(lib, 2, 5, 8)),
    "einsum": lambda lib: lib.einsum("ij,jk->ik", leaf(lib, 2, 3), leaf(lib, 3, 4)),
    "gather and scatter": lambda lib: (
        leaf(lib, 3, 4).gather(1, meta(lib, 3, 2, dtype=lib.int64)),
        meta(lib, 3, 4).scatter(1, meta(lib, 3, 2, dtype=lib.int64), 1.0)),
    "index_select": lambda lib: leaf(lib, 3, 4).index_select(1, lib.tensor([0, 2])),
    "flip and roll": lambda lib: (leaf(lib, 3, 4).flip(0), leaf(lib, 3, 4).roll(1, 0)),
    "diag and cross": lambda lib: (lib.diag(leaf(lib, 3)),
                                   lib.linalg.cross(leaf(lib, 5, 3), leaf(lib, 5, 3))),
    "one_hot": lambda lib: lib.nn.functional.one_hot(meta(lib, 2, 3, dtype=lib.int64), 4),
    "one_hot counting classes": lambda lib: lib.nn.functional.one_hot(
        meta(lib, 3, dtype=lib.int64)),
    "view as another dtype": lambda lib: (meta(lib, 4, 6).view(lib.int32),
                                          meta(lib, 4, 6)[:, 2:].view(lib.float16),
                                          meta(lib, 4, 6, dtype=lib.int8).view(lib.int16)),
    "index_put_": lambda lib: meta(lib, 4, 3).index_put_((lib.tensor([0, 1]),), meta(lib, 2, 3)),
    "setitem": lambda lib: (lambda x: (x.__setitem__((slice(None), 1), meta(lib, 4)), x)[1])(
        meta(lib, 4, 3)),
}


@pytest.mark.parametrize("name", list(OPS))
def test_ops_on_meta_give_shapes_dtypes_strides_and_grad_fns_as_torch(name):
    same(OPS[name])


# ---- modules ------------------------------------------------------------------------------------
def lenet(lib, **kw):
    nn = lib.nn
    return nn.Sequential(nn.Conv2d(1, 6, 5, **kw), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(6, 16, 5, **kw), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(16 * 4 * 4, 120, **kw), nn.ReLU(), nn.Linear(120, 10, **kw))


def parameters(model):
    return [(name, repr(p), seen(p)) for name, p in model.named_parameters()] + \
        [(name, repr(b)) for name, b in model.named_buffers()]


MODULES = {
    "Linear on meta": lambda lib: parameters(lib.nn.Linear(3, 4, device="meta")),
    "Linear without bias": lambda lib: parameters(lib.nn.Linear(3, 4, bias=False,
                                                                device="meta")),
    "a model on meta": lambda lib: parameters(lenet(lib, device="meta")),
    "a model to meta": lambda lib: parameters(lenet(lib).to("meta")),
    "a model to meta and float64": lambda lib: parameters(lenet(lib).to("meta", lib.float64)),
    "batch norm buffers": lambda lib: parameters(lib.nn.BatchNorm1d(3, device="meta")),
    "forward through a model on meta": lambda lib: lenet(lib, device="meta")(
        meta(lib, 8, 1, 28, 28)),
    "to cpu refused": lambda lib: lib.nn.Linear(3, 4, device="meta").to("cpu"),
    "to_empty to meta": lambda lib: parameters(lenet(lib).to_empty(device="meta")),
    "print a model on meta": lambda lib: repr(lenet(lib, device="meta")),
}


@pytest.mark.parametrize("name", list(MODULES))
def test_modules_on_meta_as_torch(name):
    same(MODULES[name])


def test_to_empty_gives_a_meta_model_memory_on_the_cpu_as_torch():
    """to_empty leaves the values uninitialized in torch (anything); all else must agree."""
    def moved(lib):
        model = lenet(lib, device="meta").to_empty(device="cpu")
        return [(name, str(p.device), tuple(p.shape), p.stride(), str(p.dtype), p.requires_grad,
                 type(p).__name__) for name, p in model.named_parameters()], \
            model(lib.zeros(2, 1, 28, 28)).shape
    run_both(moved)


# ---- the device as a context and as the default -------------------------------------------------
def test_with_device_meta_makes_factories_and_layers_meta_as_torch():
    def inside(lib):
        with lib.device("meta"):
            made = (lib.ones(2), lib.tensor([1.0, 2.0]), lib.arange(3), lib.randn(2, 2),
                    str(lib.get_default_device()), parameters(lib.nn.Linear(2, 3)))
        return made, lib.ones(2), str(lib.get_default_device())
    same(inside)


def test_set_default_device_meta_as_torch():
    def default(lib):
        lib.set_default_device("meta")
        try:
            return lib.zeros(2), lib.zeros(2, device="cpu"), lib.nn.Linear(2, 3).weight
        finally:
            lib.set_default_device(None)
    same(default)


# ---- autograd ---------------------------------------------------------------------------------
def test_backward_on_meta_gives_meta_gradients_as_torch():
    def train_step(lib):
        model = lenet(lib, device="meta")
        x = meta(lib, 8, 1, 28, 28)
        target = meta(lib, 8, dtype=lib.int64)
        loss = lib.nn.functional.cross_entropy(model(x), target)
        loss.backward()
        return loss, [(name, repr(p.grad), p.grad.stride()) for name, p in
                      model.named_parameters()]
    same(train_step)


def test_backward_through_views_and_broadcasting_on_meta_as_torch():
    def grads(lib):
        w = leaf(lib, 3, 4)
        b = leaf(lib, 4)
        x = meta(lib, 2, 3)
        y = ((x @ w + b).t()[1:] * 2).sum()
        y.backward()
        return y, w.grad, b.grad
    same(grads)


def test_backward_without_requires_grad_refused_as_torch():
    same(lambda lib: meta(lib, 2).sum().backward())


def test_autograd_grad_on_meta_as_torch():
    def grad(lib):
        x = leaf(lib, 3)
        return lib.autograd.grad((x * x).sum(), x)
    same(grad)


def test_meta_tensors_need_no_element_limit_yet_cpu_ones_keep_it():
    """The sandbox's element limit bounds memory; a meta tensor holds none, as in torch."""
    from engine.ops import creation
    creation.set_element_limit(1000)
    try:
        assert tuple(engine.empty(10 ** 6, 10 ** 6, device="meta").shape) == (10 ** 6, 10 ** 6)
        with pytest.raises(RuntimeError, match="refusing to allocate"):
            engine.empty(10 ** 4)
    finally:
        creation.set_element_limit(None)


def test_save_and_load_keep_meta_tensors_as_torch():
    """torch.save of a model on meta stores shapes only; torch.load gives them back on meta."""
    import io

    def round_trip(lib):
        buffer = io.BytesIO()
        lib.save({"state": lenet(lib, device="meta").state_dict(),
                  "x": meta(lib, 2, 3, dtype=lib.int32)}, buffer)
        buffer.seek(0)
        loaded = lib.load(buffer)
        return [(k, repr(v)) for k, v in loaded["state"].items()], loaded["x"]
    same(round_trip)


def test_deepcopy_of_a_model_on_meta_as_torch():
    import copy
    same(lambda lib: parameters(copy.deepcopy(lenet(lib, device="meta"))))


def test_skip_init_builds_on_meta_then_gives_memory_as_torch():
    def skipped(lib):
        lib.manual_seed(0)
        layer = lib.nn.utils.skip_init(lib.nn.Linear, 3, 2, bias=False)
        conv = lib.nn.utils.skip_init(lib.nn.Conv2d, 1, 2, 3, device="meta")
        return ([(n, str(p.device), tuple(p.shape), p.requires_grad)
                 for n, p in layer.named_parameters()], parameters(conv), lib.randn(2))
    run_both(skipped)
    same(lambda lib: lib.nn.utils.skip_init(lib.nn.ReLU))


def test_nested_with_device_restores_each_outer_default_as_torch():
    """One device object entered twice, nested: each exit restores what its own enter saw."""
    def nested(lib):
        cpu, made = lib.device("cpu"), []
        with cpu:
            with lib.device("meta"):
                with cpu:
                    made.append(lib.ones(1))
                made.append(lib.ones(1))
            made.append(lib.ones(1))
        return made, lib.ones(1), str(lib.get_default_device())
    same(nested)


@pytest.mark.parametrize("make", [
    lambda lib, ps: lib.optim.SGD(ps, lr=0.1, momentum=0.9),
    lambda lib, ps: lib.optim.SGD(ps, lr=0.1),
    lambda lib, ps: lib.optim.Adam(ps, amsgrad=True),
    lambda lib, ps: lib.optim.AdamW(ps),
    lambda lib, ps: lib.optim.RMSprop(ps, momentum=0.5, centered=True),
    lambda lib, ps: lib.optim.Adagrad(ps),
], ids=["sgd momentum", "sgd", "adam amsgrad", "adamw", "rmsprop", "adagrad"])
def test_an_optimizer_step_on_meta_parameters_makes_torchs_state(make):
    """A dry run of a training step on meta: the state takes torch's keys, shapes and devices
    (the step count stays a CPU number), and no random number is drawn."""
    def steps(lib):
        lib.manual_seed(0)
        model = lib.nn.Linear(3, 2, device="meta")
        opt = make(lib, model.parameters())
        for _ in range(2):
            model(meta(lib, 4, 3)).sum().backward()
            opt.step()
            opt.zero_grad()
        return [(k, {name: repr(v) for name, v in s.items()})
                for k, s in opt.state_dict()["state"].items()], repr(model.weight), lib.randn(2)
    run_both(steps)


def test_copy_and_pickle_keep_a_meta_tensor_on_meta_as_torch():
    import copy
    import pickle
    same(lambda lib: (copy.copy(leaf(lib, 2, 3)),
                      pickle.loads(pickle.dumps(meta(lib, 4, dtype=lib.int16))),
                      copy.copy(lib.nn.Parameter(meta(lib, 2)))))
