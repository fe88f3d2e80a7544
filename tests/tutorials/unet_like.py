"""A small encoder-decoder for images (the segmentation examples' shape): GroupNorm,
Dropout2d, max pooling down and F.interpolate up, trained a few steps with Adam."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 3, padding=1)
        self.norm = nn.GroupNorm(2, cout)

    def forward(self, x):
        return F.relu(self.norm(self.conv(x)))


class TinyUNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.down = Block(3, 8)
        self.bottom = Block(8, 8)
        self.drop = nn.Dropout2d(0.1)
        self.up = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False)
        self.out = nn.Conv2d(16, 2, 1)

    def forward(self, x):
        skip = self.down(x)
        y = self.bottom(self.drop(F.max_pool2d(skip, 2)))
        y = self.up(y)
        return self.out(torch.cat([y, skip], dim=1))


torch.manual_seed(0)
model = TinyUNet()
print(model)
images = torch.randn(2, 3, 8, 8)
masks = torch.randint(0, 2, (2, 8, 8))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
for step in range(5):
    optimizer.zero_grad()
    logits = model(images)
    loss = F.cross_entropy(logits, masks)
    loss.backward()
    optimizer.step()
    print(step, round(loss.item(), 4))
model.eval()
with torch.no_grad():
    print(model(images).argmax(1)[0])
print(F.interpolate(torch.arange(4.0).view(1, 1, 2, 2), scale_factor=2, mode="nearest"))
