import torch
from torch import nn

pred = torch.tensor([0.5, 2.0, 1.0], requires_grad=True)
true = torch.tensor([1.0, 1.0, 1.0])
l1 = nn.L1Loss()(pred, true)
mse = nn.MSELoss()(pred, true)
print(l1, mse)
p = torch.tensor([0.9, 0.2])
bce = nn.BCELoss()(p, torch.tensor([1.0, 0.0]))
print(bce, nn.BCEWithLogitsLoss()(torch.tensor([2.0]), torch.tensor([1.0])))
(l1 + mse).backward()
