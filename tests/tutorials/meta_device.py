"""The meta device (PyTorch's docs on torch.device("meta") and the recipe "Skipping Module
Parameter Initialization"): a model's shapes worked out without memory for its weights, then
the model given memory with to_empty() and initialized."""
import torch
from torch import nn

# A model far too big to initialize just to look at: on meta its weights take no memory.
with torch.device("meta"):
    big = nn.Sequential(nn.Linear(8192, 8192), nn.ReLU(), nn.Linear(8192, 10))
print(big)
print(big[0].weight)
out = big(torch.randn(64, 8192, device="meta"))
print(out)
print(out.shape, out.dtype, out.device, out.is_meta)


class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
            nn.Linear(84, 10))

    def forward(self, x):
        return self.classifier(self.features(x))


# Each layer's output shape, for a batch of 28x28 images, with no image data at all.
net = LeNet().to("meta")
x = torch.empty(32, 1, 28, 28, device="meta")
for name, layer in net.features.named_children():
    x = layer(x)
    print(f"{name:>2} {type(layer).__name__:<10} -> {tuple(x.shape)}  stride {x.stride()}")
logits = net(torch.empty(32, 1, 28, 28, device="meta"))
print(logits)

# Autograd runs on meta too: the gradients have the parameters' shapes and no values.
loss = nn.functional.cross_entropy(logits, torch.empty(32, dtype=torch.long, device="meta"))
loss.backward()
print(loss)
print(net.classifier[1].weight.grad)

# A meta tensor has no values to read.
for read in (lambda: loss.item(), lambda: logits.tolist(), lambda: logits.cpu(),
             lambda: bool(loss > 0), lambda: logits + torch.ones(32, 10)):
    try:
        read()
    except (RuntimeError, NotImplementedError) as error:
        print(f"{type(error).__name__}: {error}")

# Skip initialization: build on meta, give the model memory, then initialize it once.
torch.manual_seed(0)
small = nn.Linear(3, 2, device="meta")
small = small.to_empty(device="cpu")
print(small.weight.device, small.weight.shape, small.weight.requires_grad)
small.reset_parameters()
print(small.weight)
print(small(torch.tensor([[1.0, 2.0, 3.0]])))
