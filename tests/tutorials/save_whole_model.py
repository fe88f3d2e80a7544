"""Saving and loading a whole model and NumPy values (the recipe's other options): since
PyTorch 2.6 torch.load refuses them by default; the state_dict way works."""
import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(3, 2), nn.Tanh())
torch.save(model, "model.pt")
try:
    torch.load("model.pt")
except Exception as e:
    print(type(e).__name__, str(e).splitlines()[0])
torch.save({"mean": np.array([0.5, 0.25]), "epoch": 3}, "stats.pt")
try:
    torch.load("stats.pt")
except Exception as e:
    print(type(e).__name__, str(e).splitlines()[-1][:60])
torch.save(model.state_dict(), "weights.pt")
fresh = nn.Sequential(nn.Linear(3, 2), nn.Tanh())
print(fresh.load_state_dict(torch.load("weights.pt")))
print(torch.equal(fresh[0].weight, model[0].weight))
print(type(model), type(torch.optim.SGD(model.parameters(), lr=0.1)))
