"""A 20-epoch training loop: an MLP on a toy problem, Adam, cross-entropy, accuracy."""
import torch
import torch.nn as nn

torch.manual_seed(0)
x = torch.randn(64, 2)
y = (x[:, 0] * x[:, 1] > 0).long()
model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 2))
optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
loss_fn = nn.CrossEntropyLoss()
for epoch in range(20):
    optimizer.zero_grad()
    logits = model(x)
    loss = loss_fn(logits, y)
    loss.backward()
    optimizer.step()
    accuracy = (logits.argmax(dim=1) == y).float().mean()
print(f"loss {loss.item():.4f}, accuracy {accuracy.item():.2f}")
