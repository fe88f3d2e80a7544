import torch

a = torch.tensor([1, 2])
b = torch.tensor([3, 4])
c = torch.tensor([5, 6])
s = torch.stack([a, b, c])
print(s.shape)
