import torch

x = torch.arange(6).view(2, 3)
t = x.transpose(0, 1)
flat = t.reshape(6)
same = t.contiguous().view(6)
print(flat, torch.equal(flat, same))
