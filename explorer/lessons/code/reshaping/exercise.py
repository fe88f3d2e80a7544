import torch

img = torch.arange(48.0).view(3, 4, 4)
batch = img.repeat(1, 1, 1, 1)
print(batch.shape)
