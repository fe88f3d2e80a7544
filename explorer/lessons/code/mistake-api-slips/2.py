import torch

x = torch.ones(2, 3)
print(x.size())
rows, cols = x.shape()
