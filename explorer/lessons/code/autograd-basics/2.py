import torch

x1 = torch.tensor(1.0, requires_grad=True)
x2 = torch.tensor(2.0, requires_grad=True)
z = x1 + 2 * x2
print(z, z.is_leaf, x1.is_leaf)
print(z.grad_fn.name())
print([type(f).__name__ for f, _ in z.grad_fn.next_functions])
z.backward()
print(x1.grad, x2.grad)
