import torch

x = torch.arange(4)
y = x.to("cpu")
z = x.to("cpu", torch.float32)
print(y is x, z is x, z.dtype)
n = x.cpu().numpy()
n[0] = 100
print(x)
