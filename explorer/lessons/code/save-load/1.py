import torch
from torch import nn

torch.manual_seed(0)
model = nn.Linear(2, 1)
state = model.state_dict()
print(list(state), state["weight"].requires_grad)
w = state["weight"]
with torch.no_grad():
    model.weight.add_(1)
print(torch.equal(w, model.weight))
copy = nn.Linear(2, 1)
copy.load_state_dict(state)
print(torch.equal(copy.weight, model.weight))
