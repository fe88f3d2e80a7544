"""A custom autograd.Function for a fully connected layer (ctx.needs_input_grad, optional bias) wrapped in an nn.Module with nn.Parameter.
Source: 004_c8555abdafc02173.txt section "2.2 Module" (LinearF and Linear; rewritten with static methods, ctx and initialised parameters)."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.autograd import Function


class LinearF(Function):
    @staticmethod
    def forward(ctx, input, weight, bias=None):
        ctx.save_for_backward(input, weight, bias)
        output = input.mm(weight.t())
        if bias is not None:
            output += bias.unsqueeze(0).expand_as(output)
        return output

    @staticmethod
    def backward(ctx, grad_output):
        input, weight, bias = ctx.saved_tensors
        grad_input = grad_weight = grad_bias = None
        if ctx.needs_input_grad[0]:
            grad_input = grad_output.mm(weight)
        if ctx.needs_input_grad[1]:
            grad_weight = grad_output.t().mm(input)
        if bias is not None and ctx.needs_input_grad[2]:
            grad_bias = grad_output.sum(0)
        return grad_input, grad_weight, grad_bias


class MyLinear(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = nn.Parameter(torch.empty(out_features, in_features))
        if bias:
            self.bias = nn.Parameter(torch.empty(out_features))
        else:
            self.register_parameter('bias', None)
        self.reset_parameters()

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.in_features)
        for p in self.parameters():
            p.data.uniform_(-stdv, stdv)

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"

    def forward(self, input):
        return LinearF.apply(input, self.weight, self.bias)


torch.manual_seed(0)
layer = MyLinear(3, 2)
print(layer)
print([(name, tuple(p.shape)) for name, p in layer.named_parameters()])
x = torch.tensor([[1.0, 2.0, 3.0], [-1.0, 0.0, 1.0]])
out = layer(x)
print(out)
print(out.grad_fn.name())
out.sum().backward()
print(layer.weight.grad)
print(layer.bias.grad)

# Same forward and gradients as F.linear.
w = layer.weight.detach().clone().requires_grad_()
bb = layer.bias.detach().clone().requires_grad_()
ref = F.linear(x, w, bb)
ref.sum().backward()
print(torch.allclose(out, ref), torch.allclose(layer.weight.grad, w.grad), torch.allclose(layer.bias.grad, bb.grad))

# needs_input_grad skips gradients nobody asked for; bias=None works too.
nobias = MyLinear(3, 2, bias=False)
print(nobias, nobias.bias)
y = nobias(x)
y.sum().backward()
print(nobias.weight.grad.shape)

# gradcheck in float64 for all three inputs.
xi = torch.randn(4, 3, dtype=torch.float64, requires_grad=True)
wi = torch.randn(2, 3, dtype=torch.float64, requires_grad=True)
bi = torch.randn(2, dtype=torch.float64, requires_grad=True)
print(torch.autograd.gradcheck(LinearF.apply, (xi, wi, bi)))
