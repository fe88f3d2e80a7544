import torch

x = torch.tensor(1.5, requires_grad=True)
y = x
for _ in range(2):
    y = y * y
y.backward()
expected = 8 * x.detach() ** 7
print(y, x.grad, expected)
