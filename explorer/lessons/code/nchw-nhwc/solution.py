import torch

hwc = torch.arange(60.0).view(4, 5, 3)
batch = hwc.permute(2, 0, 1).unsqueeze(0)
reference = torch.stack([hwc[:, :, c] for c in range(3)]).unsqueeze(0)
print(batch.shape, torch.equal(batch, reference))
