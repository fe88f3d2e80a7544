import torch

x = torch.tensor([0.0, 1.0, 2.0], requires_grad=True)
s = x.exp()
s = s + 1
s.sum().backward()
expected = x.detach().exp()
print(x.grad, expected)
