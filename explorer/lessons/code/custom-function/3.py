import torch


class LinearF(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, w, b):
        ctx.save_for_backward(x, w)
        return x @ w.t() + b

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        return (g @ w if ctx.needs_input_grad[0] else None), g.t() @ x, g.sum(0)

x = torch.ones(4, 3, dtype=torch.float64)
w = torch.tensor([[1.0, 2.0, 3.0], [0.5, -1.0, 0.0]], dtype=torch.float64, requires_grad=True)
b = torch.zeros(2, dtype=torch.float64, requires_grad=True)
LinearF.apply(x, w, b).sum().backward()
print(x.grad, w.grad, b.grad)
