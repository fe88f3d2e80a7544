"""Joining tensors with cat/stack and splitting them with chunk/split/unbind.
Source: 002_f9db4d486eb61ab7.txt section "Tensor 的拼接与分块" (cat, stack, chunk, split); 001_30bebaa1fd302eaa.txt section "5.cat()"; 000_3d20c0090dd74e97.txt section "用于創建張量的常用操作" (cat/concat/split/stack)."""
import torch

a = torch.arange(1, 5).reshape(2, 2)
b = torch.arange(5, 9).reshape(2, 2)
print(torch.cat([a, b], 0))
print(torch.cat([a, b], 1))
print(torch.concat((a, b), dim=0).shape)

# stack inserts a new dimension at the given position.
for dim in range(3):
    s = torch.stack([a, b], dim)
    print(dim, s.shape)
    print(s)

# cat only needs the non-concatenated dims to match.
x = torch.zeros(2, 1, 3)
y = torch.ones(2, 3, 3)
z = torch.full((2, 2, 3), 2.0)
w = torch.cat([x, y, z], dim=1)
print(w.shape)
print(w[0, :, 0])

try:
    torch.cat([torch.zeros(2, 2), torch.zeros(3, 3)], dim=1)
except RuntimeError as e:
    print(type(e).__name__, str(e).splitlines()[0])
try:
    torch.stack([torch.zeros(2, 2), torch.zeros(2, 3)])
except RuntimeError as e:
    print(type(e).__name__, str(e).splitlines()[0])

# chunk: number of pieces; the last piece may be smaller.
c = torch.arange(6).reshape(2, 3)
print(torch.chunk(c, 2, 0))
print(torch.chunk(c, 2, 1))
print([p.shape for p in torch.arange(10).chunk(4)])

# split: size of each piece (int or list).
print(torch.split(c, 2, 0))
print(torch.split(c, 2, 1))
print(torch.split(c, [1, 2], 1))
print(c.unbind(0))

# Pieces are views into the original tensor.
first, second = torch.split(c, [1, 2], 1)
second[0, 0] = 100
print(c)
print(second.is_contiguous(), second.stride())
