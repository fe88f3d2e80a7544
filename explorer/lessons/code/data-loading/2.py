import torch
from torch.utils.data import DataLoader, TensorDataset, random_split

torch.manual_seed(0)
data = TensorDataset(torch.arange(10.0).view(10, 1), torch.arange(10) % 2)
train, val, test = random_split(data, [6, 2, 2])
print(len(train), len(val), len(test))
loader = DataLoader(train, batch_size=4, shuffle=True)
xb, yb = next(iter(loader))
print(xb.shape, yb.shape, yb.dtype)
