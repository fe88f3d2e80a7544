import torch
from torch import nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5))
x = torch.ones(1, 4)
model.train()
print(model.training, torch.equal(model(x), model(x)))
print(sorted(set(nn.Dropout(0.5)(torch.ones(100)).tolist())))
model.eval()
out = model(x)
print(model.training, torch.equal(out, model(x)), out.requires_grad)
with torch.no_grad():
    print(model(x).requires_grad)
