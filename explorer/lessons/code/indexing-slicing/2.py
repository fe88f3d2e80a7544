import torch

x = torch.arange(12).view(3, 4)
every_other = x[:, ::2]
print(every_other)
print(every_other.stride(), every_other.is_contiguous())
block = x[1:, 1:3]
block[0, 0] = 100
print(x)
