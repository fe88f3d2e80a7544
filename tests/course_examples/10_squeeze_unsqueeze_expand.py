"""Removing and inserting size-1 dimensions (squeeze/unsqueeze) and broadcasting views with expand/expand_as.
Source: 000_3d20c0090dd74e97.txt section "張量的維度壓縮、擴展"; 001_30bebaa1fd302eaa.txt sections "3.sqeeze()"/"4.unsqeeze()"; 002_f9db4d486eb61ab7.txt sections "squeeze(), unsqueeze()" and "expand(), expand_as()"; 003_a08ecac47ec6817a.txt section "6、扩展&压缩tensor的维度"."""
import torch

z = torch.zeros(3, 1, 2, 1, 5)
print(torch.squeeze(z).shape)
print(torch.squeeze(z, 0).shape)   # dim 0 has size 3: nothing removed
print(torch.squeeze(z, 1).shape)
print(z.squeeze((1, 3)).shape)

v = torch.tensor([1, 2, 3, 4])
print(torch.unsqueeze(v, 0))
print(torch.unsqueeze(v, 1))
print(v.unsqueeze(-1).shape, v[None, :, None].shape)

a = torch.arange(3)
print(a.shape, a.unsqueeze(0).shape, a.unsqueeze(0).squeeze(0).shape)

# A (1, 2, 3) tensor squeezed to (2, 3).
x = torch.arange(6).view(1, 2, 3)
print(x.squeeze(0))

o = torch.tensor([[1.6903, 1.6787, 1.3914], [1.9450, 1.1150, 1.4855]])
r = o.unsqueeze(1)
print(r)
print(r.shape)

# expand repeats size-1 dims without copying (stride 0).
e = torch.tensor([[[0.1891], [2.6933]], [[-1.6266], [1.3337]]])
print(e.expand(2, 2, 3))
print(e.expand(2, 2, 3).stride(), e.stride())
print(e.expand(-1, -1, 4).shape)
other = torch.zeros(2, 2, 3)
print(e.expand_as(other).shape)
print(e.expand_as(other).is_contiguous())

# repeat makes a real copy.
print(torch.tensor([[1], [2]]).repeat(1, 3))
print(torch.tensor([[1], [2]]).repeat(1, 3).stride())

# Only size-1 dims can be expanded.
try:
    torch.zeros(2, 2).expand(2, 3)
except RuntimeError as err:
    print(type(err).__name__, str(err).splitlines()[0])
