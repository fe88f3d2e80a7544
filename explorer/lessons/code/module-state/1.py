import torch
from torch import nn


class Norm(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.register_parameter("scale", nn.Parameter(torch.ones(n)))
        self.register_buffer("mean", torch.zeros(n))

    def forward(self, x):
        return (x - self.mean) * self.scale

m = Norm(2)
print([n for n, _ in m.named_parameters()], [n for n, _ in m.named_buffers()])
print(list(m.state_dict()))
out = m(torch.ones(1, 2))
