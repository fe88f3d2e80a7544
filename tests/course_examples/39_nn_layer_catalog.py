"""A tour of the torch.nn layer families listed in the course (conv 1d/2d/3d, pooling, activations, normalisation, RNN/LSTM/GRU, linear, losses): repr and output shapes.
Source: 000_3d20c0090dd74e97.txt sections "torch.nn中的計算功能" (table of layer types) and "torch.nn.functional" (conv_transpose, pooling functions)."""
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
cases = [
    (nn.Conv1d(2, 4, kernel_size=3), (1, 2, 10)),
    (nn.Conv2d(2, 4, kernel_size=3, padding=1), (1, 2, 6, 6)),
    (nn.Conv3d(2, 4, kernel_size=3), (1, 2, 5, 5, 5)),
    (nn.ConvTranspose2d(2, 4, kernel_size=2, stride=2), (1, 2, 3, 3)),
    (nn.MaxPool1d(2), (1, 2, 10)),
    (nn.MaxPool2d(2), (1, 2, 6, 6)),
    (nn.MaxPool3d(2), (1, 2, 4, 4, 4)),
    (nn.AvgPool1d(2), (1, 2, 10)),
    (nn.AvgPool2d(3, stride=1), (1, 2, 6, 6)),
    (nn.AvgPool3d(2), (1, 2, 4, 4, 4)),
    (nn.BatchNorm1d(4), (3, 4)),
    (nn.BatchNorm2d(2), (3, 2, 4, 4)),
    (nn.BatchNorm3d(2), (3, 2, 2, 2, 2)),
    (nn.InstanceNorm1d(2), (3, 2, 8)),
    (nn.InstanceNorm2d(2), (3, 2, 4, 4)),
    (nn.InstanceNorm3d(2), (3, 2, 2, 2, 2)),
    (nn.ELU(), (2, 3)),
    (nn.ReLU(), (2, 3)),
    (nn.SELU(), (2, 3)),
    (nn.Sigmoid(), (2, 3)),
    (nn.Tanh(), (2, 3)),
    (nn.Linear(3, 5), (2, 3)),
]
for layer, shape in cases:
    out = layer(torch.randn(*shape))
    n_params = sum(p.numel() for p in layer.parameters())
    print(layer, tuple(out.shape), n_params)

# Recurrent layers return (output, hidden state).
seq = torch.randn(2, 7, 3)                 # batch, time, features
rnn = nn.RNN(3, 5, batch_first=True)
out, h = rnn(seq)
print(rnn, tuple(out.shape), tuple(h.shape))
lstm = nn.LSTM(3, 5, num_layers=2, batch_first=True)
out, (h, c) = lstm(seq)
print(lstm, tuple(out.shape), tuple(h.shape), tuple(c.shape))
gru = nn.GRU(3, 5, batch_first=True)
out, h = gru(seq)
print(gru, tuple(out.shape), tuple(h.shape))
print([name for name, _ in lstm.named_parameters()][:4])

# Functional counterparts.
x = torch.randn(1, 2, 4, 4)
print(F.avg_pool1d(torch.randn(1, 1, 6), 2).shape, F.max_pool3d(torch.randn(1, 1, 4, 4, 4), 2).shape)
print(F.conv_transpose2d(x, torch.randn(2, 3, 2, 2), stride=2).shape)
print(F.conv_transpose1d(torch.randn(1, 2, 4), torch.randn(2, 1, 3)).shape)
print(F.conv3d(torch.randn(1, 1, 3, 3, 3), torch.randn(2, 1, 2, 2, 2)).shape)
print(F.batch_norm(x, torch.zeros(2), torch.ones(2)).shape)

# Loss modules.
print(nn.L1Loss(), nn.MSELoss(), nn.CrossEntropyLoss())
