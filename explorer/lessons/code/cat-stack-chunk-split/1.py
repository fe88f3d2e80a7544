import torch

a = torch.zeros(2, 3)
b = torch.ones(2, 3)
print(torch.cat([a, b]).shape)
print(torch.cat([a, b], dim=1).shape)
s = torch.stack([a, b])
print(s.shape)
print(torch.stack([a, b], dim=2).shape)
