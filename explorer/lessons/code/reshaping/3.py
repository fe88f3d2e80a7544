import torch

x = torch.arange(6.0)
x.resize_(2, 2)
print(x)
y = torch.arange(3.0)
y.resize_(2, 3)
print(y.shape, y[0])
