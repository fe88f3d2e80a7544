import torch
from torch import nn

model = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 1))
opt = torch.optim.Adam([{"params": model[0].parameters()},
                        {"params": model[1].parameters(), "lr": 0.01}], lr=0.1)
print([g["lr"] for g in opt.param_groups])
lrs = torch.zeros(12)
for step in range(12):
    opt.zero_grad()
    model(torch.ones(1, 2)).sum().backward()
    opt.step()
    lrs[step] = opt.param_groups[0]["lr"]
    for group in opt.param_groups:
        group["lr"] *= 0.5 if step % 4 == 3 else 1.0
print([g["lr"] for g in opt.param_groups])
