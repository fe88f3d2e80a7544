import torch

batch = torch.arange(2 * 3 * 4 * 4).view(2, 3, 4, 4)
first = batch[0]
red = batch[:, 0]
crop = batch[:, :, 1:3, 1:3]
print(first.shape, red.shape, crop.shape)
print(crop.stride(), crop.storage_offset(), crop.is_contiguous())
