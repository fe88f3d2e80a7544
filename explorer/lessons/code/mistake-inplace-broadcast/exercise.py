import torch

b = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
total = torch.zeros(3)
total += b
reference = b[0] + b[1]
print(total, reference)
