import torch

i = torch.tensor([1, 2, 3])
f = torch.tensor([0.5, 0.5, 0.5], dtype=torch.float64)
total = i + f.float()
print(total.dtype)
