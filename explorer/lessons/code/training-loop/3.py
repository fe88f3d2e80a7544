import torch

torch.manual_seed(0)
x = torch.linspace(-1, 1, 20).view(20, 1)
train_x, val_x, test_x = x[torch.randperm(20)].split([10, 5, 5])
model = torch.nn.Linear(1, 1)
opt = torch.optim.SGD(model.parameters(), lr=0.2)
val = torch.zeros(30)
for epoch in range(30):
    opt.zero_grad()
    torch.nn.functional.mse_loss(model(train_x), 3 * train_x - 1).backward()
    opt.step()
    with torch.no_grad():
        val[epoch] = torch.nn.functional.mse_loss(model(val_x), 3 * val_x - 1)
with torch.no_grad():
    print(val[::10], torch.nn.functional.mse_loss(model(test_x), 3 * test_x - 1))
