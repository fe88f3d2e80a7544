import numpy as np
import torch
from torch import nn

model = nn.Linear(3, 1)
batch = torch.from_numpy(np.ones((2, 3)))
print(batch.dtype, model.weight.dtype)
out = model(batch)
