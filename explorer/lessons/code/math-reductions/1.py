import torch

x = torch.tensor([-2.0, -0.5, 0.5, 2.0], requires_grad=True)
c = x.clamp(-1, 1)
w = torch.where(x > 0, x ** 2, -x)
y = (c * w).sum()
y.backward()
print(c)
print(w)
print(x.grad)
