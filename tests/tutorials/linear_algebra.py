"""Linear algebra with tensors: determinants, inverses, SVD, norms and pairwise distances."""
import torch

torch.manual_seed(0)
A = torch.tensor([[4.0, 7.0], [2.0, 6.0]])
print(torch.det(A).round(decimals=4), torch.linalg.det(A).round(decimals=4))
A_inv = torch.linalg.inv(A)
print(A_inv)
print(torch.allclose(A @ A_inv, torch.eye(2), atol=1e-6))
U, S, Vh = torch.linalg.svd(A)
print(S)
print(torch.allclose(U @ torch.diag(S) @ Vh, A, atol=1e-5))
print(torch.linalg.norm(A), torch.linalg.norm(A, ord=1), torch.linalg.norm(A, ord="nuc"))
print(torch.linalg.norm(A[0]), torch.linalg.norm(A[0], ord=float("inf")))

points = torch.randn(5, 2)
centers = torch.randn(3, 2)
d = torch.cdist(points, centers)
print(d)
print(d.argmin(dim=1))

B = torch.randn(3, 3, requires_grad=True)
torch.det(B).backward()
print(B.grad.shape, torch.allclose(B.grad, torch.det(B) * torch.inverse(B).T, atol=1e-5))
try:
    torch.linalg.inv(torch.tensor([[1.0, 2.0], [2.0, 4.0]]))
except RuntimeError as e:
    print(type(e).__name__, str(e).splitlines()[0])
