import torch

x = torch.tensor([0.0, 1.0], requires_grad=True)
y = x.sigmoid()
y.detach().zero_()
print(y._version)
y2 = x.sigmoid()
y2.data.zero_()
print(y2._version)
y2.sum().backward()
print(x.grad)
