import torch
from torch import nn

torch.manual_seed(0)
mlp = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 1))
print(mlp)
x = torch.tensor([[1.0, -1.0], [0.5, 2.0]])
out = mlp(x)
print(out)
print(sum(p.numel() for p in mlp.parameters()))
