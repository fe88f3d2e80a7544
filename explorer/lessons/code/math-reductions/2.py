import torch

x = torch.tensor([[3.0, 1.0, 2.0], [0.5, 4.0, 2.5]], requires_grad=True)
values, indices = x.max(dim=1)
print(values, indices)
s, order = x.sort(dim=1, descending=True)
print(order)
print(x.sum(dim=0), x.mean())
values.sum().backward()
print(x.grad)
