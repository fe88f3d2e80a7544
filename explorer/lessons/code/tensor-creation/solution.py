import torch

x = torch.ones(2, 3, dtype=torch.float64)
z = torch.zeros_like(x)
print(z.shape, z.dtype)
