"""Linear regression by hand: gradient descent with updates under no_grad."""
import torch

torch.manual_seed(0)
x = torch.linspace(0, 1, 50).unsqueeze(1)
y = 3 * x + 0.5 + 0.1 * torch.randn(50, 1)
w = torch.zeros(1, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
for step in range(50):
    loss = ((x * w + b - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= 0.5 * w.grad
        b -= 0.5 * b.grad
        w.grad.zero_()
        b.grad.zero_()
print(w.item(), b.item())
