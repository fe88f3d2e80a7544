import torch

print(torch.zeros(2, 3))
print(torch.ones(2, dtype=torch.int64))
print(torch.arange(0, 10, 3))
print(torch.linspace(0, 1, 5))
print(torch.eye(3))
x = torch.full((2, 2), 0.5, dtype=torch.float64)
like = torch.ones_like(x)
new = x.new_zeros(3)
print(like, new)
