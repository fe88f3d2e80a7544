"""nn layers against real torch: same seed gives the same initial weights, the same outputs,
gradients and grad_fn names, the same print(model) text and state_dict keys."""
import numpy as np
import pytest
import torch

import engine
from difftest import assert_same, assert_same_tensor, run_both


def build_and_run(make, make_input, *, train: bool = True):
    """fn(lib) building a layer from the seeded generator and running it forward."""
    def program(lib):
        lib.manual_seed(0)
        layer = make(lib)
        layer.train(train)
        x = make_input(lib)
        out = layer(*x) if isinstance(x, tuple) else layer(x)
        first = out[0] if isinstance(out, tuple) else out
        # Not a plain sum: normalization layers have ~0 gradient for a sum (or sum of squares).
        loss = None
        if first.dtype.is_floating_point:
            ramp = lib.linspace(-1, 2, first.numel()).view(first.shape)
            loss = (first * (first + ramp)).sum()
        if loss is not None and loss.requires_grad:
            loss.backward()
        grads = [p.grad for _, p in layer.named_parameters()]
        return [repr(layer), list(layer.state_dict().keys()), out, grads,
                [p for _, p in layer.named_parameters()]]
    return program


def x2(lib):
    return lib.randn(4, 3, requires_grad=True)


def img(lib):
    return lib.randn(2, 3, 7, 7, requires_grad=True)


def seq(lib):
    return lib.randn(2, 5, 3)


