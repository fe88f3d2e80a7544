"""What PyTorch's tutorials run that the engine once did differently (issue 16), against real
torch: every op's `out=`, MSELoss's promoted dtype, the legacy size_average/reduce flags,
tile(dims=...), and classes printing with torch's module paths."""
from __future__ import annotations

import inspect
import warnings

import numpy as np
import pytest
import torch

import engine
from difftest import run_both
from engine.torch_names import TORCH_MODULES

RNG = np.random.default_rng(1616)


def rand(*shape, dtype=np.float32):
    return RNG.standard_normal(shape).astype(dtype)


def into_out(call, out_shape=(0,), out_dtype="float32"):
    """call(lib, out) writes into a fresh out of that shape; the returned tensor is out."""
    def fn(lib, *args):
        out = lib.empty(out_shape, dtype=getattr(lib, out_dtype))
        result = call(lib, out, *args)
        assert result is out
        return out
    return fn


OUT_CASES = {
    "matmul": (into_out(lambda lib, o, a, b: lib.matmul(a, b, out=o)), rand(2, 3), rand(3, 4)),
    "matmul batched": (into_out(lambda lib, o, a, b: lib.matmul(a, b, out=o), (2, 2, 4)),
                       rand(2, 2, 3), rand(3, 4)),
    "mm": (into_out(lambda lib, o, a, b: lib.mm(a, b, out=o), (2, 4)), rand(2, 3), rand(3, 4)),
    "bmm": (into_out(lambda lib, o, a, b: lib.bmm(a, b, out=o)), rand(2, 2, 3), rand(2, 3, 4)),
    "mv": (into_out(lambda lib, o, a, b: lib.mv(a, b, out=o)), rand(2, 3), rand(3)),
    "dot": (into_out(lambda lib, o, a, b: lib.dot(a, b, out=o), ()), rand(3), rand(3)),
    "outer": (into_out(lambda lib, o, a, b: lib.outer(a, b, out=o)), rand(2), rand(3)),
    "kron": (into_out(lambda lib, o, a, b: lib.kron(a, b, out=o), (4, 4)), rand(2, 2), rand(2, 2)),
    "cross": (into_out(lambda lib, o, a, b: lib.cross(a, b, dim=1, out=o)), rand(2, 3), rand(2, 3)),
    "linalg.cross": (into_out(lambda lib, o, a, b: lib.linalg.cross(a, b, out=o)), rand(2, 3),
                     rand(2, 3)),
    "histc": (into_out(lambda lib, o, a: lib.histc(a, bins=4, out=o)), rand(20)),
    "zeros into int64": (into_out(lambda lib, o: lib.zeros(2, 3, out=o), (0,), "int64"),),
    "arange into float": (into_out(lambda lib, o: lib.arange(5, out=o)),),
    "randn into float64": (into_out(lambda lib, o: (lib.manual_seed(0),
                                                    lib.randn(4, out=o))[1], (4,), "float64"),),
    "linspace": (into_out(lambda lib, o: lib.linspace(0, 1, 5, out=o)),),
    "eye": (into_out(lambda lib, o: lib.eye(3, out=o)),),
    "full": (into_out(lambda lib, o: lib.full((2,), 7.0, out=o)),),
}


@pytest.mark.parametrize("name", list(OUT_CASES))
def test_out_argument_is_written_and_returned_as_torch(name):
    fn, *args = OUT_CASES[name]
    run_both(fn, *args, printed=True)


def test_out_of_a_differentiable_op_refuses_autograd_as_torch():
    run_both(lambda lib, a: lib.matmul(a, a, out=lib.empty(2, 2)), rand(2, 2), requires_grad=True)


@pytest.mark.parametrize("target", [np.array([0, 1, 2]), np.array([0.5, 1, 2]),
                                    np.array([1, 0, 1], dtype=np.int32)])
def test_mse_loss_computes_in_the_promoted_dtype_as_torch(target):
    run_both(lambda lib, x, t: lib.nn.MSELoss()(x, t), rand(3), target, backward=True,
             printed=True)
    run_both(lambda lib, x, t: lib.nn.functional.mse_loss(x, t.double()), rand(3), target,
             backward=True, printed=True)


LEGACY = [dict(size_average=False), dict(size_average=True), dict(reduce=False),
          dict(reduce=True), dict(size_average=False, reduce=True),
          dict(size_average=True, reduce=False)]
LOSSES = {
    "MSELoss": (lambda: rand(3, 4), lambda: rand(3, 4)),
    "L1Loss": (lambda: rand(3, 4), lambda: rand(3, 4)),
    "CrossEntropyLoss": (lambda: rand(3, 4), lambda: np.array([0, 3, 1])),
    "NLLLoss": (lambda: rand(3, 4), lambda: np.array([0, 3, 1])),
    "BCEWithLogitsLoss": (lambda: rand(3, 4), lambda: (rand(3, 4) > 0).astype(np.float32)),
}


