import torch

img = torch.arange(24.0).view(1, 2, 3, 4)
cl = img.contiguous(memory_format=torch.channels_last)
print(cl.shape, cl.stride())
print(cl.is_contiguous(), cl.is_contiguous(memory_format=torch.channels_last))
print(torch.equal(cl, img))
