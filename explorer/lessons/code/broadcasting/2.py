import torch

x = torch.ones(4, 3)
b = torch.tensor([0.1, 0.2, 0.3], requires_grad=True)
y = x + b
y.sum().backward()
print(y.shape)
print(b.grad)