LAYERS = {
    "linear": (lambda nn: nn.Linear(3, 2), x2),
    "linear_nobias": (lambda nn: nn.Linear(3, 2, bias=False), x2),
    "linear_3d": (lambda nn: nn.Linear(3, 2), lambda lib: lib.randn(5, 4, 3)),
    "bilinear": (lambda nn: nn.Bilinear(3, 3, 2), lambda lib: (lib.randn(4, 3), lib.randn(4, 3))),
    "identity": (lambda nn: nn.Identity(), x2),
    "flatten": (lambda nn: nn.Flatten(), img),
    "conv2d": (lambda nn: nn.Conv2d(3, 4, 3), img),
    "conv2d_stride_pad": (lambda nn: nn.Conv2d(3, 4, 3, stride=2, padding=1), img),
    "conv2d_dilation": (lambda nn: nn.Conv2d(3, 2, 3, dilation=2, bias=False), img),
    "conv2d_groups": (lambda nn: nn.Conv2d(3, 6, (3, 2), groups=3), img),
    "conv1d": (lambda nn: nn.Conv1d(5, 4, 2), seq),
    "conv1d_same": (lambda nn: nn.Conv1d(5, 4, 3, padding="same"), seq),
    "conv3d": (lambda nn: nn.Conv3d(3, 2, (2, 3, 2), stride=(1, 2, 1), padding=1), vol := (
        lambda lib: lib.randn(2, 3, 4, 5, 4, requires_grad=True))),
    "conv_transpose1d": (lambda nn: nn.ConvTranspose1d(5, 4, 3, stride=2), seq),
    "conv_transpose2d": (lambda nn: nn.ConvTranspose2d(3, 4, 3, stride=2, padding=1,
                                                       output_padding=1), img),
    "conv_transpose2d_groups": (lambda nn: nn.ConvTranspose2d(3, 6, 2, groups=3), img),
    "conv_transpose3d": (lambda nn: nn.ConvTranspose3d(3, 2, 2, stride=2), vol),
    "maxpool3d": (lambda nn: nn.MaxPool3d(2, ceil_mode=True), vol),
    "avgpool3d": (lambda nn: nn.AvgPool3d(3, 2, 1, count_include_pad=False), vol),
    "adaptive_max_2d": (lambda nn: nn.AdaptiveMaxPool2d((3, 4)), img),
    "batchnorm3d": (lambda nn: nn.BatchNorm3d(3), vol),
    "instancenorm1d": (lambda nn: nn.InstanceNorm1d(5), seq),
    "instancenorm2d_affine": (lambda nn: nn.InstanceNorm2d(3, affine=True), img),
    "maxpool2d": (lambda nn: nn.MaxPool2d(2), img),
    "maxpool2d_stride_pad": (lambda nn: nn.MaxPool2d(3, 2, 1), img),
    "maxpool2d_ceil": (lambda nn: nn.MaxPool2d(2, ceil_mode=True), img),
    "avgpool2d": (lambda nn: nn.AvgPool2d(2), img),
    "avgpool2d_pad": (lambda nn: nn.AvgPool2d(3, 2, 1), img),
    "adaptive_avg_1": (lambda nn: nn.AdaptiveAvgPool2d(1), img),
    "adaptive_avg_3": (lambda nn: nn.AdaptiveAvgPool2d((3, 2)), img),
    "batchnorm1d": (lambda nn: nn.BatchNorm1d(3), x2),
    "batchnorm2d": (lambda nn: nn.BatchNorm2d(3), img),
    "layernorm": (lambda nn: nn.LayerNorm(3), x2),
    "layernorm_2d": (lambda nn: nn.LayerNorm([7, 7]), img),
    "dropout": (lambda nn: nn.Dropout(0.3), lambda lib: lib.randn(40, 5)),
    "embedding": (lambda nn: nn.Embedding(10, 3), lambda lib: lib.tensor([[1, 2], [4, 9]])),
    "embedding_pad": (lambda nn: nn.Embedding(10, 3, padding_idx=0),
                      lambda lib: lib.tensor([0, 2, 0, 5])),
    "rnncell": (lambda nn: nn.RNNCell(3, 4), x2),
    "rnncell_relu": (lambda nn: nn.RNNCell(3, 4, nonlinearity="relu"), x2),
    "lstmcell": (lambda nn: nn.LSTMCell(3, 4), x2),
    "grucell": (lambda nn: nn.GRUCell(3, 4), x2),
    "rnn": (lambda nn: nn.RNN(3, 4, batch_first=True), seq),
    "rnn_2layers": (lambda nn: nn.RNN(3, 4, num_layers=2), seq),
    "gru": (lambda nn: nn.GRU(3, 4, batch_first=True), seq),
    "gru_bidirectional": (lambda nn: nn.GRU(3, 4, bidirectional=True), seq),
    "lstm": (lambda nn: nn.LSTM(3, 4, batch_first=True), seq),
    "relu": (lambda nn: nn.ReLU(), x2),
    "leaky_relu": (lambda nn: nn.LeakyReLU(0.2), x2),
    "elu": (lambda nn: nn.ELU(), x2),
    "selu": (lambda nn: nn.SELU(), x2),
    "gelu": (lambda nn: nn.GELU(), x2),
    "gelu_tanh": (lambda nn: nn.GELU("tanh"), x2),
    "sigmoid": (lambda nn: nn.Sigmoid(), x2),
    "tanh": (lambda nn: nn.Tanh(), x2),
    "softmax": (lambda nn: nn.Softmax(dim=1), x2),
    "log_softmax": (lambda nn: nn.LogSoftmax(dim=1), x2),
    "softplus": (lambda nn: nn.Softplus(), x2),
    "silu": (lambda nn: nn.SiLU(), x2),
    "sequential": (lambda nn: nn.Sequential(nn.Linear(3, 5), nn.ReLU(), nn.Linear(5, 2)), x2),
}
# LSTM runs as one fused kernel in PyTorch (MkldnnRnnLayerBackward0); we build it from cells.
FUSED_IN_TORCH = {"lstm"}


@pytest.mark.parametrize("name", LAYERS)
@pytest.mark.parametrize("train", [True, False])
def test_layer_matches_torch(name, train):
    make, make_input = LAYERS[name]
    program = build_and_run(lambda lib: make(lib.nn), make_input, train=train)
    if name in FUSED_IN_TORCH:
        t_res, e_res = program(torch), program(engine)
        for a, b in zip(e_res[3] + e_res[4], t_res[3] + t_res[4]):
            assert_same_tensor(a, b, where=name)
        np.testing.assert_allclose(e_res[2][0].detach().numpy(), t_res[2][0].detach().numpy(),
                                   rtol=1e-5, atol=1e-6)
        assert e_res[:2] == t_res[:2]
        return
    run_both(program)


