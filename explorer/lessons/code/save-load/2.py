import torch
from torch import nn

torch.manual_seed(0)
model = nn.Linear(2, 1)
torch.save(model.state_dict(), "linear.pt")
state = torch.load("linear.pt")
copy = nn.Linear(2, 1)
print(copy.load_state_dict(state))
w = state["weight"]
print(torch.equal(copy.weight, model.weight), w.requires_grad)
