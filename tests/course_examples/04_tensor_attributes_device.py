"""Tensor attributes (shape/size, ndim, numel, dtype, device, grad, requires_grad, is_leaf, item) and CPU device handling.
Source: 000_3d20c0090dd74e97.txt sections "張量的常用屬性", "張量的device屬性", "張量屬性的轉換"; 001_30bebaa1fd302eaa.txt section "(3)Tensor在哪个Device上跑的问题"; 002_f9db4d486eb61ab7.txt section "查看 Tensor 维度以及元素个数" and "Tensor.item()"; 003_a08ecac47ec6817a.txt section "3、查看tensor的维度"."""
import torch

x = torch.arange(15, dtype=torch.float32).reshape(5, 3)
print(x.shape, x.size(), x.size(0), x.size(-1))
print(x.dim(), x.ndim, x.numel(), x.nelement(), len(x))
print(x.dtype, x.device, x.requires_grad, x.is_leaf, x.grad)
print(x.element_size(), x.stride(), x.is_contiguous())
print(type(x.shape).__name__, list(x.shape), tuple(x.shape))

# 0-d tensors and .item().
s = torch.tensor(2.5)
print(s, s.dim(), s.shape, s.item(), type(s.item()).__name__)
print(torch.tensor([7]).item(), torch.tensor(True).item())

# Devices: this course runs everything on the CPU.
dev = torch.device('cpu')
print(dev, dev.type, dev.index)
a = torch.tensor([0, 1, 2, 3], device=dev)
b = torch.tensor([0, 1, 2, 3], device='cpu')
print(a.device, b.device, a.device == dev)
c = a.to('cpu')          # moving to the same device is a no-op
print(c.device, c)
d = a.to(torch.double)   # .to() also converts dtype
print(d)
print(a.to(dev, torch.float16))
print(a.cpu().numpy())   # GPU tensors must come back to the CPU before .numpy()

# .grad stays None until backward() populates it.
w = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
print(w.grad, w.requires_grad, w.is_leaf)
(w * w).sum().backward()
print(w.grad)
