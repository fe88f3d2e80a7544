"""A custom autograd.Function (ReLU) in the modern static-method form with ctx.save_for_backward, checked against torch.relu and gradcheck.
Source: 004_c8555abdafc02173.txt section "2.1 FuncTIon" (ReLUF; rewritten from the old non-static forward/Variable API)."""
import torch
from torch.autograd import Function


class ReLUF(Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return input.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        grad_input = grad_output.clone()
        grad_input[input < 0] = 0
        return grad_input


torch.manual_seed(0)
a = torch.randn(2, 3, requires_grad=True)
b = ReLUF.apply(a)
print(a.detach())
print(b.detach())
print(type(b.grad_fn).__name__, b.grad_fn.name(), b.requires_grad)
b.backward(torch.ones(a.size()))
print(a.grad)

# Same values and gradients as the built-in relu.
a2 = a.detach().clone().requires_grad_()
torch.relu(a2).backward(torch.ones(a.size()))
print(torch.equal(b, torch.relu(a.detach())), torch.equal(a.grad, a2.grad))

# Numerical gradient check in float64 (inputs away from the kink at 0).
x = torch.tensor([[-1.5, 0.7, 2.0], [0.3, -0.4, -2.2]], dtype=torch.float64, requires_grad=True)
print(torch.autograd.gradcheck(ReLUF.apply, (x,)))

# The Function composes with ordinary ops inside a bigger graph.
x = torch.tensor([-1.0, 0.5, 2.0], requires_grad=True)
loss = (ReLUF.apply(x * 3 - 1) ** 2).sum()
loss.backward()
print(loss, x.grad)
