"""Fitting with L-BFGS and a closure (the optimizer the style-transfer tutorial uses)."""
import torch

torch.manual_seed(0)
x = torch.linspace(-1, 1, 50, dtype=torch.float64).unsqueeze(1)
y = 3 * x ** 3 - x + 0.5
model = torch.nn.Sequential(torch.nn.Linear(1, 1), torch.nn.Linear(1, 1)).double()
features = torch.cat([x, x ** 2, x ** 3], dim=1)
weights = torch.zeros(3, 1, dtype=torch.float64, requires_grad=True)
bias = torch.zeros(1, dtype=torch.float64, requires_grad=True)
optimizer = torch.optim.LBFGS([weights, bias], lr=1, max_iter=20)


def closure():
    optimizer.zero_grad()
    loss = ((features @ weights + bias - y) ** 2).mean()
    loss.backward()
    return loss


for step in range(3):
    loss = optimizer.step(closure)
    print(step, f"{loss.item():.6f}")
print(weights.detach().squeeze().round(decimals=4), bias.detach().round(decimals=4))
print(optimizer.state[weights]["n_iter"], optimizer.state[weights]["func_evals"])
