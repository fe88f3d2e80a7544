import torch

col = torch.arange(3).view(3, 1)
row = torch.arange(4)
table = col * 10 + row
print(table)
print(col.shape, row.shape, table.shape)
