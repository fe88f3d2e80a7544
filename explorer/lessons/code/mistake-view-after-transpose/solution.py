import torch

img = torch.arange(24).view(2, 3, 4)
hwc = img.permute(1, 2, 0)
flat = hwc.reshape(-1)
print(flat[:6])
