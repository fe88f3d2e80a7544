import torch

x = torch.ones(3)
print(x._version)
y = x.add_(2)
print(x, y is x, x._version)
z = x.add(2)
print(x, z, x._version)
