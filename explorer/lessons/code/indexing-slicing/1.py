import torch

x = torch.arange(12).view(3, 4)
print(x[1, 2], x[1, 2].item())
row = x[1]
col = x[:, 2]
print(row, row.stride(), row.storage_offset())
print(col, col.stride(), col.storage_offset())
print(x[-1], x[0, -1])
