import numpy as np
import torch
from torch import nn

model = nn.Linear(3, 1)
batch = torch.from_numpy(np.linspace(0, 1, 6).reshape(2, 3))
out = model(batch)
print(out.shape)
