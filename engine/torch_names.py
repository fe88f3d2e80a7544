"""Classes print as torch's: `type(x)` is `<class 'torch.Tensor'>`, a layer is
`torch.nn.modules.linear.Linear`, an optimizer `torch.optim.adamw.AdamW`.

The engine's own module layout differs from torch's, so each public class takes the module
path torch gives it (tests/test_diff_api_coverage.py checks this table against torch)."""
from __future__ import annotations

import sys

TORCH_MODULES: dict[str, tuple[str, ...]] = {
    "torch": ("Tensor", "Size", "device", "dtype", "finfo", "iinfo", "memory_format"),
    "torch._C": ("Generator",),
    "torch.storage": ("UntypedStorage",),
    "torch.autograd.anomaly_mode": ("detect_anomaly", "set_detect_anomaly"),
    "torch.autograd.function": ("Function",),
    "torch.autograd.grad_mode": ("enable_grad", "inference_mode", "no_grad",
                                 "set_grad_enabled"),
    "torch.autograd.variable": ("Variable",),
    "torch.nn.modules.module": ("Module",),
    "torch.nn.modules.activation": ("ELU", "GELU", "Hardtanh", "LeakyReLU", "LogSoftmax", "ReLU",
                                    "ReLU6", "SELU", "SiLU", "Sigmoid", "Softmax", "Softmin",
                                    "Softplus", "Tanh", "MultiheadAttention"),
    "torch.nn.modules.batchnorm": ("BatchNorm1d", "BatchNorm2d", "BatchNorm3d"),
    "torch.nn.modules.container": ("ModuleDict", "ModuleList", "Sequential"),
    "torch.nn.modules.conv": ("Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d",
                              "ConvTranspose3d"),
    "torch.nn.modules.dropout": ("Dropout", "Dropout2d"),
    "torch.nn.modules.flatten": ("Flatten", "Unflatten"),
    "torch.nn.modules.instancenorm": ("InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d"),
    "torch.nn.modules.linear": ("Bilinear", "Identity", "Linear",
                                "NonDynamicallyQuantizableLinear"),
    "torch.nn.modules.loss": ("BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "L1Loss",
                              "MSELoss", "NLLLoss", "SmoothL1Loss"),
    "torch.nn.modules.normalization": ("LayerNorm", "GroupNorm"),
    "torch.nn.modules.pooling": ("AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveMaxPool2d",
                                 "AvgPool1d", "AvgPool2d", "AvgPool3d", "MaxPool1d", "MaxPool2d",
                                 "MaxPool3d"),
    "torch.nn.modules.rnn": ("GRU", "GRUCell", "LSTM", "LSTMCell", "RNN", "RNNBase", "RNNCell"),
    "torch.nn.modules.sparse": ("Embedding",),
    "torch.nn.modules.upsampling": ("Upsample",),
    "torch.nn.parameter": ("Buffer", "Parameter"),
    "torch.optim.optimizer": ("Optimizer",),
    "torch.optim.adadelta": ("Adadelta",),
    "torch.optim.adagrad": ("Adagrad",),
    "torch.optim.adam": ("Adam",),
    "torch.optim.adamw": ("AdamW",),
    "torch.optim.lbfgs": ("LBFGS",),
    "torch.optim.rmsprop": ("RMSprop",),
    "torch.optim.sgd": ("SGD",),
    "torch.optim.lr_scheduler": ("CosineAnnealingLR", "ExponentialLR", "LRScheduler", "StepLR"),
    "torch.utils.data.dataloader": ("DataLoader",),
    "torch.utils.data.dataset": ("ConcatDataset", "Dataset", "Subset", "TensorDataset"),
    "torch.utils.data.sampler": ("BatchSampler", "RandomSampler", "Sampler", "SequentialSampler"),
}

# Where the engine keeps them: the first of these namespaces that has the name.
_NAMESPACES = ("engine", "engine.nn", "engine.optim", "engine.optim.lr_scheduler",
               "engine.utils.data", "engine.autograd", "engine.nn.modules.layers")


def name_classes_as_torch() -> None:
    """Give every class in TORCH_MODULES torch's module path (the engine has it loaded)."""
    for torch_module, names in TORCH_MODULES.items():
        for name in names:
            cls = next(vars(sys.modules[ns])[name] for ns in _NAMESPACES
                       if name in vars(sys.modules[ns]))
            cls.__module__ = torch_module
