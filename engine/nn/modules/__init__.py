"""The layer classes of torch.nn."""
from .activation import (ELU, GELU, SELU, Hardtanh, LeakyReLU, LogSoftmax, ReLU, ReLU6, Sigmoid,
                         SiLU, Softmax, Softmin, Softplus, Tanh)
from .container import ModuleDict, ModuleList, Sequential
from .layers import (AdaptiveAvgPool1d, AdaptiveAvgPool2d, AvgPool1d, AvgPool2d, BatchNorm1d,
                     BatchNorm2d, Bilinear, Conv1d, Conv2d, Dropout, Embedding, Flatten, Identity,
                     LayerNorm, Linear, MaxPool1d, MaxPool2d, Unflatten)
from .loss import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss,
                   SmoothL1Loss)
from .rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNBase, RNNCell

__all__ = [name for name in dir() if name[0].isupper()]
