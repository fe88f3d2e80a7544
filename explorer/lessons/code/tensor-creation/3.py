import torch

torch.manual_seed(0)
u = torch.rand(2, 3)
n = torch.randn(2, 3)
k = torch.randint(0, 10, (5,))
print(u)
print(n)
print(k)
torch.manual_seed(0)
print(torch.equal(torch.rand(2, 3), u))
counts = torch.histc(torch.randn(10000), bins=12, min=-3, max=3)
