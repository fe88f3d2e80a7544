"""Why model.train()/model.eval() matter: Dropout and BatchNorm behave differently, and evaluation runs under torch.no_grad().
Source: 001_30bebaa1fd302eaa.txt section "(4)为什么要设置model的模式,以及为什么要把梯度计算关掉"; 000_3d20c0090dd74e97.txt section "torch.nn.Module的常用屬性或方法" (train(), eval())."""
import torch
import torch.nn as nn

# Dropout zeroes elements at random in training and rescales the rest by 1/(1-p).
torch.manual_seed(0)
drop = nn.Dropout(p=0.5)
x = torch.ones(2, 8)
print(drop.training)
print(drop(x))
drop.eval()
print(drop.training)
print(drop(x))

# BatchNorm uses batch statistics in training and running statistics in eval.
bn = nn.BatchNorm1d(3)
print(bn)
print(bn.running_mean, bn.running_var, bn.num_batches_tracked)
batch = torch.tensor([[1.0, 2.0, 3.0], [3.0, 6.0, 9.0], [5.0, 10.0, 15.0], [7.0, 14.0, 21.0]])
print(bn(batch))
print(bn.running_mean, bn.running_var, bn.num_batches_tracked)
bn.eval()
print(bn(batch))
print(bn.running_mean, bn.num_batches_tracked)

# Modes propagate to children; validation also disables autograd.
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Dropout(0.5), nn.Linear(4, 1))
model.train()
print([m.training for m in model])
out_train = model(batch)
print(out_train.requires_grad, out_train.grad_fn.name())
model.eval()
print([m.training for m in model])
with torch.no_grad():
    out_eval = model(batch)
print(out_eval.requires_grad, out_eval.grad_fn)
with torch.no_grad():
    print(torch.equal(model(batch), out_eval))   # eval mode is deterministic
print(out_eval.shape)
