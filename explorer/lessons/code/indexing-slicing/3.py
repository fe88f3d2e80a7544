import torch

x = torch.arange(12).view(3, 4)
mask = x > 8
print(mask)
picked = x[mask]
print(picked)
rows = x[[0, 2]]
rows[0, 0] = -1
print(rows)
print(x[0])
x[x % 2 == 0] = 0
print(x)
