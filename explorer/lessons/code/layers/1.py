import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(0)
img = torch.randn(1, 1, 6, 6)
conv = nn.Conv2d(1, 2, kernel_size=3, padding=1)
feat = conv(img)
pooled = F.max_pool2d(feat, 2)
print(feat.shape, pooled.shape)
print(conv.weight.shape, conv.bias.shape)
