"""A custom Dataset (__init__/__getitem__/__len__) and DataLoader batching, shuffling with a seeded generator, drop_last, default collation and random_split.
Source: 001_30bebaa1fd302eaa.txt section "(一)Dataset & DataLoader"; 002_f9db4d486eb61ab7.txt section "数据加载" (MyData, transforms inside the Dataset, DataLoader, iter/next; image files replaced by generated data)."""
import torch
from torch.utils.data import DataLoader, Dataset, TensorDataset, random_split


class MyDataset(Dataset):
    def __init__(self, n, transform=None):
        # Load (here: generate) the data once and preprocess it.
        self.x = torch.arange(n * 2, dtype=torch.float32).view(n, 2) / (2 * n)
        self.y = torch.arange(n) % 3
        self.transform = transform

    def __getitem__(self, index):
        x = self.x[index]
        if self.transform is not None:
            x = self.transform(x)
        return x, self.y[index]

    def __len__(self):
        return len(self.x)


def normalize(x):
    return (x - 0.5) / 0.5          # like transforms.Normalize(mean=0.5, std=0.5)


ds = MyDataset(12, transform=normalize)
print(len(ds))
print(ds[0])
print(ds[11])

loader = DataLoader(ds, batch_size=5, shuffle=False)
print(len(loader))
for xb, yb in loader:
    print(xb.shape, yb.tolist(), xb.dtype, yb.dtype)
print(len(DataLoader(ds, batch_size=5, drop_last=True)))

# Shuffling is reproducible with a seeded generator.
g = torch.Generator().manual_seed(0)
shuffled = DataLoader(ds, batch_size=4, shuffle=True, generator=g)
for xb, yb in shuffled:
    print(yb.tolist(), [round(v, 4) for v in xb[:, 0].tolist()])

# iter / next
it = iter(DataLoader(ds, batch_size=3))
first = next(it)
second = next(it)
print(first[1], second[1], first[0].shape)
print(first[0][:, 0], second[0][:, 0])


# Samples can be dicts; default collation batches each field.
class DictData(Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        return {'image': torch.full((1, 2, 2), float(i)), 'label': i, 'name': f"img{i}"}


batch = next(iter(DataLoader(DictData(), batch_size=4)))
print(sorted(batch.keys()), batch['image'].shape, batch['label'], batch['name'])

# TensorDataset and random_split.
td = TensorDataset(torch.arange(10.0).view(10, 1), torch.arange(10))
print(td[3])
train, val = random_split(td, [8, 2], generator=torch.Generator().manual_seed(0))
print(len(train), len(val), sorted(val.indices))
