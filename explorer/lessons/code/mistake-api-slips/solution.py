import torch

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
x = torch.ones(2, 3)
rows, cols = x.shape
x = x.to(device)
print(rows, cols, x.device)
