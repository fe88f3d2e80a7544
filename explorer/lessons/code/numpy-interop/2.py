import numpy as np
import torch

a = np.ones(3, dtype=np.float32)
copied = torch.tensor(a)
shared = torch.as_tensor(a)
a[1] = 5.0
print(copied)
print(shared)
back = shared.numpy()
back[2] = -1.0
print(a, type(back).__name__)
