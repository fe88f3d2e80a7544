import torch

x = torch.tensor([1.0, 2.0], requires_grad=True)
c = x.detach()
c[0] = 0.0
print(x, c)
