import torch
from torch import nn

img = torch.ones(1, 3, 8, 8)
conv = nn.Conv2d(3, 4, kernel_size=3)
out = conv(img)
print(out.shape)
