import torch

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
x = torch.ones(2, 3).to(device)
rows, cols = x.shape
print(device, rows, cols, x.size(-1))
