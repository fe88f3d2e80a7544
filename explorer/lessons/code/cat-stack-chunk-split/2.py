import torch

x = torch.arange(10)
first, second = x.chunk(2)
print(first, second)
print(second.storage_offset())
parts = x.split([2, 3, 5])
print([p.tolist() for p in parts])
print([c.numel() for c in x.chunk(4)])
print(len(x.chunk(6)), [c.numel() for c in x.chunk(6)])
