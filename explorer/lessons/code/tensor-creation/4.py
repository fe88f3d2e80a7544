import torch

torch.manual_seed(0)
n = torch.normal(mean=0.0, std=2.0, size=(2, 3))
p = torch.randperm(5)
e = torch.empty(2, 3)
old = torch.FloatTensor(2, 2)
data = torch.Tensor([1, 2])
print(n)
print(p)
print(e.shape, old.shape, old.dtype)
print(data, data.dtype)
