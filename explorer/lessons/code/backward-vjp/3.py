import torch
from torch.autograd.functional import jacobian


def f(x):
    return torch.stack([x[0] * x[1], x[1] + x[2] ** 2])


x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
J = jacobian(f, x)
v = torch.tensor([1.0, -1.0])
print(J)
print(v @ J)
f(x).backward(v)
print(x.grad)
