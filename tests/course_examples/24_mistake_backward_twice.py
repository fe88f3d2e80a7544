"""Classic mistake: calling backward() a second time on a graph whose saved tensors were already freed.
Source: 000_3d20c0090dd74e97.txt section "靜態圖vs.動態圖" (PyTorch loop: "loss.backward() # 再次執行將報錯"); 002_f9db4d486eb61ab7.txt section "Tensor.backward()" (retain_graph)."""
import torch

x = torch.tensor([[0.5, -1.0]])
y = torch.tensor([[2.0]])
w = torch.tensor([[1.0], [2.0]], requires_grad=True)

y_pred = x.mm(w)
loss = (y_pred - y).pow(2).sum()
loss.backward()
print(w.grad)
try:
    loss.backward()
except RuntimeError as e:
    print(type(e).__name__, str(e).splitlines()[0])

# Fix 1: keep the graph (gradients then add up).
w.grad = None
loss = (x.mm(w) - y).pow(2).sum()
loss.backward(retain_graph=True)
loss.backward()
print(w.grad)

# Fix 2 (usual in training): rebuild the graph with a new forward pass each time.
w.grad = None
for _ in range(2):
    loss = (x.mm(w) - y).pow(2).sum()
    loss.backward()
print(w.grad)
