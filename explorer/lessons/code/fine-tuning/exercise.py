import torch
from torch import nn

model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
first = model[0].weight
last = model[2].weight
print(first.requires_grad, last.requires_grad)
