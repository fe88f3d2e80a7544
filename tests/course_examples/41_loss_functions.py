"""Loss functions as nn modules and as functional calls: CrossEntropy (with its log-softmax/NLL form), MSE and L1, reductions and gradients.
Source: 002_f9db4d486eb61ab7.txt section "损失函数" (3-class cross-entropy example, F.cross_entropy vs nn.CrossEntropyLoss); 001_30bebaa1fd302eaa.txt section "(2)Loss Function"; 000_3d20c0090dd74e97.txt sections "torch.nn中的計算功能" and "torch.nn.functional" (cross_entropy, mse_loss)."""
import torch
import torch.nn as nn
import torch.nn.functional as F

y = torch.tensor([0.1, 0.3, 0.6]).unsqueeze(0)   # logits for one sample, 3 classes
t = torch.tensor([2])                             # class index, int64
loss_f = F.cross_entropy(y, t)
criterion = nn.CrossEntropyLoss()
loss_nn = criterion(y, t)
print(loss_f)
print(loss_nn)
print(criterion)
print(-F.log_softmax(y, dim=1)[0, 2], F.nll_loss(F.log_softmax(y, dim=1), t))

# A batch: the mean over samples by default, or sum/none.
logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0], [1.0, 1.0, 1.0]], requires_grad=True)
targets = torch.tensor([0, 2, 1])
print(F.cross_entropy(logits, targets))
print(F.cross_entropy(logits, targets, reduction='sum'))
print(F.cross_entropy(logits, targets, reduction='none'))
ce = F.cross_entropy(logits, targets)
ce.backward()
print(logits.grad)
expected = (F.softmax(logits.detach(), dim=1) - F.one_hot(targets, 3)) / 3
print(torch.allclose(logits.grad, expected))

# Regression losses.
pred = torch.tensor([[0.5], [2.0], [-1.0]], requires_grad=True)
target = torch.tensor([[1.0], [2.0], [1.0]])
mse = nn.MSELoss()
l1 = nn.L1Loss()
print(mse(pred, target), F.mse_loss(pred, target), ((pred - target) ** 2).mean())
print(l1(pred, target), F.l1_loss(pred, target, reduction='sum'))
print(nn.MSELoss(reduction='none')(pred, target).squeeze(1))
mse(pred, target).backward()
print(pred.grad)
print(mse(pred, target).grad_fn.name(), l1(pred, target).grad_fn.name())
