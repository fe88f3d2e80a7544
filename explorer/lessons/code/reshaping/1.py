import torch

x = torch.zeros(2, 1, 3)
s = x.squeeze(1)
u = s.unsqueeze(0)
f = x.flatten()
print(s.shape, u.shape, f.shape)
print(x.squeeze().shape, x.squeeze(0).shape)
print(torch.zeros(2, 3, 4).flatten(1).shape)
