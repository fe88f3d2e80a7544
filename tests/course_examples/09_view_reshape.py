"""Changing a tensor's shape with view/reshape/flatten (-1 inference) and the memory they share.
Source: 000_3d20c0090dd74e97.txt section "張量屬性的轉換" (reshape, -1); 002_f9db4d486eb61ab7.txt section "变形操作 view(), reshape()"; 003_a08ecac47ec6817a.txt section "(3)维度变换"."""
import torch

a = torch.tensor([0, 1, 2, 3])
print(a.view(2, 2))
print(a.reshape(2, 2))
print(torch.arange(6).reshape(-1, 2))
print(torch.arange(6).reshape(-1, 2).shape)

o = torch.tensor([[1.3597, 1.7565, 1.1835], [1.9602, 1.1388, 1.7656]])
print(o.view((3, 2)))
print(o.view(-1, 2))
print(o.view(-1))
print(o.flatten(), o.reshape(6).shape)

# view and reshape of a contiguous tensor share memory with it.
base = torch.arange(6)
v = base.view(2, 3)
v[0, 0] = 100
print(base)
r = base.reshape(3, 2)
r[2, 1] = -1
print(base)
print(v.stride(), r.stride())

# flatten / unflatten keep leading or trailing dims.
t = torch.arange(24).view(2, 3, 4)
print(t.flatten(1).shape, t.flatten(0, 1).shape, t.flatten(1).unflatten(1, (3, 4)).shape)

# The element count must match.
try:
    torch.arange(6).view(4, 2)
except RuntimeError as e:
    print(type(e).__name__, str(e).splitlines()[0])
