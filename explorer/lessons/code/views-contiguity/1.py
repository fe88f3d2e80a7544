import torch

x = torch.arange(6)
v = x.view(2, 3)
v[0, 0] = 100
print(x)
print(v.shape, v.stride())
print(x.view(3, -1).shape)
