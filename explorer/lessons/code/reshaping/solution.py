import torch

img = torch.arange(48.0).view(3, 4, 4)
batch = img.unsqueeze(0)
print(batch.shape)
