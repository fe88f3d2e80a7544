import torch

x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x * 2
with torch.no_grad():
    z = x * 2
print(y.requires_grad, y.grad_fn.name())
print(z.requires_grad, z.grad_fn)
print(torch.is_grad_enabled())
