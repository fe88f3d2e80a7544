"""Classic mistake: modifying a leaf tensor that requires grad in place (add_, +=, item assignment) outside torch.no_grad().
Source: 000_3d20c0090dd74e97.txt section "原位(in-place)操作" (in-place updates during training break it); 002_f9db4d486eb61ab7.txt section ".detach_(), .requires_grad_(), with torch.no_grad()"."""
import torch

w = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
try:
    w.add_(1)
except RuntimeError as e:
    print(type(e).__name__, str(e).splitlines()[0])
try:
    w += 1
except RuntimeError as e:
    print(type(e).__name__, str(e).splitlines()[0])
try:
    w[0] = 5.0
except RuntimeError as e:
    print(type(e).__name__, str(e).splitlines()[0])
print(w)

# Fix: parameter updates happen under no_grad (this is what optimizers do).
loss = (w * w).sum()
loss.backward()
with torch.no_grad():
    w -= 0.1 * w.grad
print(w, w.is_leaf, w.requires_grad)

# Non-leaf results may be modified in place when nothing saved needs them.
h = w * 2
h.add_(1)
print(h.grad_fn.name())
