import torch

w = torch.tensor([1.0, 2.0], requires_grad=True)
loss = (w * w).sum()
loss.backward()
loss.backward()
expected = 4 * w.detach()
print(w.grad, expected)
