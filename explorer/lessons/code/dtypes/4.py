import torch

i = torch.tensor([1, 2, 3])
f = torch.tensor([0.5, 1.5])
print(i.type_as(f))
torch.set_default_dtype(torch.float64)
d = torch.tensor([1.0, 2.0])
print(d.dtype, torch.ones(1).dtype)
torch.set_default_dtype(torch.float32)
print(torch.tensor([1.0]).dtype, d.dtype)
