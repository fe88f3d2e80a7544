import torch

i = torch.tensor([1, 2])
f = torch.tensor([1.0, 2.0])
b = torch.tensor([True, False])
h = torch.tensor([1.0, 2.0], dtype=torch.float16)
print(i.dtype, f.dtype, b.dtype)
print(h, h.element_size())
print(torch.get_default_dtype())
