"""Three residual blocks: y = x + f(x), with LayerNorm."""
import torch
import torch.nn as nn

torch.manual_seed(0)


class Block(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.norm = nn.LayerNorm(width)
        self.fc = nn.Linear(width, width)

    def forward(self, x):
        return x + torch.relu(self.fc(self.norm(x)))


model = nn.Sequential(Block(16), Block(16), Block(16), nn.Linear(16, 1))
x = torch.randn(10, 16)
loss = model(x).pow(2).mean()
loss.backward()
print(loss)
