import torch

x = torch.ones(2, 3)
row = x[0]
x.mul_(2)
print(row)
