import numpy as np
import torch

a = np.arange(4.0)
t = torch.from_numpy(a)
m = a.reshape(2, 2)
r = np.resize(a, (3, 2))
m[0, 0] = 9.0
print(m)
print(r)
print(t)
