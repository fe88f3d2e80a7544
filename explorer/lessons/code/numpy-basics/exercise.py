import numpy as np
import torch

labels = np.array([0, 2, 1, 2])
onehot = np.eye(3)[labels]
t = torch.tensor(onehot)
reference = torch.eye(3)[torch.from_numpy(labels)]
print(t.dtype, t.shape)
