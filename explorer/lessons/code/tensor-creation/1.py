import torch

a = torch.tensor([[1, 2], [3, 4]])
b = torch.tensor([1.0, 2.5])
print(a, a.dtype, a.shape)
print(b, b.dtype, b.shape)
s = torch.tensor(7.0)
print(s, s.dim(), s.item())
