"""Writing an nn.Module by hand: a Linear layer from nn.Parameter and a two-layer perceptron, then inspecting it with print and named_parameters.
Source: 002_f9db4d486eb61ab7.txt sections "nn.Module 类", "nn.Parameter()", "实现简单版的全连接层以及二层感知机", "查看 nn.Module 实例的网络结构以及参数"; 004_c8555abdafc02173.txt section "2.2 Module"; 001_30bebaa1fd302eaa.txt section "3.怎么组成神经网络"."""
import torch
import torch.nn as nn


class Linear(nn.Module):
    def __init__(self, in_dim, out_dim):
        super().__init__()
        self.w = nn.Parameter(torch.randn(in_dim, out_dim))
        self.b = nn.Parameter(torch.randn(out_dim))

    def forward(self, x):
        x = x.matmul(self.w)
        return x + self.b


class Perception(nn.Module):
    def __init__(self, in_dim, hid_dim, out_dim):
        super().__init__()
        self.layer1 = Linear(in_dim, hid_dim)
        self.layer2 = Linear(hid_dim, out_dim)

    def forward(self, x):
        x = self.layer1(x)          # calling the module runs forward via __call__
        y = torch.sigmoid(x)
        y = self.layer2(y)
        return torch.sigmoid(y)


torch.manual_seed(0)
net = Perception(2, 3, 2)
print(net)
for name, p in net.named_parameters():
    print(name, tuple(p.shape), p.requires_grad, type(p).__name__)
print(sum(p.numel() for p in net.parameters()))
print(net.layer1.w)

data = torch.tensor([[0.5, -1.0], [2.0, 0.0], [1.0, 1.0], [-0.5, 0.3]])
out = net(data)
print(out)
print(out.shape, out.grad_fn.name())
out.sum().backward()
print(net.layer2.b.grad)

# Parameters are tensors with requires_grad=True by default.
p = nn.Parameter(torch.zeros(2))
print(p, p.requires_grad, isinstance(p, torch.Tensor))
print(nn.Parameter(torch.zeros(2), requires_grad=False).requires_grad)
print([name for name, _ in net.named_children()], [name for name, _ in net.named_modules()])
