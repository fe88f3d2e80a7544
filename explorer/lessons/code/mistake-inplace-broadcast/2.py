import torch

col = torch.zeros(2, 1)
batch = torch.ones(2, 3)
total = col + batch
col += batch.sum(dim=1, keepdim=True)
print(total.shape, col)
