import torch

x = torch.arange(6).view(2, 3)
t = x.t()
c = t.contiguous()
flat = c.view(6)
print(flat)
