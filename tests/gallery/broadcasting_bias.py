"""Broadcasting a bias over a batch, and how its gradient is summed back."""
import torch

x = torch.arange(15.0).view(5, 3)
bias = torch.tensor([0.1, 0.2, 0.3], requires_grad=True)
y = x + bias
loss = y.sum()
loss.backward()
print(bias.grad)
