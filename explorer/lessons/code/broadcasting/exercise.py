import torch

pred = torch.tensor([[1.0], [2.0], [3.0], [4.0]])
target = torch.tensor([1.5, 2.0, 2.5, 4.0])
diff = pred - target
loss = (diff ** 2).mean()
print(diff.shape, loss)
