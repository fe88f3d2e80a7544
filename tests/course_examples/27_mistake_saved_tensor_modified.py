"""Classic mistake: changing in place a tensor that autograd saved for the backward pass, detected through version counters.
Source: 000_3d20c0090dd74e97.txt section "原位(in-place)操作" (when several tensors refer to one tensor, an in-place op affects the others); 004_c8555abdafc02173.txt section "2.1 FuncTIon" (save_for_backward)."""
import torch

# sigmoid saves its output to compute the gradient.
x = torch.tensor([0.0, 1.0, 2.0], requires_grad=True)
s = x.sigmoid()
s.mul_(2)
try:
    s.sum().backward()
except RuntimeError as e:
    print(type(e).__name__, str(e).splitlines()[0])

# pow saves its input a; modifying a afterwards breaks b's backward.
x = torch.tensor([0.0, 1.0, 2.0], requires_grad=True)
a = x * 1
b = a ** 2
a.add_(1)
try:
    b.sum().backward()
except RuntimeError as e:
    print(type(e).__name__, str(e).splitlines()[0])

# Fix: use out-of-place ops (or clone before modifying).
x = torch.tensor([0.0, 1.0, 2.0], requires_grad=True)
s = x.sigmoid()
s2 = s * 2
s2.sum().backward()
print(x.grad)

x = torch.tensor([0.0, 1.0, 2.0], requires_grad=True)
a = x * 1
b = a ** 2
a2 = a.clone().add_(1)
(b.sum() + a2.sum()).backward()
print(x.grad)
