"""backward(gradient) on non-scalar outputs computes the vector-Jacobian product v^T J; compared with the explicit Jacobian.
Source: 003_a08ecac47ec6817a.txt section "二、自动求导" (Jacobian matrix, vJ, chain rule); 002_f9db4d486eb61ab7.txt section "Tensor.backward()" (the gradient argument, backward() == backward(torch.tensor(1.)))."""
import torch
from torch.autograd.functional import jacobian


def f(x):
    return torch.stack([x[0] * x[1], x[1] + x[2] ** 2, x[0] * x[1] * x[2]])


x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = f(x)
print(y)
v = torch.tensor([1.0, 0.5, -1.0])
y.backward(v)
print(x.grad)

J = jacobian(f, x.detach())
print(J)
print(v @ J)
print(torch.allclose(x.grad, v @ J))

# The same product with torch.autograd.grad.
x2 = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
(g,) = torch.autograd.grad(f(x2), x2, grad_outputs=v)
print(g)

# For a scalar, backward() is backward(torch.tensor(1.)).
a = torch.tensor([1.0, 2.0], requires_grad=True)
(a ** 2).sum().backward()
g1 = a.grad.clone()
a.grad = None
(a ** 2).sum().backward(torch.tensor(1.0))
print(g1, a.grad)

# y.backward(ones_like(y)) gives the same as y.sum().backward().
b = torch.tensor([[1.0, -2.0], [0.5, 3.0]], requires_grad=True)
y = b * b * 3
y.backward(torch.ones_like(y))
print(b.grad)
b.grad = None
(b * b * 3).sum().backward()
print(b.grad)

# Chain rule: h(x) = f(g(x)) -> h'(x) = f'(g(x)) g'(x), here sin(x^2).
t = torch.tensor(1.5, requires_grad=True)
torch.sin(t ** 2).backward()
print(t.grad, torch.cos(torch.tensor(1.5) ** 2) * 2 * 1.5)
