"""A 100-step loop: x = x * w + 0.1, then one backward."""
import torch

w = torch.tensor(0.99, requires_grad=True)
x = torch.tensor(1.0)
for step in range(100):
    x = x * w + 0.1
x.backward()
print(w.grad)
