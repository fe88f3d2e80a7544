import torch
from torch.utils.data import DataLoader, Dataset


class Pairs(Dataset):
    def __len__(self):
        return 6

    def __getitem__(self, i):
        return torch.tensor([float(i)])

xb, yb = next(iter(DataLoader(Pairs(), batch_size=2)))
print(xb.shape, yb.shape)
