import torch
from torch import nn

torch.manual_seed(0)
x = torch.linspace(-1, 1, 20).view(20, 1)
train_x, val_x = x[::2], x[1::2]
model = nn.Linear(1, 1)
opt = torch.optim.SGD(model.parameters(), lr=0.2)
val = torch.zeros(30)
for epoch in range(30):
    opt.zero_grad()
    nn.functional.mse_loss(model(train_x), 3 * train_x - 1).backward()
    opt.step()
    with torch.no_grad():
        val[epoch] = nn.functional.mse_loss(model(val_x), 3 * val_x - 1)
print(val[::10])
