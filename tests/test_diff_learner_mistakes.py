"""The mistakes learners make most, refused in torch's words, against real torch 2.13: a Linear
given the wrong number of features (through the Module, whose bias path skipped addmm's shape
check and let NumPy's error through), an integer tensor asked for gradients when it is made
(torch's words differ from requires_grad_()'s), a pool whose window does not fit its input, and
a convolution whose kernel is larger than its (padded) input or whose unbatched input has the
wrong channels, class indices of the wrong shape (a (N, 1) target ran), a BatchNorm of the
wrong width, recurrent cells of the wrong sizes (an LSTMCell ran with a bare hidden state), a
transposed convolution's output_padding, and NumPy arrays of strings or objects."""
from __future__ import annotations

import pytest

from difftest import run_both

MISTAKES = {
    # a Linear of the wrong width: 2-d, 3-d contiguous (flattened), 3-d strided, no bias
    "Linear 2-d": lambda lib: lib.nn.Linear(3, 2)(lib.ones(2, 4)),
    "Linear 3-d": lambda lib: lib.nn.Linear(3, 2)(lib.ones(5, 2, 4)),
    "Linear 3-d strided": lambda lib: lib.nn.Linear(3, 2)(lib.ones(5, 2, 4).transpose(0, 1)),
    "Linear no bias": lambda lib: lib.nn.Linear(3, 2, bias=False)(lib.ones(2, 4)),
    "F.linear with bias": lambda lib: lib.nn.functional.linear(lib.ones(2, 4), lib.ones(2, 3),
                                                               lib.ones(2)),
    "Linear in a Sequential": lambda lib: lib.nn.Sequential(
        lib.nn.Linear(4, 8), lib.nn.ReLU(), lib.nn.Linear(6, 1))(lib.ones(3, 4)),
    # gradients for an integer tensor
    "tensor(ints, requires_grad=True)": lambda lib: lib.tensor([1, 2], requires_grad=True),
    "arange(requires_grad=True)": lambda lib: lib.arange(3, requires_grad=True),
    "zeros(int32, requires_grad=True)": lambda lib: lib.zeros(2, dtype=lib.int32,
                                                              requires_grad=True),
    "randint(requires_grad=True)": lambda lib: lib.randint(3, (2,), requires_grad=True),
    "Parameter(ints)": lambda lib: lib.nn.Parameter(lib.tensor([1])),
    "x.requires_grad = True": lambda lib: setattr(lib.tensor([1]), "requires_grad", True),
    "requires_grad_()": lambda lib: lib.tensor([1]).requires_grad_(),
    # a pool with no window along some dim
    "max_pool2d": lambda lib: lib.nn.functional.max_pool2d(lib.ones(1, 1, 2, 2), 3),
    "max_pool2d unbatched": lambda lib: lib.nn.functional.max_pool2d(lib.ones(3, 2, 5), 3),
    "MaxPool2d one dim": lambda lib: lib.nn.MaxPool2d(3)(lib.ones(1, 2, 5, 2)),
    "avg_pool2d": lambda lib: lib.nn.functional.avg_pool2d(lib.ones(1, 1, 2, 2), 3),
    "max_pool1d": lambda lib: lib.nn.functional.max_pool1d(lib.ones(1, 1, 2), 3),
    "max_pool1d indices": lambda lib: lib.nn.functional.max_pool1d(lib.ones(1, 1, 2), 3,
                                                                   return_indices=True),
    "avg_pool1d": lambda lib: lib.nn.functional.avg_pool1d(lib.ones(1, 1, 2), 3),
    "max_pool3d": lambda lib: lib.nn.functional.max_pool3d(lib.ones(1, 1, 2, 2, 2), 3),
    "avg_pool3d": lambda lib: lib.nn.functional.avg_pool3d(lib.ones(1, 1, 2, 2, 2), 3),
    "avg_pool3d padded": lambda lib: lib.nn.functional.avg_pool3d(lib.ones(1, 1, 2, 2, 2), 3,
                                                                  padding=1),
    "ceil_mode fits": lambda lib: lib.nn.functional.max_pool2d(lib.ones(1, 1, 2, 2), 2,
                                                               stride=5, ceil_mode=True),
    "padding fits": lambda lib: lib.nn.functional.avg_pool2d(lib.ones(1, 1, 2, 2), 5,
                                                             padding=2),
    # a convolution's kernel larger than its input, and an unbatched input's channels
    "conv1d kernel": lambda lib: lib.nn.functional.conv1d(lib.ones(1, 3, 2), lib.ones(2, 3, 3)),
    "Conv2d kernel": lambda lib: lib.nn.Conv2d(3, 2, 3)(lib.ones(1, 3, 5, 2)),
    "conv2d dilated kernel": lambda lib: lib.nn.functional.conv2d(
        lib.ones(1, 3, 4, 4), lib.ones(2, 3, 2, 2), dilation=4),
    "conv2d padding fits": lambda lib: lib.nn.functional.conv2d(
        lib.ones(1, 3, 2, 2), lib.ones(2, 3, 3, 3), padding=1),
    "conv3d kernel": lambda lib: lib.nn.functional.conv3d(lib.ones(1, 3, 2, 2, 2),
                                                          lib.ones(2, 3, 3, 3, 3)),
    "Conv2d unbatched channels": lambda lib: lib.nn.Conv2d(3, 8, 3)(lib.ones(4, 4, 4)),
    "Conv1d unbatched channels": lambda lib: lib.nn.Conv1d(3, 8, 3)(lib.ones(4, 4)),
    "conv_transpose2d unbatched channels": lambda lib: lib.nn.functional.conv_transpose2d(
        lib.ones(4, 3, 3), lib.ones(3, 2, 3, 3)),
    # class indices of the wrong shape (a (N, 1) target is the classic one)
    "cross_entropy (N, 1) target": lambda lib: lib.nn.functional.cross_entropy(
        lib.randn(4, 3), lib.tensor([[0], [1], [2], [0]])),
    "cross_entropy (N, 1) float target": lambda lib: lib.nn.functional.cross_entropy(
        lib.randn(4, 3), lib.tensor([[0.0], [1.0], [2.0], [0.0]])),
    "nll_loss 1-d input, 3 targets": lambda lib: lib.nn.functional.nll_loss(
        lib.randn(3), lib.tensor([0, 1, 2])),
    "nll_loss 0-d target for a batch": lambda lib: lib.nn.functional.nll_loss(
        lib.randn(4, 3), lib.tensor(1)),
    "nll_loss 0-d input": lambda lib: lib.nn.functional.nll_loss(lib.tensor(1.0), lib.tensor(1)),
    "cross_entropy 3-d, target (N, 1)": lambda lib: lib.nn.functional.cross_entropy(
        lib.randn(4, 3, 5), lib.tensor([[0], [1], [2], [0]])),
    "cross_entropy 4-d, 2-d target": lambda lib: lib.nn.functional.cross_entropy(
        lib.randn(4, 3, 5, 2), lib.zeros(4, 5, dtype=lib.int64)),
    "cross_entropy 4-d, target of other size": lambda lib: lib.nn.functional.cross_entropy(
        lib.randn(4, 3, 5, 2), lib.zeros(4, 5, 3, dtype=lib.int64)),
    "cross_entropy 5-d": lambda lib: lib.nn.functional.cross_entropy(
        lib.randn(4, 3, 5, 2, 2), lib.zeros(4, 5, 2, 3, dtype=lib.int64)),
    # a BatchNorm of the wrong width
    "BatchNorm2d": lambda lib: lib.nn.BatchNorm2d(3)(lib.randn(2, 4, 5, 5)),
    "BatchNorm1d": lambda lib: lib.nn.BatchNorm1d(3)(lib.randn(2, 4)),
    "BatchNorm2d eval": lambda lib: lib.nn.BatchNorm2d(3).eval()(lib.randn(2, 4, 5, 5)),
    "BatchNorm2d without running stats": lambda lib: lib.nn.BatchNorm2d(
        3, track_running_stats=False)(lib.randn(2, 4, 5, 5)),
    # recurrent cells given the wrong sizes, and an LSTMCell a bare hidden state
    "RNNCell input width": lambda lib: lib.nn.RNNCell(3, 4)(lib.randn(2, 5)),
    "RNNCell unbatched input width": lambda lib: lib.nn.RNNCell(3, 4)(lib.randn(5)),
    "RNNCell hidden batch": lambda lib: lib.nn.RNNCell(3, 4)(lib.randn(2, 3), lib.zeros(3, 4)),
    "GRUCell hidden width": lambda lib: lib.nn.GRUCell(3, 4)(lib.randn(2, 3), lib.zeros(2, 5)),
    "LSTMCell cell width": lambda lib: lib.nn.LSTMCell(3, 4)(
        lib.randn(2, 3), (lib.zeros(2, 4), lib.zeros(2, 5))),
    "LSTMCell hidden not a tuple": lambda lib: lib.nn.LSTMCell(3, 4)(lib.randn(2, 3),
                                                                     lib.zeros(2, 4)),
    "LSTMCell 3-d input": lambda lib: lib.nn.LSTMCell(3, 4)(lib.randn(2, 3, 1)),
    "RNNCell 3-d hidden": lambda lib: lib.nn.RNNCell(3, 4)(lib.randn(2, 3), lib.zeros(1, 2, 4)),
    # a transposed convolution's output_padding, and arrays torch cannot take
    "ConvTranspose2d output_padding": lambda lib: lib.nn.ConvTranspose2d(
        1, 1, 3, stride=2, output_padding=2)(lib.randn(1, 1, 4, 4)),
    "ConvTranspose1d output_padding": lambda lib: lib.nn.ConvTranspose1d(
        1, 1, 3, stride=2, output_padding=3)(lib.randn(1, 1, 4)),
    "ConvTranspose3d output_padding": lambda lib: lib.nn.ConvTranspose3d(
        1, 1, 3, stride=2, output_padding=2)(lib.randn(1, 1, 4, 4, 4)),
    "output_padding under the dilation": lambda lib: lib.nn.ConvTranspose2d(
        1, 1, 3, dilation=2, output_padding=1)(lib.randn(1, 1, 4, 4)),
    "from_numpy of strings": lambda lib: lib.from_numpy(__import__("numpy").array(["a"])),
    "from_numpy of objects": lambda lib: lib.from_numpy(__import__("numpy").array([None])),
    # torch.tensor of a list holding tensors (each is one number) or lists where numbers go
    "tensor of 1-d tensors": lambda lib: lib.tensor([lib.ones(2), lib.ones(2)]),
    "tensor of one-element tensors": lambda lib: lib.tensor([lib.ones(1), lib.ones(())]),
    "tensor of an empty tensor": lambda lib: lib.tensor([lib.ones(0)]),
    "a list after a float": lambda lib: lib.tensor([3.0, [1.0, 2.0]]),
    "a list after an int": lambda lib: lib.tensor([1, [2]]),
    "a list of floats after an int": lambda lib: lib.tensor([1, [2.5]]),
    "a list after an int, as float32": lambda lib: lib.tensor([1, [2]], dtype=lib.float32),
}


@pytest.mark.parametrize("name", MISTAKES)
def test_a_learners_mistake_is_refused_as_torch_refuses_it(name):
    lib_call = MISTAKES[name]
    run_both(lambda lib: _seeded(lib, lib_call))


def _seeded(lib, call):
    lib.manual_seed(0)     # a Module's initial weights are the same in both
    return call(lib)
