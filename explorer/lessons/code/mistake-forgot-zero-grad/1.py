import torch

w = torch.tensor(0.0, requires_grad=True)
opt = torch.optim.SGD([w], lr=0.05)
grads = torch.zeros(6)
for step in range(6):
    loss = (w * 2 - 4) ** 2
    loss.backward()
    grads[step] = w.grad
    print(step, round(w.grad.item(), 4))
    opt.step()
