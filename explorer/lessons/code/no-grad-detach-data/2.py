import torch

x = torch.tensor([1.0, 2.0], requires_grad=True)
d = x.detach()
print(d.requires_grad, d.is_leaf)
d[0] = 10.0
print(x)
c = x.detach().clone()
c[1] = -1.0
print(x, c)
