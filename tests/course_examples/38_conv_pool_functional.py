"""Convolution and pooling with nn.Conv2d/MaxPool2d/AvgPool2d modules versus torch.nn.functional calls with explicit weights.
Source: 000_3d20c0090dd74e97.txt sections "torch.nn.Module" (myModule with Conv2d + F.relu), "torch.nn.functional", "torch.nn.functional和torch.nn計算操作的比較", "用法區別-torch.nn" and "用法區別-torch.nn.functional" (weight shape fixed to 4-D)."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class ConvReLU(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 64, kernel_size=3, stride=1)

    def forward(self, x):
        return F.relu(self.conv(x))


class FunctionalConv(nn.Module):
    def __init__(self):
        super().__init__()
        # F.conv2d needs weight (out_channels, in_channels, kH, kW) and bias (out_channels,)
        self.weight = nn.Parameter(torch.randn(2, 3, 3, 3))
        self.bias = nn.Parameter(torch.randn(2))

    def forward(self, x):
        return F.conv2d(x, self.weight, self.bias)


torch.manual_seed(0)
m = ConvReLU()
print(m)
print(m.conv.weight.shape, m.conv.bias.shape)
x = torch.linspace(-1, 1, 2 * 3 * 5 * 5).view(2, 3, 5, 5)
y = m(x)
print(y.shape, bool((y >= 0).all()))

f = FunctionalConv()
print(f)
print(f(x).shape)

# The module and the function compute the same thing with the same weights.
conv = nn.Conv2d(3, 2, kernel_size=3, padding=1, stride=2)
print(conv)
print(torch.allclose(conv(x), F.conv2d(x, conv.weight, conv.bias, stride=2, padding=1)), conv(x).shape)

# A hand-made kernel on a readable input: a 2x2 box filter sums each window.
img = torch.arange(16.0).view(1, 1, 4, 4)
box = torch.ones(1, 1, 2, 2)
print(F.conv2d(img, box))
print(F.conv2d(img, box, stride=2))
print(F.conv2d(img, box, padding=1).shape)
print(F.conv1d(torch.arange(5.0).view(1, 1, 5), torch.tensor([[[1.0, 0.0, -1.0]]])))

# Pooling.
print(nn.MaxPool2d(2)(img))
print(nn.AvgPool2d(2)(img))
print(F.max_pool2d(img, kernel_size=2, stride=1))
print(F.avg_pool2d(img, 2))
print(nn.MaxPool2d(2))

# Gradients flow into conv weights.
w = torch.ones(1, 1, 2, 2, requires_grad=True)
F.conv2d(img, w).sum().backward()
print(w.grad)
