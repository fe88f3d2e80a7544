"""Saving and loading: state_dict contents, torch.save of a checkpoint dict (model + optimizer), load_state_dict (strict and filtered), map_location to CPU.
Source: 001_30bebaa1fd302eaa.txt section "(六)保存/加载模型"; 002_f9db4d486eb61ab7.txt sections "保存模型 torch.save()" and "加载本地的预训练模型 model.load_state_dict()"; 000_3d20c0090dd74e97.txt section "parameter與buffer" (what gets saved is the state_dict)."""
import os
import tempfile

import torch
import torch.nn as nn
import torch.optim as optim


def make_net():
    return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))


torch.manual_seed(0)
net = make_net()
optimizer = optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
x = torch.tensor([[1.0, 2.0, 3.0], [-1.0, 0.5, 0.0], [0.0, 0.0, 1.0]])
loss = net(x).pow(2).mean()
optimizer.zero_grad()
loss.backward()
optimizer.step()

sd = net.state_dict()
print(type(sd).__name__)
for key, value in sd.items():
    print(key, tuple(value.shape), value.dtype)

net.eval()
with torch.no_grad():
    before = net(x)

with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, 'checkpoint.pth')
    torch.save({'model': net.state_dict(), 'optimizer': optimizer.state_dict(), 'epoch': 1}, path)
    torch.save(x, os.path.join(tmp, 'x.pt'))

    checkpoint = torch.load(path, map_location='cpu')
    print(sorted(checkpoint.keys()), checkpoint['epoch'])
    net2 = make_net()            # freshly (differently) initialised
    print(net2.load_state_dict(checkpoint['model']))
    opt2 = optim.SGD(net2.parameters(), lr=0.5)
    opt2.load_state_dict(checkpoint['optimizer'])
    print(opt2.param_groups[0]['lr'], opt2.param_groups[0]['momentum'], len(opt2.state_dict()['state']))
    net2.eval()
    with torch.no_grad():
        after = net2(x)
    print(torch.equal(before, after))
    print(torch.equal(torch.load(os.path.join(tmp, 'x.pt')), x))

# Loading into a model with a different head: keep only matching keys, strict=False.
bigger = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2), nn.Linear(2, 5))
target_keys = bigger.state_dict()
filtered = {k: v for k, v in sd.items() if k in target_keys}
result = bigger.load_state_dict(filtered, strict=False)
print(result.missing_keys, result.unexpected_keys)
print(torch.equal(bigger[0].weight, net[0].weight))

# strict=True reports mismatches as an error.
try:
    nn.Linear(3, 4).load_state_dict(sd)
except RuntimeError as e:
    print(type(e).__name__, str(e).splitlines()[0])
