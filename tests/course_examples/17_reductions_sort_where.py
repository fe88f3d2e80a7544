"""Reductions (sum/mean/max/min/argmax/prod/std/cumsum), sorting and torch.where.
Source: 002_f9db4d486eb61ab7.txt sections "排序 sort()", "取极值 max(), min()", "通用函数" (torch.where()); 000_3d20c0090dd74e97.txt section "常用計算操作" (where, sort); 000 NumPy table (sum, diff)."""
import torch

a = torch.tensor([[1.9710, -1.0310, -0.6732],
                  [-0.4766, 0.3254, 1.5063],
                  [-0.5229, -0.0387, 0.8007]])

# sort(dim, descending) returns values and the original indices.
values, indices = a.sort(0, True)
print(values)
print(indices)
v2, i2 = torch.sort(a, dim=1)
print(v2)
print(i2)
print(torch.argsort(a[0]))

# max/min along a dim return (values, indices); without dim a single value.
print(a.max(0)[0])
print(a.max(0)[1])
print(a.max(), a.min())
mv, mi = a.min(dim=1)
print(mv, mi)
print(a.argmax(), a.argmax(dim=0), a.argmin(dim=1))
print(a.max(dim=1, keepdim=True).values.shape)

# Element-wise max of two tensors (broadcasting allowed).
print(torch.max(a, torch.zeros(3)))
print(torch.maximum(a, torch.tensor([[0.0], [0.5], [1.0]])))

# Sums and means.
m = torch.arange(1.0, 7.0).reshape(2, 3)
print(m.sum(), m.sum(0), m.sum(1), m.sum(dim=1, keepdim=True))
print(m.mean(), m.mean(0), torch.mean(m, dim=1))
print(m.prod(), m.std(), m.var(dim=1))
print(torch.cumsum(m, dim=1), torch.diff(torch.tensor([1, 4, 9, 16])))
print(torch.tensor([1, 2, 3]).sum().dtype, torch.tensor([True, False, True]).sum())

# where(condition, x, y) picks x where condition holds, else y.
x = torch.arange(8).view(8, 1).repeat(1, 4)
print(torch.where(x > 4, torch.ones_like(x), x))
print(torch.where(a > 0, a, torch.zeros_like(a)))
print(torch.where(a > 0, a, 0.0))
print(torch.where(a > 1))           # single argument: indices where True
