import torch

x = torch.arange(9).view(3, 3)
diag = x[[0, 1, 2]]
reference = torch.stack([x[i, i] for i in range(3)])
print(diag, reference)
