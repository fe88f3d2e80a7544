import torch

img = torch.arange(24.0).view(1, 2, 3, 4)
print(img.shape, img.stride())
nhwc = img.permute(0, 2, 3, 1)
print(nhwc.shape, nhwc.stride(), nhwc.is_contiguous())
print(img[0, :, 0, 0], nhwc[0, 0, 0])
