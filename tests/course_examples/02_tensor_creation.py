"""Creating tensors from Python data, from NumPy, from shapes and from other tensors (no randomness).
Source: 000_3d20c0090dd74e97.txt section "tensor的創建"/"用于創建張量的常用操作"; 002_f9db4d486eb61ab7.txt section "生成 Tensor"; 003_a08ecac47ec6817a.txt sections "1、创建tensor" and "2、常见构造tensor的函数"."""
import numpy as np
import torch

# Direct creation from data; requires_grad marks a tensor for autograd.
t = torch.tensor([0.0, 1.0, 2.0, 3.0], requires_grad=True)
print(t)
print(torch.tensor([[1., -1.], [1., -1.]]))
print(torch.tensor(1.0, dtype=torch.float), torch.tensor(1, dtype=torch.long), torch.tensor(1.0, dtype=torch.int8))
print(torch.tensor([1, 2, 3, 4], dtype=torch.int32))
print(torch.tensor(np.array([[1, 2, 3], [4, 5, 6]])))
# Legacy constructor torch.Tensor(data) always gives float32 (prefer torch.tensor).
print(torch.Tensor([[1, 2, 3], [4, 5, 6]]))

# Shape-based factories.
print(torch.ones(3, 2))
print(torch.zeros(3, 2))
print(torch.zeros(5, 3, dtype=torch.long))
print(torch.zeros([2, 2], dtype=torch.int8))
print(torch.eye(2, 2))
print(torch.eye(3))
print(torch.eye(3, 5))
print(torch.full((2, 3), 7.0))
e = torch.empty(2, 3)  # uninitialised memory: print only shape and dtype
print(e.shape, e.dtype)

# Ranges.
print(torch.arange(6))
print(torch.arange(1, 6, 2))
print(torch.arange(0, 10, 2))
print(torch.arange(0.0, 1.0, 0.25))
print(torch.linspace(1, 6, 2))
print(torch.linspace(0, 1, 5))

# Factories that copy shape/dtype from another tensor.
print(torch.zeros_like(t))
print(torch.ones_like(t))
print(torch.full_like(t, 2.5))
# new_* methods inherit dtype (and device) from the source tensor.
i = torch.tensor([1, 2, 3])
print(i.new_tensor([7, 8]), i.new_zeros(2, 2), i.new_ones(3))
print(t.new_zeros(2).dtype, i.new_zeros(2).dtype)
