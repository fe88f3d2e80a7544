"""Autograd basics: requires_grad propagation, grad_fn of results, backward() on a scalar and reading .grad.
Source: 000_3d20c0090dd74e97.txt section "張量的自動求導支持"; 001_30bebaa1fd302eaa.txt section "(4)计算梯度时非常方便" (z = sum of x squared); 002_f9db4d486eb61ab7.txt section ".requires_grad, .grad, .grad_fn"; 003_a08ecac47ec6817a.txt section "3、示例" (y = x1 + 2*x2)."""
import torch

# z = sum(x_ij^2)  ->  dz/dx = 2x
x = torch.tensor([[1.0, 0.0], [-1.0, 1.0]], requires_grad=True)
z = x.pow(2).sum()
print(z)
z.backward()
print(x.grad)
print(torch.equal(x.grad, 2 * x.detach()))

# y = x + 2, z = 3 y^2, out = mean(z)  ->  d out/dx = 6 (x + 2) / 4
x = torch.tensor([[-1.1423, -0.0149], [-0.4527, -0.4478]], requires_grad=True)
y = x + 2
print(y)
print(y.requires_grad, y.is_leaf, x.is_leaf, x.grad_fn)
z = 3 * y ** 2
out = z.mean()
print(z)
print(out)
print(type(y.grad_fn).__name__, type(z.grad_fn).__name__, out.grad_fn.name())
out.backward()
print(x.grad)
print(torch.allclose(x.grad, 1.5 * (x.detach() + 2)))

# If any input requires grad, so does the output.
p = torch.tensor([1.0, 2.0])
q = torch.tensor([3.0, 4.0])
r = torch.tensor([5.0, 6.0], requires_grad=True)
print((p * q).requires_grad, (p * r).requires_grad, (p * q + r).requires_grad)

# y = x1 + 2*x2: dy/dx1 = 1, dy/dx2 = 2.
x1 = torch.tensor(1.0, requires_grad=True)
x2 = torch.tensor(2.0, requires_grad=True)
y = x1 + 2 * x2
print(y)
y.backward()
print(x1.grad, x2.grad)
print(x1.grad.data, x2.grad.requires_grad)

# Intermediate (non-leaf) results keep their grad only with retain_grad().
a = torch.tensor([2.0, 3.0], requires_grad=True)
h = a * a
h.retain_grad()
(h * 4).sum().backward()
print(h.grad, a.grad)
