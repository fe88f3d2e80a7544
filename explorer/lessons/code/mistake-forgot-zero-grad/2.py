import torch

w = torch.tensor(0.0, requires_grad=True)
opt = torch.optim.SGD([w], lr=0.05)
for step in range(3):
    opt.zero_grad()
    loss = (w * 2 - 4) ** 2
    loss.backward()
    print(step, round(w.grad.item(), 4))
    opt.step()
