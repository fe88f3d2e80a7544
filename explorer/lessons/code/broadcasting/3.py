import torch

e = torch.tensor([1, 2, 3]).expand(2, 3)
print(e)
print(e.stride(), e.is_contiguous())
a, b = torch.broadcast_tensors(torch.ones(2, 1), torch.zeros(3))
print(a.shape, b.shape, b.stride())
