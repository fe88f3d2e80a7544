import torch
from torch import nn

torch.manual_seed(0)
model = nn.Linear(2, 1)
fresh = nn.Linear(2, 1)
fresh.load_state_dict(model.state_dict())
x = torch.ones(3, 2)
a = model(x)
b = fresh(x)
print(torch.equal(a, b))
