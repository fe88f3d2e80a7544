import torch
from torch import nn

x = torch.tensor([[1.0], [3.0]])
bn = nn.BatchNorm1d(1)
y = bn(x)
print(y)
print(bn.running_mean, bn.num_batches_tracked)
bn.eval()
print(bn(x))
