import numpy as np
import torch

a = np.array([1.5, 2.5])
print(torch.from_numpy(a).dtype)
f = torch.from_numpy(a).float()
f[0] = 0.0
print(f, a)
w = torch.ones(2, requires_grad=True)
print(w.detach().numpy())
