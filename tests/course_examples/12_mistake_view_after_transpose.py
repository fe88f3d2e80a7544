"""Classic mistake: calling view() on a non-contiguous tensor produced by transpose().
Source: 002_f9db4d486eb61ab7.txt section "contiguous()" (view needs contiguous memory; reshape == contiguous().view())."""
import torch

x = torch.arange(6).view(2, 3)
y = x.transpose(0, 1)
print(y.shape, y.stride(), y.is_contiguous())
try:
    y.view(6)
except RuntimeError as e:
    print(type(e).__name__, str(e).splitlines()[0])

# Fixes: make it contiguous first, or use reshape.
print(y.contiguous().view(6))
print(y.reshape(6))

# Same problem with permute on an image batch.
img = torch.arange(24).view(2, 3, 2, 2)
nhwc = img.permute(0, 2, 3, 1)
try:
    nhwc.view(2, -1)
except RuntimeError as e:
    print(type(e).__name__, str(e).splitlines()[0])
print(nhwc.reshape(2, -1))
