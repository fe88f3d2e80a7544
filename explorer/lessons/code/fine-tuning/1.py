import torch
from torch import nn

torch.manual_seed(0)
backbone = nn.Sequential(nn.Linear(4, 8), nn.ReLU())
model = nn.Sequential(backbone, nn.Linear(8, 3))
for p in backbone.parameters():
    p.requires_grad_(False)
model[1] = nn.Linear(8, 2)
print([n for n, p in model.named_parameters() if p.requires_grad])
out = model(torch.ones(1, 4)).sum()
out.backward()
print(model[0][0].weight.grad, model[1].weight.grad.shape)
