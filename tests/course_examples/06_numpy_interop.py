"""Converting between NumPy arrays and tensors, and which conversions share memory.
Source: 000_3d20c0090dd74e97.txt section "Tensor與NumPy數組的互相轉換"; 001_30bebaa1fd302eaa.txt section "(2)和numpy很相似"; 002_f9db4d486eb61ab7.txt section "Tensor 与 Numpy 转换: torch.as_tensor() / torch.from_numpy()"; 003_a08ecac47ec6817a.txt section "(3)tensor和numpy array之间相互转换"."""
import numpy as np
import torch

g = np.array([[1, 2, 3], [4, 5, 6]])
h = torch.tensor(g)       # copies
i = torch.from_numpy(g)   # shares memory
k = torch.as_tensor(g)    # shares memory (no copy needed)
print(h.dtype, i.dtype, k.dtype)
g[0, 0] = 100
print(h)
print(i)
print(k)

# tensor.numpy() shares memory with the tensor.
t = torch.zeros(2, 2)
n = t.numpy()
t.add_(1)
print(n)
n[1, 1] = -5
print(t)
print(type(n).__name__, n.dtype)

# float64 arrays stay float64; as_tensor with another dtype must copy.
b = np.array([[0.25, -0.5], [1.5, 2.0]])
a = torch.as_tensor(b)
c = torch.as_tensor(b, dtype=torch.float32)
b[0, 0] = 1.0
print(a)
print(c)

# Results of torch ops are new tensors; converting back gives NumPy arrays.
m = torch.from_numpy(np.arange(6, dtype=np.float32).reshape(2, 3))
print((m * 2).numpy())
print(np.array_equal(m.numpy(), np.arange(6, dtype=np.float32).reshape(2, 3)))

# Tensors that require grad must be detached first.
w = torch.ones(3, requires_grad=True)
print(w.detach().numpy())

# NumPy arrays with negative strides must be copied before from_numpy.
rev = np.arange(4)[::-1]
print(torch.from_numpy(rev.copy()))
print(torch.from_numpy(np.ascontiguousarray(rev)))
