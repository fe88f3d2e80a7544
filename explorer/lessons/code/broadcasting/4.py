import torch

x = torch.zeros(2, 3)
row = torch.tensor([1.0, 2.0, 3.0])
x.add_(row)
x += torch.tensor([[10.0], [20.0]])
print(x, x.shape)
