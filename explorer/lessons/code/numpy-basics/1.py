import numpy as np
import torch

a = np.arange(3, 10, 3)
onehot = np.eye(3)[[0, 1, 0, 2]]
print(a, a.dtype)
print(onehot)
n = torch.from_numpy(a)
h = torch.from_numpy(onehot)
f = torch.tensor([0.5, 1.5])
print(n.dtype, h.dtype, f.dtype)
