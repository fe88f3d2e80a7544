import torch

x = torch.zeros(2, 3)
x[0].fill_(1)
col = x[:, 1]
col += 5
print(x)
x.clamp_(max=3).mul_(2)
print(x)
x.zero_()
print(x)
