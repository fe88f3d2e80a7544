import torch

hwc = torch.arange(60.0).view(4, 5, 3)
batch = hwc.view(1, 3, 4, 5)
reference = torch.stack([hwc[:, :, c] for c in range(3)]).unsqueeze(0)
print(batch.shape, torch.equal(batch, reference))
