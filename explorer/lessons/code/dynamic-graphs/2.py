import torch

w = torch.tensor([1.0, -1.0], requires_grad=True)
for x in [torch.tensor([2.0, 1.0]), torch.tensor([1.0, 3.0])]:
    s = (w * x).sum()
    out = s.relu() if s > 0 else s.exp()
    print(out.grad_fn.name())
    out.backward()
print(w.grad)
