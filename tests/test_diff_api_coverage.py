"""What PyTorch's tutorials and examples reach for besides ops (issue 16), against real torch:
torch.backends, the default device, torch.__version__, anomaly mode, CUDA on a CPU-only build,
the in-place shape methods, indexing with a range, torch.nn.utils and torch.functional.

Each case runs the same code on both libraries (difftest.run_both) and compares results or the
first line of the error; nothing here is a hand-typed expected value.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import engine
from difftest import run_both
from test_diff_views import chain, version

RNG = np.random.default_rng(16)
A = RNG.standard_normal((4, 5)).astype(np.float32)
TARGET = np.array([1, 0, 4, 2])


def both(fn):
    """fn(lib) on torch and on the engine: the same value, or the same error first line."""
    return run_both(fn)


# ---- torch.backends, the default device, torch.__version__ -----------------------------------
BACKENDS = {
    "cudnn flags": lambda lib: (lib.backends.cudnn.enabled, lib.backends.cudnn.benchmark,
                                lib.backends.cudnn.deterministic, lib.backends.cudnn.allow_tf32,
                                lib.backends.cudnn.benchmark_limit),
    "cudnn reports": lambda lib: (lib.backends.cudnn.is_available(),
                                  lib.backends.cudnn.version(),
                                  lib.backends.cudnn.is_acceptable(lib.ones(1))),
    "cuda backend": lambda lib: (lib.backends.cuda.is_built(),
                                 lib.backends.cuda.matmul.allow_tf32,
                                 lib.backends.cuda.matmul.allow_fp16_reduced_precision_reduction),
    "mps": lambda lib: (lib.backends.mps.is_available(), lib.backends.mps.is_built()),
    "cpu libraries": lambda lib: (lib.backends.mkldnn.is_available(),
                                  lib.backends.openmp.is_available()),
}


@pytest.mark.parametrize("name", list(BACKENDS))
def test_backends_report_what_torch_cpu_reports(name):
    both(BACKENDS[name])


@pytest.mark.parametrize("flag", ["deterministic", "benchmark", "enabled"])
def test_cudnn_flags_are_settable_and_read_back(flag):
    def set_and_read(lib):
        before = getattr(lib.backends.cudnn, flag)
        try:
            setattr(lib.backends.cudnn, flag, not before)
            return getattr(lib.backends.cudnn, flag)
        finally:
            setattr(lib.backends.cudnn, flag, before)
    both(set_and_read)


DEVICES = ["cpu", "cuda", "mps"]


@pytest.mark.parametrize("dev", DEVICES)
def test_set_default_device_as_torch(dev):
    def set_default(lib):
        try:
            lib.set_default_device(dev)
            return str(lib.get_default_device()), lib.ones(2).device.type
        finally:
            lib.set_default_device(None)
    both(set_default)


def test_set_default_device_accepts_a_device_and_get_default_device_is_one():
    def fn(lib):
        result = lib.set_default_device(lib.device("cpu"))
        return result, repr(lib.get_default_device()), type(lib.get_default_device()).__name__
    both(fn)


VERSION_CHECKS = ["2.0", "1.13.1", "2.13", "2.13.0", "2.13.0+cpu", "2.13.1", "2.14.0a0", "3",
                  (2, 0), (2, 13, 0), (3, 0)]


@pytest.mark.parametrize("other", VERSION_CHECKS, ids=str)
def test_version_compares_as_torch_version(other):
    both(lambda lib: (lib.__version__ < other, lib.__version__ <= other,
                      lib.__version__ > other, lib.__version__ >= other,
                      lib.__version__ == other, lib.__version__ != other))


def test_version_is_a_string_like_torchs():
    both(lambda lib: (str(lib.__version__), type(lib.__version__).__name__,
                      isinstance(lib.__version__, str), lib.__version__.split("+")[0],
                      f"{lib.__version__}"))


# ---- anomaly mode ---------------------------------------------------------------------------
def _anomaly_states(lib):
    states = [lib.is_anomaly_enabled()]
    mode = lib.autograd.set_detect_anomaly(True)
    states += [type(mode).__name__, lib.is_anomaly_enabled(), lib.is_anomaly_check_nan_enabled()]
    with lib.autograd.set_detect_anomaly(False, check_nan=False):
        states += [lib.is_anomaly_enabled(), lib.is_anomaly_check_nan_enabled()]
    states += [lib.is_anomaly_enabled(), lib.is_anomaly_check_nan_enabled()]
    lib.autograd.set_detect_anomaly(False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with lib.autograd.detect_anomaly():
            states.append(lib.is_anomaly_enabled())
    states += [lib.is_anomaly_enabled(), [str(w.message) for w in caught]]
    return states


def test_anomaly_mode_switches_as_torch():
    both(_anomaly_states)


def test_detect_anomaly_is_no_decorator_as_in_torch():
    def decorate(lib):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return lib.autograd.detect_anomaly()(lambda: 1)
    both(decorate)


NAN_BACKWARDS = {
    "0/0 in DivBackward0": lambda lib, x: (x / x).sum(),
    "inf is not nan": lambda lib, x: x.sqrt().sum(),
    "nan from the loss": lambda lib, x: (x * 0).log().mul(0).sum(),
}


@pytest.mark.parametrize("name", list(NAN_BACKWARDS))
@pytest.mark.parametrize("check_nan", [True, False])
def test_anomaly_mode_stops_backward_at_the_first_nan_like_torch(name, check_nan):
    x = np.array([0.0, 1.0], dtype=np.float32)

    def fn(lib, x):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")   # torch's "Error detected in ..." warning
            with lib.autograd.set_detect_anomaly(True, check_nan=check_nan):
                NAN_BACKWARDS[name](lib, x).backward()
        return x.grad
    run_both(fn, x, requires_grad=True)


# ---- CUDA on a CPU-only build ---------------------------------------------------------------
CUDA = {
    "tensor.cuda()": lambda lib: lib.ones(2).cuda(),
    "tensor.cuda(0)": lambda lib: lib.ones(2).cuda(0),
    "tensor.cuda('cuda:0')": lambda lib: lib.ones(2).cuda("cuda:0"),
    "tensor.cuda('cpu')": lambda lib: lib.ones(2).cuda("cpu"),
    "module.cuda(0)": lambda lib: lib.nn.Linear(2, 2).cuda(0),
    "tensor.to('cuda')": lambda lib: lib.ones(2).to("cuda"),
    "tensor.to(device('cuda'))": lambda lib: lib.ones(2).to(lib.device("cuda")),
    "tensor.to('cuda:0')": lambda lib: lib.ones(2).to("cuda:0"),
    "ones(device='cuda')": lambda lib: lib.ones(2, device="cuda"),
    "module.cuda()": lambda lib: lib.nn.Linear(2, 2).cuda(),
    "module.to('cuda')": lambda lib: lib.nn.Linear(2, 2).to("cuda"),
    "tensor.to('mps')": lambda lib: lib.ones(2).to("mps"),
    "device('cuda')": lambda lib: (str(lib.device("cuda")), repr(lib.device("cuda:1"))),
    "the usual device line": lambda lib: str(lib.device("cuda" if lib.cuda.is_available()
                                                       else "cpu")),
    "is_cuda": lambda lib: lib.ones(2).is_cuda,
    "cuda.current_device()": lambda lib: lib.cuda.current_device(),
    "cuda.get_device_name()": lambda lib: lib.cuda.get_device_name(0),
    "cuda queries": lambda lib: (lib.cuda.is_available(), lib.cuda.device_count(),
                                 lib.cuda.is_initialized(), lib.cuda.memory_allocated(),
                                 lib.cuda.empty_cache()),
}


@pytest.mark.parametrize("name", list(CUDA))
def test_cuda_on_a_cpu_only_build_as_torch(name):
    both(CUDA[name])


# ---- in-place shape methods -----------------------------------------------------------------
INPLACE_SHAPES = {
    "unsqueeze_(0)": ((2, 3), lambda t: t.unsqueeze_(0)),
    "unsqueeze_(-1)": ((2, 3), lambda t: t.unsqueeze_(-1)),
    "squeeze_()": ((1, 3, 1), lambda t: t.squeeze_()),
    "squeeze_(0)": ((1, 3, 1), lambda t: t.squeeze_(0)),
    "squeeze_(1) (not 1)": ((1, 3, 1), lambda t: t.squeeze_(1)),
    "squeeze_((0, 2))": ((1, 3, 1), lambda t: t.squeeze_((0, 2))),
    "squeeze_(dim=2)": ((1, 3, 1), lambda t: t.squeeze_(dim=2)),
    "t_()": ((2, 3), lambda t: t.t_()),
    "t_() of a vector": ((3,), lambda t: t.t_()),
    "transpose_(0, 1)": ((2, 3), lambda t: t.transpose_(0, 1)),
    "transpose_(-1, 0) 3d": ((2, 3, 4), lambda t: t.transpose_(-1, 0)),
    "t_() 3d": ((2, 3, 4), lambda t: t.t_()),
    "unsqueeze_(5)": ((2, 3), lambda t: t.unsqueeze_(5)),
    "transpose_(0, 2)": ((2, 3), lambda t: t.transpose_(0, 2)),
}


def _inplace_shape(lib, shape, method, source: str):
    """method on a non-leaf, a plain tensor, a view, or under no_grad; what torch would show."""
    x = lib.tensor(RNG_FIXED[:int(np.prod(shape))].reshape(shape), requires_grad=True)
    if source == "non-leaf":
        y = x * 2
    elif source == "plain":
        y = x.detach().clone()
    elif source == "view":
        y = (x * 2).view(shape)
    else:
        y = x
    before = version(y)
    if source == "no_grad leaf":
        with lib.no_grad():
            out = method(y)
    else:
        out = method(y)
    facts = (out is y, version(y) - before, tuple(y.shape), y.stride(), y.is_contiguous(),
             y._base is None, chain(y.grad_fn), y.requires_grad)
    if y.grad_fn is not None:
        (y * lib.arange(y.numel(), dtype=y.dtype).view(y.shape)).sum().backward()
        facts += (x.grad,)
    return facts + (y,)


RNG_FIXED = RNG.standard_normal(24).astype(np.float32)


@pytest.mark.parametrize("source", ["non-leaf", "plain", "view", "no_grad leaf", "leaf"])
@pytest.mark.parametrize("name", list(INPLACE_SHAPES))
def test_inplace_shape_method_as_torch(name, source):
    shape, method = INPLACE_SHAPES[name]
    both(lambda lib: _inplace_shape(lib, shape, method, source))


def test_inplace_shape_method_moves_every_alias_version_like_torch():
    def fn(lib):
        x = lib.tensor(A)
        flat = x.view(-1)
        x.t_()
        x.unsqueeze_(1)
        return version(flat), version(x), tuple(flat.shape), tuple(x.shape), x.stride()
    both(fn)


def test_saved_tensor_changed_by_inplace_shape_method_is_caught_like_torch():
    def fn(lib):
        x = lib.tensor(A, requires_grad=True)
        y = x * 1
        z = y.sin()      # saves y
        y.t_()
        z.sum().backward()
    both(fn)


# ---- indexing with a range ------------------------------------------------------------------
RANGE_INDEXING = {
    "x[range(n), target]": lambda lib, x, t: x[range(4), t],
    "x[range(3)]": lambda lib, x, t: x[range(3)],
    "x[range(0, 4, 2)]": lambda lib, x, t: x[range(0, 4, 2)],
    "x[range(0)]": lambda lib, x, t: x[range(0)],
    "x[:, range(2)]": lambda lib, x, t: x[:, range(2)],
    "x[range(2), range(2)]": lambda lib, x, t: x[range(2), range(2)],
    "x[range(5), 0] out of bounds": lambda lib, x, t: x[range(5), 0],
    "-log_softmax[range(n), target].mean()":
        lambda lib, x, t: -x.log_softmax(dim=1)[range(x.shape[0]), t].mean(),
}


@pytest.mark.parametrize("name", list(RANGE_INDEXING))
def test_indexing_with_a_range_as_torch(name):
    run_both(RANGE_INDEXING[name], A, TARGET, backward=True)


def test_assigning_through_a_range_index_as_torch():
    def fn(lib, x, t):
        y = x * 1
        y[range(4), t] = 0.0
        return y
    run_both(fn, A, TARGET, backward=True)


# ---- torch.nn.utils -------------------------------------------------------------------------
def _model_with_grads(lib, scale: float = 1.0):
    """A small model with gradients, the same weights on both libraries."""
    model = lib.nn.Sequential(lib.nn.Linear(5, 3), lib.nn.Tanh(), lib.nn.Linear(3, 2))
    weights = np.random.default_rng(3)
    with lib.no_grad():
        for p in model.parameters():
            p.copy_(lib.tensor(weights.standard_normal(tuple(p.shape)).astype(np.float32)))
    (model(lib.tensor(A)) * scale).pow(2).sum().backward()
    return model


def _grads(model):
    return [p.grad for p in model.parameters()]


NN_UTILS = {
    "clip_grad_norm_ clips": lambda lib: (
        lambda m: (lib.nn.utils.clip_grad_norm_(m.parameters(), 1.0), _grads(m)))(
        _model_with_grads(lib)),
    "clip_grad_norm_ under the limit": lambda lib: (
        lambda m: (lib.nn.utils.clip_grad_norm_(m.parameters(), 1e6), _grads(m)))(
        _model_with_grads(lib)),
    "clip_grad_norm_ inf norm": lambda lib: (
        lambda m: (lib.nn.utils.clip_grad_norm_(m.parameters(), 0.5, norm_type="inf"),
                   _grads(m)))(_model_with_grads(lib)),
    "clip_grad_norm_ 1-norm of one tensor": lambda lib: (
        lambda m: (lib.nn.utils.clip_grad_norm_(m[0].weight, 0.5, norm_type=1), _grads(m)))(
        _model_with_grads(lib)),
    "clip_grad_norm_ no grads": lambda lib: lib.nn.utils.clip_grad_norm_(
        lib.nn.Linear(2, 2).parameters(), 1.0),
    "clip_grad_norm_ non-finite": lambda lib: (
        lambda m: lib.nn.utils.clip_grad_norm_(m.parameters(), 1.0, error_if_nonfinite=True))(
        _model_with_grads(lib, scale=float("inf"))),
    "clip_grad_value_": lambda lib: (
        lambda m: (lib.nn.utils.clip_grad_value_(m.parameters(), 0.3), _grads(m)))(
        _model_with_grads(lib)),
    "parameters_to_vector": lambda lib: lib.nn.utils.parameters_to_vector(
        _model_with_grads(lib).parameters()),
    "vector_to_parameters": lambda lib: (
        lambda m: (lib.nn.utils.vector_to_parameters(
            lib.arange(29, dtype=lib.float32), m.parameters()), list(m.parameters())))(
        _model_with_grads(lib)),
    "vector_to_parameters of a list": lambda lib: lib.nn.utils.vector_to_parameters(
        [1.0], lib.nn.Linear(1, 1).parameters()),
}


@pytest.mark.parametrize("name", list(NN_UTILS))
def test_nn_utils_as_torch(name):
    both(NN_UTILS[name])


def test_nn_utils_import_as_torch():
    from torch.nn.utils import clip_grad_norm_ as torch_clip  # noqa: F401
    from engine.nn.utils import (clip_grad_norm_, clip_grad_value_,  # noqa: F401
                                 parameters_to_vector, vector_to_parameters)
    assert clip_grad_norm_ is engine.nn.utils.clip_grad_norm_


# ---- torch.functional -----------------------------------------------------------------------
def test_torch_functional_offers_torchs_functions_the_engine_has():
    import torch.functional as torch_f
    import engine.functional as engine_f
    assert engine_f.__all__, "broadcast_tensors, norm, split... are in torch.functional"
    for name in engine_f.__all__:
        assert name in torch_f.__all__
        assert getattr(engine_f, name) is getattr(engine, name)


FUNCTIONAL = {
    "split": lambda lib, x: lib.functional.split(x, 2),
    "norm": lambda lib, x: lib.functional.norm(x, dim=1),
    "broadcast_tensors": lambda lib, x: lib.functional.broadcast_tensors(x, x[:1]),
    "broadcast_shapes": lambda lib, x: lib.functional.broadcast_shapes((4, 1), (5,)),
}


@pytest.mark.parametrize("name", list(FUNCTIONAL))
def test_torch_functional_as_torch(name):
    run_both(FUNCTIONAL[name], A, backward=name != "broadcast_shapes")

