"""Data layout: how an NCHW batch is stored linearly, converting to NHWC/channels_last, and HWC images to NCHW tensors.
Source: 000_3d20c0090dd74e97.txt sections "張量的數據格式(datalayout)" (N=2,C=3,H=2,W=2 example) and "PIL與張量的格式轉換"/"使用OpenCV方法讀入圖像" (ToTensor: HWC uint8 -> CHW float, BGR->RGB)."""
import numpy as np
import torch

# N=2, C=3, H=2, W=2; element values equal their NCHW linear position.
x = torch.arange(24).view(2, 3, 2, 2)
print(x.shape, x.stride())
print(x.flatten())                      # NCHW storage order: W fastest, then H, C, N

# NHWC: C becomes the fastest-moving index.
nhwc = x.permute(0, 2, 3, 1).contiguous()
print(nhwc.shape, nhwc.stride())
print(nhwc.flatten())
print(nhwc[1, 0, 1])                    # the 3 channel values of pixel (h=0, w=1) in image 1
print(torch.equal(nhwc.permute(0, 3, 1, 2), x))

# channels_last keeps the logical NCHW shape but stores the data as NHWC.
cl = x.contiguous(memory_format=torch.channels_last)
print(cl.shape, cl.stride())
print(cl.is_contiguous(), cl.is_contiguous(memory_format=torch.channels_last))
print(torch.equal(cl, x))
print(cl.permute(0, 2, 3, 1).is_contiguous())
print(cl.permute(0, 2, 3, 1).flatten())
print(cl.contiguous().stride())

# A tiny 2x2 RGB "image" in HWC uint8 layout, like PIL/OpenCV/NumPy produce.
hwc = np.array([[[255, 0, 0], [0, 255, 0]],
                [[0, 0, 255], [255, 255, 255]]], dtype=np.uint8)
t = torch.from_numpy(hwc).permute(2, 0, 1).float().div(255)   # what ToTensor does
print(t.shape, t.dtype)
print(t)
batch = t.unsqueeze(0)                                          # add N
print(batch.shape)
normed = (batch - 0.5) / 0.5                                    # Normalize(mean=0.5, std=0.5)
print(normed[0, :, 0, 0])

# OpenCV gives BGR; flipping the channel axis gives RGB.
bgr = hwc[..., ::-1]
rgb_from_bgr = torch.from_numpy(bgr.copy())
print(rgb_from_bgr[0, 0], torch.from_numpy(hwc).flip(-1)[0, 0])

# Back to an HWC uint8 array (what ToPILImage expects).
back = (batch.squeeze(0).permute(1, 2, 0) * 255).round().to(torch.uint8).numpy()
print(back.shape, back.dtype, np.array_equal(back, hwc))
