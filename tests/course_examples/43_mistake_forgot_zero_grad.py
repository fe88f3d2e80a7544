"""Classic mistake: forgetting optimizer.zero_grad(), so gradients from earlier steps keep adding up in .grad.
Source: 001_30bebaa1fd302eaa.txt section "(3)Optimization Algorithm" (three steps: zero the gradients, backward, step); 002_f9db4d486eb61ab7.txt section "优化器 nn.optim" (clear the gradients before every optimization step); 003_a08ecac47ec6817a.txt section "3、示例" (gradients accumulate)."""
import torch
import torch.optim as optim

x = torch.tensor(2.0)
y = torch.tensor(4.0)


def run(zero_grad):
    w = torch.tensor(0.0, requires_grad=True)
    opt = optim.SGD([w], lr=0.05)
    for step in range(4):
        if zero_grad:
            opt.zero_grad()
        loss = (w * x - y) ** 2
        loss.backward()
        true_grad = 2 * (w.item() * x.item() - y.item()) * x.item()
        print(step, "loss", round(loss.item(), 4), "w.grad", round(w.grad.item(), 4), "true grad", round(true_grad, 4))
        opt.step()
    return w.item()


print("forgot zero_grad:")
w_bad = run(zero_grad=False)
print("with zero_grad:")
w_good = run(zero_grad=True)
print(round(w_bad, 4), round(w_good, 4))

# The same accumulation without an optimizer.
a = torch.tensor([1.0, 2.0], requires_grad=True)
for _ in range(3):
    (a * 3).sum().backward()
print(a.grad)
a.grad.zero_()
(a * 3).sum().backward()
print(a.grad)
