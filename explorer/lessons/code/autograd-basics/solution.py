import torch

x = torch.tensor(2.0, requires_grad=True)
y = x ** 3
y.backward()
expected = 3 * x.detach() ** 2
print(x.grad, expected)
