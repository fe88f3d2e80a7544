"""Random tensor factories (rand, randn, *_like, randperm, normal, randint) and reproducibility with manual_seed.
Source: 000_3d20c0090dd74e97.txt section "用于創建張量的常用操作" (normal/rand/randn) and "tensor的創建" (rand_like); 002_f9db4d486eb61ab7.txt section "生成随机张量"; 003_a08ecac47ec6817a.txt section "2、常见构造tensor的函数"."""
import torch

torch.manual_seed(0)
print(torch.rand(3, 2))          # uniform on [0, 1)
print(torch.randn(2, 2))         # standard normal
x = torch.ones(5, 3, dtype=torch.float64)
print(torch.rand_like(x))        # same shape and dtype as x
print(torch.randn_like(x, dtype=torch.float))
print(torch.randperm(10))        # a random permutation of 0..9
print(torch.normal(mean=0.0, std=1.0, size=(2, 3)))
print(torch.normal(torch.arange(1.0, 4.0), torch.full((3,), 0.1)))
print(torch.randint(0, 10, (2, 4)))
print(torch.empty(4).uniform_(-1, 1))
print(torch.empty(4).normal_(0, 2))

# The same seed gives the same numbers.
torch.manual_seed(0)
a = torch.rand(3)
torch.manual_seed(0)
b = torch.rand(3)
print(a)
print(torch.equal(a, b))

# A random tensor in [0, 1) stays in [0, 1).
torch.manual_seed(0)
r = torch.rand(1000)
print(bool((r >= 0).all()), bool((r < 1).all()), r.shape)
