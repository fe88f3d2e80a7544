import torch
from torch import nn


class Affine(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(n))
        self.shift = nn.Parameter(torch.zeros(n))

    def forward(self, x):
        return x * self.scale + self.shift

layer = Affine(3)
print([(name, p.shape) for name, p in layer.named_parameters()])
out = layer(torch.tensor([[1.0, 2.0, 3.0]]))
print(out)
