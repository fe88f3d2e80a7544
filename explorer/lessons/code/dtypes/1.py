import torch

print(torch.tensor([1, 2]).dtype)
print(torch.tensor([1.0, 2.0]).dtype)
print(torch.tensor([True, False]).dtype)
h = torch.tensor([1.0, 2.0], dtype=torch.float16)
print(h, h.element_size())
print(torch.get_default_dtype())