def test_batchnorm_running_stats_follow_torch():
    def program(lib):
        lib.manual_seed(1)
        bn = lib.nn.BatchNorm2d(3, momentum=None)
        for _ in range(3):
            bn(lib.randn(4, 3, 2, 2) * 3 + 1)
        bn.eval()
        return [bn.running_mean, bn.running_var, bn.num_batches_tracked, bn(lib.randn(2, 3, 2, 2))]
    run_both(program)


def test_module_registration_and_iteration_match_torch():
    def program(lib):
        nn = lib.nn

        class Block(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(2, 2)
                self.register_buffer("steps", lib.zeros(1))
                self.register_buffer("scratch", lib.ones(2), persistent=False)
                self.scale = nn.Parameter(lib.ones(1))
                self.plain = 3

            def forward(self, x):
                return self.fc(x) * self.scale

        lib.manual_seed(0)
        model = nn.Sequential(Block(), nn.ReLU(), Block())
        model.add_module("head", nn.Linear(2, 1))
        model.append(nn.Sigmoid())
        return [repr(model), [n for n, _ in model.named_parameters()],
                [n for n, _ in model.named_buffers()], list(model.state_dict().keys()),
                [n for n, _ in model.named_modules()], [type(c).__name__ for c in model.children()],
                repr(model[0]), repr(model[1:3]), len(model), model.training,
                model.eval().training, [m.training for m in model.modules()],
                model(lib.ones(3, 2))]
    run_both(program)


def test_module_list_and_dict_print_like_torch():
    def program(lib):
        nn = lib.nn
        lib.manual_seed(0)
        layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)] + [nn.ReLU()])
        heads = nn.ModuleDict({"a": nn.Linear(2, 1), "b": nn.Tanh()})
        holder = nn.Module()
        holder.layers, holder.heads = layers, heads
        return [repr(layers), repr(heads), repr(holder), [n for n, _ in holder.named_parameters()]]
    run_both(program)


def test_load_state_dict_strict_messages_match_torch():
    def program(lib):
        lib.manual_seed(0)
        model = lib.nn.Sequential(lib.nn.Linear(2, 3), lib.nn.Linear(3, 1))
        state = model.state_dict()
        state.pop("1.bias")
        state["extra.weight"] = lib.zeros(1)
        return model.load_state_dict(state)
    run_both(program)

    def non_strict(lib):
        model = lib.nn.Linear(2, 3)
        return repr(model.load_state_dict({"weight": lib.ones(3, 2), "bogus": lib.ones(1)},
                                          strict=False))
    run_both(non_strict)

    def size_mismatch(lib):
        return lib.nn.Linear(2, 3).load_state_dict({"weight": lib.ones(2, 2),
                                                    "bias": lib.ones(3)})
    run_both(size_mismatch)


def test_zero_grad_requires_grad_apply_and_to_match_torch():
    def program(lib):
        lib.manual_seed(0)
        model = lib.nn.Sequential(lib.nn.Linear(2, 2), lib.nn.Linear(2, 1))
        model(lib.ones(1, 2)).sum().backward()
        model.zero_grad()
        after_zero = [p.grad for p in model.parameters()]
        model[0].requires_grad_(False)
        flags = [p.requires_grad for p in model.parameters()]
        model.apply(lambda m: lib.nn.init.constant_(m.bias, 0.5)
                    if isinstance(m, lib.nn.Linear) else None)
        model.double()
        return [after_zero, flags, model[1].bias, model[0].weight.dtype,
                model(lib.ones(1, 2, dtype=lib.float64))]
    run_both(program)


def test_forward_hooks_run_like_torch():
    def program(lib):
        lib.manual_seed(0)
        layer = lib.nn.Linear(2, 2)
        seen = []
        handle = layer.register_forward_hook(lambda m, inp, out: seen.append(out.shape))
        layer.register_forward_pre_hook(lambda m, inp: (inp[0] * 2,))
        out1 = layer(lib.ones(1, 2))
        handle.remove()
        layer(lib.ones(3, 2))
        return [out1, seen]
    run_both(program)


@pytest.mark.parametrize("init_name,args", [
    ("uniform_", (-0.1, 0.1)), ("normal_", (0.0, 0.02)), ("constant_", (0.3,)), ("ones_", ()),
    ("zeros_", ()), ("eye_", ()), ("xavier_uniform_", ()), ("xavier_normal_", ()),
    ("kaiming_uniform_", ()), ("kaiming_normal_", ()),
])
def test_init_functions_match_torch(init_name, args):
    def program(lib):
        lib.manual_seed(0)
        w = lib.empty(4, 5)
        getattr(lib.nn.init, init_name)(w, *args)
        return w
    run_both(program)


