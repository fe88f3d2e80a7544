import torch

w = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
(w * w).sum().backward()
expected = w.detach() - 0.1 * w.grad
w -= 0.1 * w.grad
print(w, w.is_leaf)
