import torch

w = torch.tensor(0.0, requires_grad=True)
target = torch.tensor(2.0)
opt = torch.optim.SGD([w], lr=0.05)
for step in range(40):
    loss = (w * 2 - 4) ** 2
    loss.backward()
    opt.step()
print(w, target)
