import torch
from torch import nn

torch.manual_seed(0)
x = torch.linspace(-1, 1, 8).view(8, 1)
y = 2 * x + 1
model = nn.Linear(1, 1)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for step in range(40):
    opt.zero_grad()
    loss = nn.functional.mse_loss(model(x), y)
    loss.backward()
    opt.step()
    if step % 10 == 0:
        print(step, round(loss.item(), 4))
print(round(model.weight.item(), 2), round(model.bias.item(), 2))
