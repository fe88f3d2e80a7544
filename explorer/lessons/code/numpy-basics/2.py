import numpy as np
import torch

a = np.arange(6.0).reshape(2, 3)
print(a.ndim, a.shape, a.size, a.dtype, a.itemsize)
print(a.strides)
t = torch.from_numpy(a)
print(t.stride(), t.element_size())
col = a[:, 1]
tcol = t[:, 1]
print(col.strides, tcol.stride())
