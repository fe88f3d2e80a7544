import torch

x = torch.ones(2, 3)
rows, cols = x.shape()
x = x.cuda()
print(rows, cols, x.device)
