"""Element-wise math: torch.op / tensor.op / tensor.op_ forms, arithmetic, rounding, clamp, comparison, bitwise and logical ops.
Source: 000_3d20c0090dd74e97.txt sections "3、操作(operation)", "定義計算操作的方法" and "常用計算操作"; 001_30bebaa1fd302eaa.txt section "1.基本数学运算"; 002_f9db4d486eb61ab7.txt section "张量方法" (clamp, abs, sqrt, log, pow, sin, cos, matmul); 003_a08ecac47ec6817a.txt section "(1)加法操作"."""
import torch

x = torch.tensor([-1.3, 2.8, 3.5, -4.2, -5.6, 6.99])
print(torch.mul(x, 100))
print(torch.add(x, 100))
print(x.add(100))
print(x)                 # unchanged by the out-of-place forms
y = x.add_(100)          # in-place form changes x itself
print(x, y is x)

a = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
b = torch.tensor([[0.5, -1.0], [2.0, 8.0]])
print(a + b, torch.add(a, b))
print(a - b, torch.sub(a, b), torch.subtract(a, b))
print(a * b, torch.multiply(a, b))
print(a / b, torch.div(a, b), torch.divide(a, b))
print(a ** 2, torch.pow(a, 0.5), a.pow(b))
print(a // 3, a % 3, -a)
print(a @ b, torch.matmul(a, b), torch.mm(a, b))
print(torch.dot(torch.tensor([1.0, 2.0]), torch.tensor([3.0, 4.0])))

u = torch.tensor([0.0, 0.25, 1.0, 4.0])
print(u.abs(), u.sqrt(), u.exp(), torch.log(u + 1))
print(torch.sin(u), torch.cos(u), torch.tan(u), torch.tanh(u), torch.sigmoid(u))
print(torch.arcsin(torch.tensor([0.0, 0.5, 1.0])), torch.arccos(torch.tensor([1.0])), torch.arctan(torch.tensor([1.0])))
print(torch.square(u), torch.reciprocal(torch.tensor([2.0, 4.0])))

r = torch.tensor([-2.5, -1.5, -0.4, 0.5, 1.5, 2.6])
print(torch.round(r), torch.ceil(r), torch.floor(r), torch.trunc(r))
print(torch.round(torch.tensor([1.23456]), decimals=2))
print(r.clamp(-1, 1), r.clip(min=0), torch.clamp(torch.tensor([[0, 1], [2, 3]]), 1, 2))

# Comparisons produce bool tensors.
print(a == 2, a.eq(b), a > b, torch.ge(a, 2), torch.equal(a, a.clone()))
print(torch.allclose(torch.tensor([1.0]), torch.tensor([1.0 + 1e-9])))

# Bitwise ops on integers, logical ops on anything.
i = torch.tensor([0b1100, 0b1010])
j = torch.tensor([0b1010, 0b0110])
print(torch.bitwise_and(i, j), torch.bitwise_or(i, j), torch.bitwise_xor(i, j), torch.bitwise_not(i))
print(i & j, i | j, i ^ j, ~i)
t = torch.tensor([True, False, True])
f = torch.tensor([False, False, True])
print(torch.logical_or(t, f), torch.logical_and(t, f), torch.logical_not(t), ~t)

# Fused ops and norms.
print(torch.addcmul(torch.ones(3), torch.tensor([1.0, 2.0, 3.0]), torch.tensor([4.0, 5.0, 6.0]), value=0.5))
print(torch.norm(torch.tensor([3.0, 4.0])), torch.linalg.norm(torch.tensor([[1.0, 2.0], [2.0, 4.0]])))
print(torch.maximum(torch.tensor([1, 5]), torch.tensor([3, 2])), torch.minimum(torch.tensor([1, 5]), torch.tensor([3, 2])))
