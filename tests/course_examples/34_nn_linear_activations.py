"""nn.Linear (shape rules, weight/bias, y = x W^T + b) and non-linear activations as modules and as functional calls.
Source: 001_30bebaa1fd302eaa.txt sections "1.Linear Layer" and "2.非线性的函数"; 000_3d20c0090dd74e97.txt sections "torch.nn中的計算功能" (non-linear activations) and "torch.nn.functional" (threshold, relu, elu, softmax, tanh)."""
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
layer = nn.Linear(32, 64)
print(layer)
print(layer.weight.shape, layer.bias.shape, layer.in_features, layer.out_features)
print(layer(torch.randn(10, 32)).shape)
print(layer(torch.randn(2, 5, 32)).shape)     # any leading dims, last dim must be 32

small = nn.Linear(3, 2)
x = torch.tensor([[1.0, 2.0, 3.0], [0.0, -1.0, 1.0]])
y = small(x)
print(y)
print(torch.allclose(y, x @ small.weight.T + small.bias), torch.allclose(y, F.linear(x, small.weight, small.bias)))
print(y.grad_fn.name())
print(nn.Linear(3, 2, bias=False).bias)

z = torch.tensor([-2.0, -0.5, 0.0, 0.5, 2.0])
for act in [nn.Sigmoid(), nn.ReLU(), nn.Tanh(), nn.ELU(), nn.SELU(), nn.LeakyReLU(0.1), nn.Softmax(dim=0)]:
    print(act, act(z))
print(torch.sigmoid(z), torch.tanh(z), torch.relu(z))
print(F.relu(z), F.elu(z, alpha=0.5), F.threshold(z, 0.1, -1.0))
print(F.softmax(z, dim=0).sum(), F.log_softmax(z, dim=0))

# Activation gradients.
t = torch.tensor([-1.0, 0.5, 2.0], requires_grad=True)
(torch.sigmoid(t).sum() + F.relu(t).sum() + torch.tanh(t).sum()).backward()
print(t.grad)
