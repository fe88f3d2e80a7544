"""The full training workflow: Dataset + DataLoader, model, loss, optimizer, epochs of train() / zero_grad / forward / loss / backward / step, validation under eval() + no_grad(), and testing.
Source: 001_30bebaa1fd302eaa.txt sections "(五)整个流程" ("(1)训练的部分", "(2)验证的部分", "(3)测试的部分") and "一、训练一个神经网络"; 000_3d20c0090dd74e97.txt section "基于PyTorch的模型訓練實現" (load data, build model, define loss, compute gradients and optimize)."""
import torch
import torch.nn as nn
import torch.optim as optim
from torch.utils.data import DataLoader, Dataset


class RegressionData(Dataset):
    def __init__(self, n, seed):
        g = torch.Generator().manual_seed(seed)
        self.x = torch.rand(n, 3, generator=g) * 2 - 1
        true_w = torch.tensor([[1.5], [-2.0], [0.5]])
        self.y = self.x @ true_w + 0.3 + 0.05 * torch.randn(n, 1, generator=g)

    def __getitem__(self, i):
        return self.x[i], self.y[i]

    def __len__(self):
        return len(self.x)


class MyModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(3, 16), nn.Sigmoid(), nn.Linear(16, 1))

    def forward(self, x):
        return self.net(x)


torch.manual_seed(0)
device = 'cpu'
train_set = RegressionData(64, seed=1)
valid_set = RegressionData(16, seed=2)
train_loader = DataLoader(train_set, batch_size=16, shuffle=True)
valid_loader = DataLoader(valid_set, batch_size=16, shuffle=False)
model = MyModel().to(device)
criterion = nn.MSELoss()
optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)

n_epochs = 20
for epoch in range(n_epochs):
    model.train()
    train_loss = 0.0
    for x, y in train_loader:
        optimizer.zero_grad()
        x, y = x.to(device), y.to(device)
        pred = model(x)
        loss = criterion(pred, y)
        loss.backward()
        optimizer.step()
        train_loss += loss.item() * len(x)
    train_loss /= len(train_loader.dataset)

    model.eval()
    total_loss = 0.0
    for x, y in valid_loader:
        x, y = x.to(device), y.to(device)
        with torch.no_grad():
            pred = model(x)
            loss = criterion(pred, y)
        total_loss += loss.item() * len(x)
    avg_loss = total_loss / len(valid_loader.dataset)
    if epoch % 5 == 0 or epoch == n_epochs - 1:
        print(f"epoch {epoch:2d} train {train_loss:.5f} valid {avg_loss:.5f}")

# Testing: inputs only, gradients off, collect predictions.
test_x = torch.tensor([[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.5, -0.5, 1.0]])
test_loader = DataLoader(test_x, batch_size=2)
model.eval()
preds = []
for x in test_loader:
    with torch.no_grad():
        preds.append(model(x.to(device)).cpu())
preds = torch.cat(preds, dim=0)
print(preds.shape, preds.requires_grad)
print([round(v, 3) for v in preds.squeeze(1).tolist()])
print([round(v, 3) for v in (test_x @ torch.tensor([1.5, -2.0, 0.5]) + 0.3).tolist()])
