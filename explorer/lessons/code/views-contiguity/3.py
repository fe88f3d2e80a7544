import torch

v = torch.arange(6).view(2, 3)
t = v.t()
r = t.reshape(6)
r[0] = -1
print(r)
print(t)
f = v.reshape(3, 2)
f[0, 0] = -1
print(v)
