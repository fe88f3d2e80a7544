import numpy as np
import torch

a = np.zeros(3)
t = torch.tensor(a)
a[0] = 1.0
print(t)
