import numpy as np
import torch

x = torch.arange(8.0)
a = x.numpy()
picked = a[np.array([2, -2])]
tail = a[-3:]
c = torch.tensor(a)
np.clip(a, 1, 5, out=a)
print(picked, tail)
print(x)
print(c)
