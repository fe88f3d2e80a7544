import torch
from torch import nn

model = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 1))
opt = torch.optim.Adam([
    {"params": model[0].parameters()},
    {"params": model[1].parameters(), "lr": 0.01}], lr=0.1)
print([g["lr"] for g in opt.param_groups])
for group in opt.param_groups:
    group["lr"] *= 0.5
print([g["lr"] for g in opt.param_groups])
loss = model(torch.ones(1, 2)).sum()
loss.backward()
opt.step()
