"""In-place operations (trailing underscore, +=, *=): they overwrite memory, return self and are visible through every alias and view.
Source: 000_3d20c0090dd74e97.txt section "原位(in-place)操作" (add_, clamp_, abs_, exp_, sigmoid_, ... table); 002_f9db4d486eb61ab7.txt section "Tensor 的内存共享" (add_ changes a)."""
import torch

x = torch.tensor([-1.3, 2.8, 3.5])
y = x.add_(1)
print(x, y is x)

print(torch.tensor([-2.0, 0.5, 3.0]).clamp_(-1, 1))
print(torch.tensor([-2.0, 0.5, 3.0]).clip_(0, 2))
print(torch.tensor([-2.0, 0.5]).abs_())
print(torch.tensor([0.0, 1.0]).exp_())
print(torch.tensor([0.0, 2.0]).sigmoid_())
print(torch.tensor([0.2, 1.5]).ceil_())
print(torch.tensor([0.0, 0.5]).arcsin_())
print(torch.ones(3).addcmul_(torch.tensor([1.0, 2.0, 3.0]), torch.tensor([2.0, 2.0, 2.0])))
print(torch.tensor([1.0, 2.0, 3.0]).eq_(torch.tensor([1.0, 0.0, 3.0])))
print(torch.tensor([5, 6]).bitwise_not_(), torch.tensor([5, 6]).bitwise_xor_(torch.tensor([1, 1])))
print(torch.tensor([True, False]).logical_or_(torch.tensor([False, False])))
print(torch.zeros(2, 2).fill_(3.0), torch.ones(3).zero_(), torch.zeros(3).copy_(torch.tensor([1.0, 2.0, 3.0])))

# += keeps the same object, a = a + 1 creates a new one.
a = torch.zeros(2)
alias = a
a += 1
a *= 5
print(alias, a is alias)
a = a + 1
print(alias, a, a is alias)

# Every alias and view sees the change.
m = torch.arange(6.0).view(2, 3)
row = m[0]
col = m[:, 2]
row.mul_(10)
print(m)
print(col)
col.sub_(100)
print(m)
