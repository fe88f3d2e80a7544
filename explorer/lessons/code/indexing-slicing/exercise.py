import torch

x = torch.arange(12).view(3, 4)
last = x[:, [3]]
print(last)
