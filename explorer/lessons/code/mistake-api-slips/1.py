import torch

x = torch.ones(2, 3)
print(x.shape, x.size(), x.size(1))
x = x.cuda()
