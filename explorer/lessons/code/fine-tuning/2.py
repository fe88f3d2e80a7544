import torch
from torch import nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
model[0].requires_grad_(False)
trainable = [p for p in model.parameters() if p.requires_grad]
opt = torch.optim.SGD(trainable, lr=0.1)
before = model[0].weight.clone()
model(torch.ones(1, 4)).sum().backward()
opt.step()
print(len(trainable), torch.equal(before, model[0].weight))
