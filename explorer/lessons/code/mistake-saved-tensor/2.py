import torch

x = torch.tensor([0.0, 1.0, 2.0], requires_grad=True)
s = x.sigmoid()
s2 = s * 2
s2.sum().backward()
print(x.grad)
