"""Dynamic (define-by-run) graphs: a new graph every iteration, and graphs whose shape depends on data through Python control flow.
Source: 000_3d20c0090dd74e97.txt section "靜態圖vs.動態圖" (PyTorch x.mm(w) loop vs TensorFlow 1.x); 002_f9db4d486eb61ab7.txt section "自动求导机制 autograd" (dynamic graph); 003_a08ecac47ec6817a.txt section "2、动态计算图(DCG)"; 004_c8555abdafc02173.txt section "1.2 自動求導機制"."""
import torch

# Fitting y = x w with a fresh graph per iteration (manual gradient descent).
torch.manual_seed(0)
x = torch.randn(1, 2)
y = torch.randn(1, 1)
w = torch.randn(2, 1, requires_grad=True)
for i in range(30):
    y_pred = x.mm(w)
    loss = (y_pred - y).pow(2).sum()
    loss.backward()
    with torch.no_grad():
        w -= 0.1 * w.grad
    w.grad.zero_()
    if i % 10 == 0 or i == 29:
        print(i, f"{loss.item():.6f}")
print(x.mm(w).detach(), y)


def count_nodes(fn):
    names = []
    while fn is not None:
        names.append(fn.name())
        nxt = [f for f, _ in fn.next_functions if f is not None and f.name() != "torch::autograd::AccumulateGrad"]
        fn = nxt[0] if nxt else None
    return names


# The number of doublings, and hence the graph, depends on the input value.
def grow(t):
    h = t
    while h.norm() < 10:
        h = h * 2
    return h


for start in [3.0, 1.0, 0.2]:
    t = torch.tensor([start], requires_grad=True)
    out = grow(t).sum()
    out.backward()
    nodes = count_nodes(out.grad_fn)
    print(start, round(out.item(), 4), t.grad.item(), len(nodes), nodes.count("MulBackward0"))


# Branching on data: each call records only the branch actually taken.
def branch(t):
    if t.sum() > 0:
        return (t * t).sum()
    return t.abs().sum()


for values in ([1.0, 2.0], [-1.0, -2.0]):
    t = torch.tensor(values, requires_grad=True)
    out = branch(t)
    out.backward()
    print(out.grad_fn.next_functions[0][0].name(), t.grad)
