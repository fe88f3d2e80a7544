import torch

x = torch.tensor([1.7, -1.7, 2.5])
print(x.int())
print(x.long(), x.double())
print(x.clamp(0, 255).to(torch.uint8))
print(torch.tensor([-1, 256]).to(torch.uint8))
print(x.type(torch.int16))
print(torch.tensor([0, 2, 0]).bool())
