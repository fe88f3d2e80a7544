import torch

x = torch.arange(12).view(3, 4)
pairs = x[[0, 2], [1, 3]]
rows = x[[0, 2]]
print(pairs)
print(rows)
pairs[0] = 100
print(x[0, 1])
