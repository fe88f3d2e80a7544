"""Module state: parameters vs buffers (persistent and non-persistent), register_parameter/register_buffer/add_module, state_dict, requires_grad_, to(dtype), zero_grad, train/eval flags.
Source: 000_3d20c0090dd74e97.txt sections "parameter與buffer", "torch.nn.Module的常用屬性或方法", "創建parameter的兩種方法", "創建buffer的方法"."""
import torch
import torch.nn as nn


class ModuleA(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(2, 2))   # auto-registered

    def forward(self, x):
        return x.mm(self.weight)


class ModuleB(nn.Module):
    def __init__(self):
        super().__init__()
        weight = nn.Parameter(torch.randn(2, 2))
        self.register_parameter('weight', weight)
        self.register_buffer('my_buffer', torch.ones(2, 2))
        self.register_buffer('scratch', torch.zeros(2), persistent=False)
        self.plain = torch.full((2,), 5.0)               # plain attribute: not state

    def forward(self, x):
        return x.mm(self.weight).mm(self.my_buffer)


torch.manual_seed(0)
a = ModuleA()
b = ModuleB()
x = torch.tensor([[1.0, 2.0]])
print(a(x))
print(b(x))
print([n for n, _ in a.named_parameters()], [n for n, _ in b.named_parameters()])
print([n for n, _ in b.named_buffers()], len(list(b.buffers())))
print(list(b.state_dict().keys()))
print(type(b.state_dict()).__name__)
print(b.state_dict()['my_buffer'])

# add_module registers a child under a name (same as attribute assignment).
b.add_module('head', nn.Linear(2, 1))
print(b)
print(list(b.state_dict().keys()))
print(b.head is b.get_submodule('head'))

# Freezing with requires_grad_(False).
b.requires_grad_(False)
print([p.requires_grad for p in b.parameters()])
b.head.requires_grad_(True)
print([(n, p.requires_grad) for n, p in b.named_parameters()])

# to(dtype) converts parameters and floating buffers.
b.to(torch.float64)
print(b.weight.dtype, b.my_buffer.dtype, b.scratch.dtype, b.plain.dtype)

# zero_grad clears gradients (sets them to None by default).
out = b.head(torch.ones(1, 2, dtype=torch.float64)).sum()
out.backward()
print(b.head.weight.grad)
b.zero_grad()
print(b.head.weight.grad)

# train()/eval() flip the training flag on the module and all children.
print(b.training, b.head.training)
b.eval()
print(b.training, b.head.training)
b.train()
print(b.training, b.head.training)
