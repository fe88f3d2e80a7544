import torch
from torch import nn

model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
first = model[0].weight
last = model[2].weight
out = model(torch.ones(1, 4))
print(first.requires_grad, last.requires_grad, out.requires_grad)
