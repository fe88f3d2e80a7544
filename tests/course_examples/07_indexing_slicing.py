"""Basic indexing and start:end:step slicing of tensors, including the NCHW image example.
Source: 000_3d20c0090dd74e97.txt sections "張量的索引" and "張量的切片"/"張量的切片索引"; 003_a08ecac47ec6817a.txt section "(2)索引操作"."""
import torch

# Integer indexing; negative indices count from the end; assignment writes in place.
d = torch.tensor([0, 1, 2, 3])
d[1] = 7
d[-2] = 8
print(d)

m = torch.arange(0, 6).reshape([2, 3])
print(m)
print(m[1, 1], m[1, 1].item())
print(m[0])
print(m[:, 0])
print(m[-1, -1])

# Slicing: start:end:step (end excluded, step must be positive).
print(m[:, 1:])
print(m[:, ::2])
print(m[0, 0:2], m[0, :-1])

# 2 images x 3 channels x 2 x 2 pixels.
img = torch.arange(0, 24).view([2, 3, 2, 2])
print(img[1, 1, 1, 1])
print(img[:, 0:2, 1, :])        # both images, channels 0-1, row 1, all columns
print(img[:, 0:2, 1, :].shape)
print(img[0, -2:, 0:, 0])       # image 0, channels 1-2, all rows, column 0
print(img[0, -2:, 0:, 0].shape)
print(img[..., 0].shape, img[:, None].shape, img[1].shape)

# Slices are views: strides and storage offset describe where they start.
s = m[:, ::2]
print(s.stride(), s.storage_offset(), s.is_contiguous())
r = m[1]
print(r.stride(), r.storage_offset(), r.is_contiguous())

# Writing through a slice changes the original tensor.
m[:, 0] = -1
print(m)
m[1, 1:] = torch.tensor([40, 50])
print(m)

# Negative steps are not allowed in PyTorch; flip() reverses instead.
try:
    torch.arange(5)[::-1]
except ValueError as e:
    print(type(e).__name__, str(e).splitlines()[0])
print(torch.arange(5).flip(0))

# The column example from the tutorial: o[:, 1].
o = torch.tensor([[1.3597, 1.7565, 1.1835], [1.9602, 1.1388, 1.7656]])
print(o[:, 1])
