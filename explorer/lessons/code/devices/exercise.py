import torch

x = torch.ones(3).cuda()
y = x * 2
print(y.device)
