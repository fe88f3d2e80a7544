import torch

x = torch.arange(6).view(2, 3)
t = x.transpose(0, 1)
print(t.stride(), t.is_contiguous())
flat = t.view(6)
