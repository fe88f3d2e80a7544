import torch
import torch.nn.functional as F
from torch import nn

x = torch.tensor([-1.0, 0.0, 2.0], requires_grad=True)
a = nn.ReLU()(x)
b = F.relu(x)
print(torch.equal(a, b), a.grad_fn.name(), b.grad_fn.name())
lin = nn.Linear(3, 1)
c = F.linear(x, lin.weight, lin.bias)
print(torch.equal(c, lin(x)))
