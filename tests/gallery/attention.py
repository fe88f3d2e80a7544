"""Scaled dot-product self-attention written with matmuls."""
import math

import torch

torch.manual_seed(0)
x = torch.randn(2, 5, 8)
Wq = torch.randn(8, 8, requires_grad=True)
Wk = torch.randn(8, 8, requires_grad=True)
Wv = torch.randn(8, 8, requires_grad=True)
q, k, v = x @ Wq, x @ Wk, x @ Wv
scores = q @ k.transpose(-2, -1) / math.sqrt(8)
weights = scores.softmax(dim=-1)
out = weights @ v
loss = out.mean()
loss.backward()
print(weights.sum(dim=-1))
