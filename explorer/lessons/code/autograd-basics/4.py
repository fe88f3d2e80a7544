import torch

w = torch.ones(3)
print(w.requires_grad)
w.requires_grad_()
y = (w * 2).sum()
y.backward()
print(w.requires_grad, w.grad)
