import torch

a = torch.ones(2, 3)
b = torch.tensor([1.0, 2.0]).view(2, 1)
c = a + b
print(c)
