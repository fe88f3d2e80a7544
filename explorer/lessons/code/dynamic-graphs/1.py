import torch

x = torch.tensor(3.0, requires_grad=True)
y = x
while y < 20:
    y = y * 2
print(y, y.grad_fn.name())
y.backward()
print(x.grad)
