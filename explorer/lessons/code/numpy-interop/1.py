import numpy as np
import torch

a = np.arange(4.0)
t = torch.from_numpy(a)
a[0] = 100.0
print(t)
t.mul_(2)
print(a)
print(t.dtype)
