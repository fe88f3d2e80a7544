import torch

v = torch.arange(6).view(2, 3)
t = v.t()
print(t)
print(t.stride(), t.is_contiguous())
c = t.contiguous()
print(c.stride(), c.is_contiguous())
