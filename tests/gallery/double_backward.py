"""Double backward: the gradient of a gradient (a gradient penalty)."""
import torch

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = (x ** 3).sum()
(g,) = torch.autograd.grad(y, x, create_graph=True)
penalty = g.pow(2).sum()
penalty.backward()
print(g, x.grad)
