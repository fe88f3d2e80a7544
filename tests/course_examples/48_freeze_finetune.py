"""Fine-tuning a (pretend) pretrained VGG-style network: inspecting features/classifier, loading weights, freezing early layers, replacing the head and training only what is trainable.
Source: 002_f9db4d486eb61ab7.txt sections "模型处理 torchvision.models 库", "Transfer learning", "设置预训练模型中的某些层不进行参数的学习"; 000_3d20c0090dd74e97.txt sections "直接調用預訓練模型" and "requires_grad_" (torchvision VGG replaced by a tiny local model)."""
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim


class TinyVGG(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 4, kernel_size=3, padding=1), nn.ReLU(),
            nn.Conv2d(4, 4, kernel_size=3, padding=1), nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(4, 8, kernel_size=3, padding=1), nn.ReLU(),
            nn.MaxPool2d(2))
        self.classifier = nn.Sequential(
            nn.Linear(8 * 2 * 2, 16), nn.ReLU(), nn.Dropout(0.5),
            nn.Linear(16, num_classes))

    def forward(self, x):
        x = self.features(x)
        x = torch.flatten(x, 1)
        return self.classifier(x)


torch.manual_seed(0)
pretrained = TinyVGG()
pretrained_state = {k: v.clone() for k, v in pretrained.state_dict().items()}
print(len(pretrained.features), len(pretrained.classifier))
print(pretrained.classifier[-1])
print(list(pretrained_state.keys()))

# "Download" = load the saved weights into a fresh model.
net = TinyVGG()
print(net.load_state_dict(pretrained_state))

# Freeze the first two conv blocks (layers 0..4 of features).
for layer in range(5):
    for p in net.features[layer].parameters():
        p.requires_grad = False
# New task with 3 classes: replace the last layer (new layers require grad).
net.classifier[-1] = nn.Linear(16, 3)
print(net.classifier)
trainable = [n for n, p in net.named_parameters() if p.requires_grad]
frozen = [n for n, p in net.named_parameters() if not p.requires_grad]
print(trainable)
print(frozen)
print(sum(p.numel() for p in net.parameters() if p.requires_grad), sum(p.numel() for p in net.parameters()))

optimizer = optim.SGD([p for p in net.parameters() if p.requires_grad], lr=0.05)
images = torch.rand(6, 3, 8, 8)
labels = torch.tensor([0, 1, 2, 0, 1, 2])
net.train()
for step in range(5):
    optimizer.zero_grad()
    loss = F.cross_entropy(net(images), labels)
    loss.backward()
    optimizer.step()
    print(step, round(loss.item(), 4))

print(net.features[0].weight.grad)
print(torch.equal(net.features[0].weight, pretrained.features[0].weight))
print(torch.equal(net.features[5].weight, pretrained.features[5].weight))

# requires_grad_(False) on a whole sub-module does the same in one call.
net.classifier.requires_grad_(False)
print(any(p.requires_grad for p in net.parameters()))
