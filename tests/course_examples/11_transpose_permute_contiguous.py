"""Transposing and permuting dimensions, strides, is_contiguous() and contiguous().
Source: 001_30bebaa1fd302eaa.txt section "2.transpose()"; 002_f9db4d486eb61ab7.txt sections "转置与转轴 transpose() 和 permute()" and "contiguous()"."""
import torch

m = torch.arange(6).reshape(2, 3)
print(m.transpose(0, 1))
print(m.t().shape, m.T.shape)

a = torch.tensor([[[-0.0487, 0.1411], [-0.9727, -1.0517]],
                  [[-0.6619, 0.1907], [0.1305, -1.2069]]])
print(a.transpose(0, 1))
print(a.permute(2, 1, 0))

# transpose/permute only change shape and strides; the data is shared.
x = torch.arange(24).view(2, 3, 4)
print(x.stride(), x.is_contiguous())
xt = x.transpose(0, 2)
print(xt.shape, xt.stride(), xt.is_contiguous())
xp = x.permute(1, 2, 0)
print(xp.shape, xp.stride(), xp.is_contiguous())

mt = m.t()
mt[0, 1] = 100
print(m)

# contiguous() copies into row-major order; it is a no-op when already contiguous.
c = xp.contiguous()
print(c.stride(), c.is_contiguous())
print(torch.equal(c, xp))
print(x.contiguous().stride())

# view needs compatible strides, reshape copies when it has to.
print(xt.contiguous().view(-1)[:6])
print(xt.reshape(-1)[:6])
print(m.t().reshape(6))

# Transposing twice gives back a contiguous layout.
print(m.t().t().is_contiguous(), m.t().is_contiguous())
