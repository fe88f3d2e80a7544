"""Optimizers: the zero_grad/backward/step cycle, plain SGD against a hand update, momentum, param groups with different learning rates, changing lr by hand or with a scheduler, and Adam.
Source: 002_f9db4d486eb61ab7.txt section "优化器 nn.optim" (SGD with momentum, set_learning_rate, per-layer learning rates, dynamic learning-rate adjustment); 001_30bebaa1fd302eaa.txt section "(3)Optimization Algorithm"."""
import torch
import torch.nn as nn
import torch.optim as optim

# One SGD step equals p <- p - lr * grad.
w = torch.tensor([1.0, -2.0], requires_grad=True)
opt = optim.SGD([w], lr=0.1)
loss = (w ** 2).sum()
opt.zero_grad()
loss.backward()
expected = w.detach() - 0.1 * w.grad
opt.step()
print(w, torch.allclose(w.detach(), expected))

# Momentum: buf = momentum * buf + grad; p <- p - lr * buf.
w = torch.tensor([1.0, -2.0], requires_grad=True)
opt = optim.SGD([w], lr=0.1, momentum=0.9)
manual = torch.tensor([1.0, -2.0])
buf = torch.zeros(2)
for step in range(4):
    opt.zero_grad()
    (w ** 2).sum().backward()
    opt.step()
    grad = 2 * manual
    buf = 0.9 * buf + grad if step > 0 else grad.clone()
    manual = manual - 0.1 * buf
    print(step, w.detach(), torch.allclose(w.detach(), manual))
print(list(opt.state_dict().keys()), opt.param_groups[0]['lr'], opt.param_groups[0]['momentum'])

# Per-layer learning rates via parameter groups.
torch.manual_seed(0)
net = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
opt = optim.SGD([{'params': net[0].parameters()},
                 {'params': net[2].parameters(), 'lr': 0.01}], lr=0.1, momentum=0.9)
print([g['lr'] for g in opt.param_groups], [len(g['params']) for g in opt.param_groups])


def set_learning_rate(optimizer, lr):
    """Sets the learning rate of every parameter group to the given value."""
    for param_group in optimizer.param_groups:
        param_group['lr'] = lr


set_learning_rate(opt, 0.05)
print([g['lr'] for g in opt.param_groups])

# A scheduler halves the learning rate every 2 epochs.
opt = optim.SGD(net.parameters(), lr=0.1)
sched = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
lrs = []
for epoch in range(6):
    opt.step()
    sched.step()
    lrs.append(round(sched.get_last_lr()[0], 6))
print(lrs)

# Adam on a small quadratic bowl.
p = torch.tensor([3.0, -1.0], requires_grad=True)
adam = optim.Adam([p], lr=0.1)
for step in range(50):
    adam.zero_grad()
    loss = ((p - torch.tensor([1.0, 2.0])) ** 2).sum()
    loss.backward()
    adam.step()
    if step % 10 == 0:
        print(step, round(loss.item(), 5))
print(p.detach())
