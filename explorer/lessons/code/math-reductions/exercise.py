import torch

x = torch.tensor([[3.0, 1.0, 2.0], [0.5, 4.0, 2.5]])
m = x.max()
reference = x.sort(dim=1, descending=True).values[:, :1]
print(m, reference)
