"""Forward and backward hooks on modules (the hooks part of the nn.Module docs and tutorials)."""
import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
activations = {}


def save_output(name):
    def hook(module, inputs, output):
        activations[name] = output.detach()
    return hook


def print_grads(module, grad_input, grad_output):
    print(type(module).__name__, [None if g is None else tuple(g.shape) for g in grad_input],
          [round(g.norm().item(), 4) for g in grad_output])


handles = [model[0].register_forward_hook(save_output("fc1")),
           model[2].register_full_backward_hook(print_grads),
           model[1].register_full_backward_hook(print_grads)]
x = torch.randn(3, 4, requires_grad=True)
out = model(x)
print(out.grad_fn)
print({k: v.shape for k, v in activations.items()})
out.pow(2).sum().backward()
print(x.grad)


def double_the_gradient(module, grad_input, grad_output):
    return (grad_input[0] * 2,)


relu = nn.ReLU()
relu.register_full_backward_hook(double_the_gradient)
z = torch.tensor([1.0, -1.0, 2.0], requires_grad=True)
relu(z).sum().backward()
print(z.grad)
for h in handles:
    h.remove()
x.grad = None
model(x).sum().backward()
print(x.grad.shape)
