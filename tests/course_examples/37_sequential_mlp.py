"""Building networks with nn.Sequential: a Linear-Sigmoid-Linear model, an MLP with Softmax, add_module, indexing, slicing and iterating a Sequential.
Source: 001_30bebaa1fd302eaa.txt section "3.怎么组成神经网络" (Sequential vs unrolled); 002_f9db4d486eb61ab7.txt sections "nn.Sequential()", "利用 nn.Sequential() 实现多层感知机", "nn.Sequential() 动态添加网络层"; 000_3d20c0090dd74e97.txt sections "torch.nn.Sequential" and "利用torch.nn.Sequential構建自定義模塊"."""
import torch
import torch.nn as nn


class MyModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(10, 32), nn.Sigmoid(), nn.Linear(32, 1))

    def forward(self, x):
        return self.net(x)


class MyModelUnrolled(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer1 = nn.Linear(10, 32)
        self.layer2 = nn.Sigmoid()
        self.layer3 = nn.Linear(32, 1)

    def forward(self, x):
        return self.layer3(self.layer2(self.layer1(x)))


torch.manual_seed(0)
m1 = MyModel()
torch.manual_seed(0)
m2 = MyModelUnrolled()
print(m1)
print(m2)
x = torch.linspace(-1, 1, 30).view(3, 10)
print(m1(x))
print(torch.equal(m1(x), m2(x)))


class MLP(nn.Module):
    def __init__(self, in_dim, hid_dim1, hid_dim2, out_dim):
        super().__init__()
        self.layer = nn.Sequential(
            nn.Linear(in_dim, hid_dim1),
            nn.ReLU(),
            nn.Linear(hid_dim1, hid_dim2),
            nn.ReLU(),
            nn.Linear(hid_dim2, out_dim),
            nn.Softmax(dim=1),
        )

    def forward(self, x):
        return self.layer(x)


torch.manual_seed(0)
mlp = MLP(4, 8, 6, 3)
print(mlp)
inp = torch.tensor([[1.0, 2.0, 3.0, 4.0], [0.5, -0.5, 0.0, 1.0]])
probs = mlp(inp)
print(probs)
print(probs.sum(dim=1))

# Iterating the layers by hand gives the same result as calling the Sequential.
h = inp
for layer in mlp.layer:
    h = layer(h)
print(torch.equal(h, probs), len(mlp.layer), mlp.layer[-1], mlp.layer[0])

# add_module appends a named layer.
net = nn.Sequential(nn.Linear(100, 10))
net.add_module('extra-layer', nn.Linear(10, 20))
print(net)
print(net(torch.zeros(1, 100)).shape)
net.append(nn.ReLU())
print(len(net), [name for name, _ in net.named_children()])


# Slicing a Sequential gives a new Sequential sharing the same layers.
class ConvModule(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Conv2d(3, 64, kernel_size=3), nn.ReLU(),
            nn.Conv2d(64, 192, kernel_size=3), nn.ReLU())

    def forward(self, x):
        return self.layers(x)


torch.manual_seed(0)
model = ConvModule()
conv1 = nn.Sequential(*model.layers[:1])
conv2 = nn.Sequential(*model.layers[:3])
print(conv1)
print(conv2)
print(model.layers[:2])
img = torch.linspace(0, 1, 3 * 6 * 6).view(1, 3, 6, 6)
print(conv1(img).shape, conv2(img).shape, model(img).shape)
print(conv2[0] is model.layers[0])
