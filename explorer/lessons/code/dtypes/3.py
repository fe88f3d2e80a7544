import torch

i = torch.tensor([1, 2, 3])
f = torch.tensor([0.5, 0.5, 0.5])
print((i + f).dtype)
print((i + 2.5).dtype)
print((i / 2).dtype, i // 2)
d = torch.tensor(1.0, dtype=torch.float64)
print((f + d).dtype)
print(torch.result_type(i, 2.5), torch.promote_types(torch.int32, torch.float16))
