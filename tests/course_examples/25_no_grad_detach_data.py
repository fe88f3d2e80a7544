"""Stopping gradient tracking: requires_grad_(), detach()/detach_(), torch.no_grad(), set_grad_enabled, and the .data escape hatch.
Source: 002_f9db4d486eb61ab7.txt section ".detach_(), .requires_grad_(), with torch.no_grad()"; 003_a08ecac47ec6817a.txt section "3、示例" (.detach(), torch.no_grad(), tensor.data); 001_30bebaa1fd302eaa.txt section "(4)为什么要设置model的模式,以及为什么要把梯度计算关掉"."""
import torch

a = torch.tensor([[-0.2342, -1.2398], [-0.8127, -0.9557]])
print(a.requires_grad)
print(a.requires_grad_())
print(a.detach_())
print(a.requires_grad)

b = torch.tensor([1.0], requires_grad=True)
with torch.no_grad():
    c = b ** 2
    print(c.requires_grad, torch.is_grad_enabled())
print((b ** 2).requires_grad, torch.is_grad_enabled())

x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
print(x.requires_grad, (x ** 2).requires_grad)
with torch.no_grad():
    print((x ** 2).requires_grad)
with torch.set_grad_enabled(False):
    print((x * 2).requires_grad)


@torch.no_grad()
def evaluate(t):
    return t * 3


print(evaluate(x).requires_grad)

# detach(): same memory, no history.
d = x.detach()
print(d.requires_grad, d.grad_fn, d.is_leaf)
y = (x * d).sum()            # d is treated as a constant
y.backward()
print(x.grad)

# .data: change values without autograd noticing.
x = torch.ones(1, requires_grad=True)
print(x.data)
print(x.data.requires_grad)
y = 2 * x
x.data *= 100
y.backward()
print(x)
print(x.grad)

# .data bypasses the in-place check, so a saved value can silently change:
# y = x*x saves x; after x.data *= 100 the gradient uses the new value.
x = torch.ones(1, requires_grad=True)
y = x * x
x.data *= 100
y.backward()
print(x.grad)               # 200, although dy/dx was 2 when y was computed
# The same change through detach() is detected instead.
x = torch.ones(1, requires_grad=True)
y = x * x
x.detach().mul_(100)
try:
    y.backward()
except RuntimeError as e:
    print(type(e).__name__, str(e).splitlines()[0])
