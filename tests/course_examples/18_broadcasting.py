"""Broadcasting rules (align trailing dims; sizes must match, be 1, or be missing), including in-place broadcasting and gradients of broadcast ops.
Source: 000_3d20c0090dd74e97.txt sections "操作的廣播(broadcasting)機制" and "原位操作的廣播"; 002_f9db4d486eb61ab7.txt section "广播" and torch.max(input, other); 003_a08ecac47ec6817a.txt section "5、tensor的广播机制"."""
import torch

x = torch.tensor([-1.3, 2.8, 3.5, -4.2, -5.6, 6.99])
print(torch.add(x, 100))                 # scalar broadcast

a = torch.ones(2, 3, 3)
b = torch.tensor([[[1], [2], [3]], [[4], [5], [6]]])   # (2, 3, 1)
c = torch.add(a, b)
print(b.shape, c.shape)
print(c)

d = torch.tensor([[1], [2], [3]])         # (3, 1) -> (1, 3, 1) -> (2, 3, 3)
e = torch.add(a, d)
print(d.shape, e.shape)
print(e)

p = torch.arange(1, 3).view(1, 2)
q = torch.arange(1, 4).view(3, 1)
print(p)
print(q)
print(p + q)

# The same result as expanding both operands explicitly.
print(torch.equal(p + q, p.expand(3, 2) + q.expand(3, 2)))
print([t.shape for t in torch.broadcast_tensors(torch.ones(2, 3, 3), torch.ones(3, 1))])
print([t.shape for t in torch.broadcast_tensors(torch.ones(5, 1, 4), torch.ones(3, 1))])
bp, bq = torch.broadcast_tensors(p, q)
print(bp.shape, bp.stride(), bq.stride())

# Element-wise max with broadcasting.
print(torch.max(torch.tensor([[1.0, 5.0], [3.0, -1.0]]), torch.tensor([2.0, 0.0])))

# In-place: the argument may broadcast, the tensor being modified may not change shape.
t = torch.ones(2, 3, 3)
t.add_(torch.tensor([[[1.0]], [[2.0]]]))  # (2, 1, 1) broadcasts to (2, 3, 3)
print(t[:, 0, 0], t.shape)

# Gradients flow back through broadcasting by summing over the broadcast dims.
w = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
bias = torch.tensor([0.1, 0.2, 0.3], requires_grad=True)
col = torch.tensor([[10.0], [20.0]], requires_grad=True)
out = (w + bias) * col
out.sum().backward()
print(w.grad)
print(bias.grad)
print(col.grad)
print(out.grad_fn.name(), out.grad_fn.next_functions[0][0].name())
