import torch

row = torch.tensor([1, 2, 3])
grid = torch.zeros(2, 3)
e = row.expand_as(grid)
r = row.repeat(2, 1)
print(e.stride(), r.stride())
row[0] = 100
print(e[1], r[1])
