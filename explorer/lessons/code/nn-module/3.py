import torch
from torch import nn

torch.manual_seed(0)
cell = nn.RNNCell(input_size=2, hidden_size=3)
xs = torch.tensor([[[1.0, 0.0]], [[0.0, 1.0]], [[1.0, 1.0]]])
h = torch.zeros(1, 3)
for x in xs:
    h = cell(x, h)
print(h)
print(h.grad_fn.name())
