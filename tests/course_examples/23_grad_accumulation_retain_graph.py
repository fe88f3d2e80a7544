"""Gradients accumulate in .grad across backward calls; clearing them; retain_graph for several backward passes over one graph.
Source: 003_a08ecac47ec6817a.txt section "3、示例" (gradients accumulate and must be cleared before each computation); 002_f9db4d486eb61ab7.txt section "Tensor.backward()" (retain_graph=True for multiple outputs)."""
import torch

x1 = torch.tensor(1.0, requires_grad=True)
x2 = torch.tensor(2.0, requires_grad=True)
for step in range(3):
    y = x1 + 2 * x2          # a fresh graph every time
    y.backward()
    print(step, x1.grad, x2.grad)

# Clearing: zero the grad in place, or drop it.
x1.grad.zero_()
x2.grad = None
print(x1.grad, x2.grad)
y = x1 + 2 * x2
y.backward()
print(x1.grad, x2.grad)

# Two outputs that share part of a graph: keep the graph alive for the second backward.
x = torch.tensor([0.2249])
w = torch.ones(1, requires_grad=True)
b = torch.ones(1, requires_grad=True)
y = w * x
z = y + b
z.backward(retain_graph=True)
print(w.grad, b.grad)
y.backward()                 # w.grad accumulates x again; b is not used by y
print(w.grad, b.grad)

# Backward twice through the same graph (with a saved tensor) needs retain_graph.
p = torch.tensor([3.0], requires_grad=True)
q = p * p
q.backward(retain_graph=True)
print(p.grad)
q.backward()
print(p.grad)

# torch.autograd.grad returns gradients instead of accumulating them.
r = torch.tensor([1.0, 2.0], requires_grad=True)
(g,) = torch.autograd.grad((r ** 3).sum(), r)
print(g, r.grad)
