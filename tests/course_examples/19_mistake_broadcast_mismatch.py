"""Classic mistake: combining tensors whose shapes cannot broadcast, including an in-place op whose target would have to grow.
Source: 000_3d20c0090dd74e97.txt sections "操作的廣播(broadcasting)機制" (ones(2,3)+ones(2,2) cannot broadcast) and "原位操作的廣播" (ones(2,3,1).add_(ones(2,3,3)) raises)."""
import torch

a = torch.ones(2, 3)
b = torch.ones(2, 2)
try:
    torch.add(a, b)
except RuntimeError as e:
    print(type(e).__name__, str(e).splitlines()[0])

try:
    torch.broadcast_tensors(a, b)
except RuntimeError as e:
    print(type(e).__name__, str(e).splitlines()[0])

# In-place: the result would need shape (2, 3, 3) but the target is (2, 3, 1).
t = torch.ones(2, 3, 1)
try:
    t.add_(torch.ones(2, 3, 3))
except RuntimeError as e:
    print(type(e).__name__, str(e).splitlines()[0])
print(t.shape)

# Fixes: make the trailing dims compatible, or use the out-of-place op.
print(torch.add(a, b[:, :1]).shape)
print(torch.add(torch.ones(2, 3, 1), torch.ones(2, 3, 3)).shape)
