"""Classic mistake: calling backward() without a gradient argument on a non-scalar output.
Source: 002_f9db4d486eb61ab7.txt section "Tensor.backward()" (a non-scalar output needs a gradient argument)."""
import torch

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x * 2
try:
    y.backward()
except RuntimeError as e:
    print(type(e).__name__, str(e).splitlines()[0])

# Fixes: pass the upstream gradient, or reduce to a scalar first.
y.backward(torch.ones_like(y))
print(x.grad)
x.grad = None
(x * 2).sum().backward()
print(x.grad)

# A one-element tensor counts as a scalar.
z = (x * 2)[:1]
print(z.shape)
x.grad = None
z.backward()
print(x.grad)
