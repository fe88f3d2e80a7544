import torch

x = torch.tensor([0.0, 1.0, 2.0], requires_grad=True)
s = x.sigmoid()
s.mul_(2)
s.sum().backward()
