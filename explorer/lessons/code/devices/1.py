import torch

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
x = torch.ones(2, 3, device=device)
y = (x * 2).to(device)
print(device, x.device, y.device.type)
print(torch.cuda.is_available())
back = y.cpu().numpy()
print(type(back).__name__, back.dtype)
