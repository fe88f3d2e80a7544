import torch
import torch.nn.functional as F

logits = torch.zeros(3, 4)
target = torch.tensor([1.0, 2.0, 0.0])
loss = F.cross_entropy(logits, target)
