import torch
from torch import nn

pred = torch.tensor([0.5, 2.0, 1.0])
true = torch.tensor([1.0, 1.0, 1.0])
loss = nn.MSELoss()(pred, true)
reference = ((pred - true) ** 2).mean()
print(loss, reference)
