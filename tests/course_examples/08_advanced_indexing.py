"""Boolean-mask indexing, integer-array ("fancy") indexing, take/index_select/gather and one-hot encoding.
Source: 002_f9db4d486eb61ab7.txt section "索引" (boolean and fancy indexing); 000_3d20c0090dd74e97.txt sections "用于創建張量的常用操作" (take) and "np.eye(num_class)[label_array]"."""
import torch
import torch.nn.functional as F

a = torch.tensor([[0.3150, -1.8297], [0.0648, -1.1429]])
mask = a > 0
print(mask, mask.dtype)
print(a[mask])
print(a[~mask])
print(a[~(a > 0)])

x = torch.arange(8).view(8, 1).repeat(1, 4)
print(x)
print(x[[4, 3, 0, 6]])
print(x[[0, 3, 1, 2], :])
print(x[[0, 1, 2, 3], [0, 1, 2, 3]])
print(x[torch.tensor([[0, 1], [6, 7]])].shape)

# Fancy indexing returns a copy, not a view.
y = x[[0, 1]]
y[0, 0] = 99
print(x[0], y[0])

# Boolean assignment and masked_fill.
b = torch.tensor([1.0, -2.0, 3.0, -4.0])
b[b < 0] = 0.0
print(b)
print(torch.tensor([1.0, -2.0, 3.0]).masked_fill(torch.tensor([False, True, False]), 9.0))

# take uses flat (row-major) indices; index_select picks along a dim; gather per element.
m = torch.arange(6).reshape(2, 3) * 10
print(torch.take(m, torch.tensor([0, 2, 5])))
print(torch.index_select(m, 1, torch.tensor([2, 0])))
print(torch.gather(m, 1, torch.tensor([[2, 0], [1, 1]])))
print(torch.nonzero(m > 15))
print(m.argmax(), m.argmax(dim=1))

# One-hot encoding: eye(num_classes)[labels] or F.one_hot.
labels = torch.tensor([0, 1, 0, 2])
print(torch.eye(3)[labels])
print(F.one_hot(labels, num_classes=3))
