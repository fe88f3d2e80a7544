import torch

x = torch.arange(12).view(3, 4)
t = x.t()
index = torch.tensor([0, 1, 5])
print(torch.take(t, index), t.reshape(-1)[index])
cols = x.index_select(1, torch.tensor([0, 3]))
print(cols)
print(x[x[:, 0] > 2])
