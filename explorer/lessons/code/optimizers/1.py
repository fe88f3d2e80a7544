import torch

w = torch.tensor([1.0], requires_grad=True)
opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)
path = torch.zeros(30)
for step in range(30):
    opt.zero_grad()
    (w ** 2).sum().backward()
    opt.step()
    path[step] = w.item()
print(path[:4])
