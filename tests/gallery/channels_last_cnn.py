"""One convolution on a batch in NCHW and in channels_last."""
import torch
import torch.nn as nn

torch.manual_seed(0)
images = torch.randn(8, 3, 32, 32)
nhwc = images.to(memory_format=torch.channels_last)
conv = nn.Conv2d(3, 4, 3)
out = conv(nhwc)
loss = out.mean()
loss.backward()
print(images.stride(), nhwc.stride(), nhwc.is_contiguous(memory_format=torch.channels_last))