def _warned(call):
    """The result and the texts of the warnings call gave."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        result = call()
    return result, [str(w.message) for w in seen]


@pytest.mark.parametrize("flags", LEGACY, ids=str)
@pytest.mark.parametrize("loss", list(LOSSES))
def test_legacy_reduction_flags_map_to_a_reduction_with_torchs_warning(loss, flags):
    x, t = (make() for make in LOSSES[loss])
    warnings_of = {}

    def fn(lib, x, t):
        module, said = _warned(lambda: getattr(lib.nn, loss)(**flags))
        value, said_f = _warned(lambda: getattr(lib.nn.functional, _functional(loss))(
            x, t, **flags))
        warnings_of[lib.__name__] = (said, said_f)
        return module.reduction, module(x, t), value
    run_both(fn, x, t, printed=True)
    assert warnings_of["engine"] == warnings_of["torch"]


def _functional(loss: str) -> str:
    return {"MSELoss": "mse_loss", "L1Loss": "l1_loss", "CrossEntropyLoss": "cross_entropy",
            "NLLLoss": "nll_loss", "BCEWithLogitsLoss": "binary_cross_entropy_with_logits"}[loss]


@pytest.mark.parametrize("call", [
    lambda lib, x: lib.tile(x, dims=(2, 1)), lambda lib, x: x.tile(dims=(2,)),
    lambda lib, x: lib.tile(x, (2, 2)), lambda lib, x: x.tile(2, 1, 1)])
def test_tile_takes_dims_by_keyword_as_torch(call):
    run_both(call, rand(2, 3), backward=True)


@pytest.mark.parametrize("module", list(TORCH_MODULES))
def test_classes_print_with_torchs_module_path(module):
    for name in TORCH_MODULES[module]:
        assert repr(_class(engine, name)) == repr(_class(torch, name))


def _class(lib, name: str):
    """The public class `name` of lib (torch or engine), from wherever the library offers it."""
    linear = lib.nn.modules.linear if lib is torch else lib.nn.modules.layers
    for namespace in (lib.nn, lib.optim, lib.optim.lr_scheduler, lib.utils.data, lib.autograd,
                      lib, linear):
        if inspect.isclass(vars(namespace).get(name)):
            return vars(namespace)[name]
    raise LookupError(f"{lib.__name__} has no class {name}")


def test_type_of_a_tensor_prints_as_torch():
    assert repr(type(engine.ones(1))) == repr(type(torch.ones(1))) == "<class 'torch.Tensor'>"
    assert repr(type(engine.nn.Parameter(engine.ones(1)))) == repr(
        type(torch.nn.Parameter(torch.ones(1))))


@pytest.mark.parametrize("shape,dim", [((4, 3), 1), ((5, 17), -1), ((3, 4, 40), 2),
                                       ((2, 3, 4), (1, 2)), ((100,), None), ((6, 5), 0)],
                         ids=str)
def test_float32_two_norms_round_as_torchs_kernel(shape, dim):
    """F.normalize(torch.randn(4, 3), dim=1).norm(dim=1) prints 0.99999994 for one row in torch:
    its kernel adds the squares in its own order, and so must the engine."""
    def normalized(lib):
        lib.manual_seed(0)
        x = lib.randn(*shape)
        return [x.norm(dim=dim), lib.nn.functional.normalize(x, dim=dim or 0).norm(dim=dim),
                repr(lib.nn.functional.normalize(x, dim=dim or 0).norm(dim=dim))]
    run_both(normalized)
    e, t = normalized(engine), normalized(torch)
    assert np.array_equal(e[0].numpy(), t[0].numpy()) and e[2] == t[2]


SECOND_ORDER = {
    "pow 2": lambda lib, x: x ** 2, "pow 3": lambda lib, x: x ** 3, "x * x": lambda lib, x: x * x,
    "sin": lambda lib, x: lib.sin(x), "exp": lambda lib, x: lib.exp(x),
    "1 / x": lambda lib, x: 1 / x, "log": lambda lib, x: lib.log(x),
    "sqrt": lambda lib, x: lib.sqrt(x), "rsqrt": lambda lib, x: lib.rsqrt(x),
    "mean": lambda lib, x: (x * 3).mean(), "softmax": lambda lib, x: lib.softmax(x, 0),
    "tanh": lambda lib, x: lib.tanh(x), "sigmoid": lambda lib, x: lib.sigmoid(x),
}
THIRD_ORDER = ("pow 2", "pow 3", "x * x", "sin", "exp", "tanh", "sigmoid")


@pytest.mark.parametrize("name", list(SECOND_ORDER))
def test_create_graph_builds_torchs_nodes(name):
    """autograd.grad(..., create_graph=True) returns a gradient whose graph has torch's nodes
    (MulBackward1 where torch's formula multiplies by a scalar)."""
    from test_diff_ops_missing import chain

    def program(lib, x):
        g, = lib.autograd.grad(SECOND_ORDER[name](lib, x).sum(), x, create_graph=True)
        if name not in THIRD_ORDER:
            return [g, lib.autograd.grad(g.sum(), x)[0], chain(g.grad_fn)]
        gg, = lib.autograd.grad(g.sum(), x, create_graph=True)
        return [g, gg, lib.autograd.grad(gg.sum(), x)[0], chain(g.grad_fn), chain(gg.grad_fn)]
    run_both(program, np.array([0.5, 1.5, 2.0], np.float32), requires_grad=True)