@pytest.mark.parametrize("nonlinearity", ["linear", "tanh", "relu", "leaky_relu", "selu"])
def test_calculate_gain_matches_torch(nonlinearity):
    run_both(lambda lib: lib.nn.init.calculate_gain(nonlinearity))


def test_parameter_prints_and_behaves_like_torch():
    run_both(lambda lib: [repr(lib.nn.Parameter(lib.ones(2))),
                          lib.nn.Parameter(lib.ones(2)).requires_grad,
                          lib.nn.Parameter(lib.ones(2), requires_grad=False).requires_grad,
                          lib.nn.Parameter(lib.ones(2)).is_leaf,
                          isinstance(lib.nn.Parameter(lib.ones(1)), lib.Tensor)])


def test_setting_a_non_parameter_on_a_parameter_slot_errors_like_torch():
    def program(lib):
        layer = lib.nn.Linear(2, 2)
        layer.weight = lib.ones(2, 2)
    run_both(program)


def test_dropout_masks_equal_torch_in_train_and_identity_in_eval():
    def program(lib):
        lib.manual_seed(5)
        drop = lib.nn.Dropout(0.25)
        x = lib.ones(6, 7, requires_grad=True)
        y = drop(x)
        y.sum().backward()
        drop.eval()
        return [y, x.grad, drop(lib.ones(2, 2))]
    run_both(program)
    assert_same(engine.nn.Dropout().eval()(engine.ones(3)), torch.nn.Dropout().eval()(torch.ones(3)))


@pytest.mark.parametrize("cell", ["RNNCell", "LSTMCell", "GRUCell"])
def test_rnn_cells_pass_gradcheck(cell):
    engine.manual_seed(0)
    layer = getattr(engine.nn, cell)(3, 2).double()
    x = engine.randn(4, 3, dtype=engine.float64, requires_grad=True)
    h = engine.randn(4, 2, dtype=engine.float64, requires_grad=True)
    state = (h, h * 0.5) if cell == "LSTMCell" else h
    params = tuple(layer.parameters())

    def run(x, h, *weights):
        out = layer(x, (h, h * 0.5) if cell == "LSTMCell" else h)
        return out[0] if isinstance(out, tuple) else out

    assert engine.autograd.gradcheck(run, (x, h) + params)
    assert layer(x, state) is not None


@pytest.mark.parametrize("loss", ["cross_entropy", "l1_loss", "cross_entropy_smoothing",
                                  "cross_entropy_probs"])
def test_composite_losses_pass_gradcheck(loss):
    engine.manual_seed(0)
    x = engine.randn(4, 3, dtype=engine.float64, requires_grad=True)
    F = engine.nn.functional
    fns = {
        "cross_entropy": lambda x: F.cross_entropy(x, engine.tensor([0, 2, 1, 2])),
        "cross_entropy_smoothing": lambda x: F.cross_entropy(x, engine.tensor([0, 2, 1, 2]),
                                                             label_smoothing=0.2),
        "cross_entropy_probs": lambda x: F.cross_entropy(
            x, engine.tensor([[0.2, 0.3, 0.5]] * 4, dtype=engine.float64)),
        "l1_loss": lambda x: F.l1_loss(x, engine.zeros(4, 3, dtype=engine.float64)),
    }
    assert engine.autograd.gradcheck(fns[loss], (x,))


def test_a_child_named_like_a_private_field_does_not_pose_as_one():
    """add_module("_data", m) let a Module answer the engine's own reads of a tensor's private
    fields (t._data) (ninth outside attack). The child still lives at its path, as in torch;
    only attribute lookup of such a name no longer finds it."""
    import engine
    m = engine.nn.Module()
    m.add_module("_data", engine.nn.Identity())
    assert [name for name, _ in m.named_children()] == ["_data"]
    assert isinstance(m.get_submodule("_data"), engine.nn.Identity)
    with pytest.raises(AttributeError):
        getattr(m, "_data")
