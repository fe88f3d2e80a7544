import torch

x = torch.ones(2, 3, dtype=torch.float64)
z = torch.zeros(3)
print(z.shape, z.dtype)
