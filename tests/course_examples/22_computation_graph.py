"""The dynamic computation graph: leaves, grad_fn nodes, next_functions edges and AccumulateGrad, for y = w*x + b and a small matmul layer.
Source: 000_3d20c0090dd74e97.txt section "4、計算圖" (nodes and edges, y = w*x); 002_f9db4d486eb61ab7.txt section "Tensor.backward()" (x, w, b is_leaf example) and "自动求导机制 autograd"; 003_a08ecac47ec6817a.txt section "2、动态计算图(DCG)"; 004_c8555abdafc02173.txt section "1.2 自動求導機制"."""
import torch


def walk(fn, depth=0):
    """Print the backward graph below fn, one node per line."""
    if fn is None:
        print("  " * depth + "None")
        return
    print("  " * depth + fn.name())
    for child, _ in fn.next_functions:
        walk(child, depth + 1)


x = torch.tensor([0.2249])
w = torch.ones(1, requires_grad=True)
b = torch.ones(1, requires_grad=True)
print(x.is_leaf, w.is_leaf, b.is_leaf)
y = w * x
z = y + b
print(y.is_leaf, z.is_leaf, y)
print(z)
walk(z.grad_fn)

# AccumulateGrad nodes point at the leaf tensors they fill.
acc_b = z.grad_fn.next_functions[1][0]
print(type(acc_b).__name__, acc_b.variable is b)

z.backward()
print(w.grad, b.grad, x.grad)

# A tiny layer: sigmoid(x @ W + bias).sum()
inp = torch.tensor([[1.0, 2.0, 3.0]])
W = torch.tensor([[0.1, -0.2], [0.3, 0.0], [-0.1, 0.2]], requires_grad=True)
bias = torch.tensor([0.5, -0.5], requires_grad=True)
loss = torch.sigmoid(inp @ W + bias).sum()
walk(loss.grad_fn)
loss.backward()
print(W.grad)
print(bias.grad)

# Matrix-vector and elementwise ops show up as their own node types.
v = torch.tensor([1.0, -1.0], requires_grad=True)
mv = torch.mv(W.t(), torch.tensor([1.0, 1.0, 1.0]))
out = (torch.relu(v * mv) + v.exp()).mean()
walk(out.grad_fn)
