import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

model = nn.Linear(3, 4)
batch = torch.from_numpy(np.ones((2, 3))).float()
target = torch.tensor([1.0, 2.0]).long()
out = model(batch)
loss = F.cross_entropy(out, target)
print(batch.dtype, target.dtype, out.shape)
