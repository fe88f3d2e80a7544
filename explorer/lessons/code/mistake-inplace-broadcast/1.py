import torch

col = torch.zeros(2, 1)
batch = torch.ones(2, 3)
col.add_(batch)
