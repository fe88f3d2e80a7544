import torch

x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x * 3
print(y.requires_grad, y.grad_fn.name())
y.detach_()
print(y.requires_grad, y.grad_fn, y.is_leaf)
z = y * 2
print(z.requires_grad)
