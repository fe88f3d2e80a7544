import torch
from torch import nn

net = nn.Sequential()
net.add_module("fc1", nn.Linear(4, 3))
net.add_module("act", nn.ReLU())
net.add_module("fc2", nn.Linear(3, 2))
head = net[:2]
print(head)
print(net.fc1 is head[0], len(net))
h = head(torch.ones(1, 4))
print(h.shape)
