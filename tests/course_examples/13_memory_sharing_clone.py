"""Which operations share memory with their input (views, detach, in-place) and which copy (clone, cat, fancy indexing), plus resize_().
Source: 002_f9db4d486eb61ab7.txt sections "Tensor 的内存共享" and "原地操作函数 resize_()"; 000_3d20c0090dd74e97.txt section "張量的復制" (clone stays in the graph)."""
import torch

a = torch.ones(2, 2)
alias = a              # plain assignment: the same tensor object
view = a.view(4)       # view: new tensor object, same memory
part = a[0]            # basic slicing: view
fancy = a[[0]]         # integer-array indexing: copy
joined = torch.cat([a, a])  # cat: copy
cl = a.clone()         # clone: copy
a.add_(1)
print(alias)
print(view)
print(part)
print(fancy)
print(joined[0])
print(cl)
print(alias is a, view is a)

# In-place ops return the tensor they modified.
b = torch.tensor([[0.5857, -0.7018], [-0.2838, -0.4451]])
c = a.add_(b)
print(c is a)
print(a)

# clone() stays in the autograd graph; detach() shares memory but leaves the graph.
w = torch.tensor([1.0, 2.0], requires_grad=True)
wc = w.clone()
print(wc.grad_fn.name(), wc.requires_grad)
(wc * 3).sum().backward()
print(w.grad)
wd = w.detach()
print(wd.requires_grad, wd.grad_fn)
wd[0] = 10.0
print(w)

# resize_(): shrinking keeps the hidden storage, so growing back reveals the old values.
r = torch.arange(4)
print(r.resize_(2))
print(r.resize_(4))
print(r.resize_(2, 2))
print(r.resize_(8).shape)  # the 4 new elements are uninitialised, so only the shape is printed
