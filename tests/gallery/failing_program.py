"""A model that fails on its last line: a bias of the wrong shape."""
import torch

torch.manual_seed(0)
x = torch.randn(4, 3)
w = torch.randn(3, 5, requires_grad=True)
h = torch.relu(x @ w)
b = torch.zeros(4, requires_grad=True)
out = h + b
