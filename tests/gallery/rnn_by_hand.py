"""A hand-written RNN cell unrolled over 8 time steps, as in the course notes."""
import torch

torch.manual_seed(0)
W = torch.randn(4, 3, requires_grad=True)
U = torch.randn(4, 4, requires_grad=True)
b = torch.zeros(4, requires_grad=True)
xs = torch.randn(8, 3)
h = torch.zeros(4)
for t in range(8):
    h = torch.tanh(W @ xs[t] + U @ h + b)
loss = h.pow(2).sum()
loss.backward()
print(W.grad.norm())
