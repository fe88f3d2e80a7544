"""Tensor dtypes, casting between them, the default dtype and type promotion.
Source: 000_3d20c0090dd74e97.txt section "張量的數據類型(dtype)"; 001_30bebaa1fd302eaa.txt section "(1)数据类型"; 002_f9db4d486eb61ab7.txt section "Tensor 类型"/"类型转换" (double(), type(), type_as()); 003_a08ecac47ec6817a.txt section "1、创建tensor" (dtype)."""
import numpy as np
import torch

dtypes = [torch.float16, torch.half, torch.bfloat16, torch.float32, torch.float, torch.float64,
          torch.double, torch.uint8, torch.int8, torch.int16, torch.short, torch.int32, torch.int,
          torch.int64, torch.long, torch.bool]
for dt in dtypes:
    print(dt, torch.zeros(1, dtype=dt).element_size(), dt.is_floating_point)

# dtypes inferred from data.
print(torch.tensor([1, 2, 3]).dtype, torch.tensor([1.0, 2.0]).dtype, torch.tensor([True, False]).dtype)
print(torch.tensor(np.array([1.5, 2.5])).dtype, torch.tensor(np.array([1, 2], dtype=np.int32)).dtype)

# Casting: method shortcuts, .to(), .type(), .type_as().
a = torch.tensor([[1.7017, -0.1865], [-1.1735, 0.4421]])
b = a.double()
print(b)
print(a.to(torch.float64).dtype, a.type(torch.float64).dtype, a.type())
print(a.half())
print(a.bfloat16())
print(a.int(), a.long().dtype)
print(a.bool())
ints = torch.tensor([1, 2, 3])
print(ints.float(), ints.type_as(b))
print(torch.tensor([-1.7, -0.2, 0.2, 1.7]).int())  # float -> int truncates toward zero

# Default dtype (replacement for the deprecated set_default_tensor_type).
print(torch.get_default_dtype())
torch.set_default_dtype(torch.float64)
print(torch.tensor([1.5]).dtype, torch.ones(1).dtype, torch.arange(3).dtype)
torch.set_default_dtype(torch.float32)
print(torch.get_default_dtype())

# Type promotion rules.
print(torch.tensor([1, 2]) + 0.5)
print((torch.tensor([1, 2]) + torch.tensor([1.0, 2.0])).dtype)
print(torch.tensor([3, 4]) / 2, torch.tensor([3, 4]) // 2)
print((torch.tensor([1], dtype=torch.int8) + torch.tensor([1])).dtype)
print((torch.ones(1, dtype=torch.float16) + torch.ones(1, dtype=torch.float32)).dtype)
print(torch.promote_types(torch.int32, torch.float16), torch.result_type(torch.tensor([1]), 1.0))
print(torch.tensor([250], dtype=torch.uint8) + 10)  # wraps around

# Reduced precision.
print(torch.tensor(1 / 3, dtype=torch.float16), torch.tensor(1 / 3, dtype=torch.bfloat16),
      torch.tensor(1 / 3, dtype=torch.float64))
