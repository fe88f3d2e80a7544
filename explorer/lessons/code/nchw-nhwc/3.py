import torch

torch.manual_seed(0)
hwc = torch.randint(0, 256, (2, 2, 3), dtype=torch.uint8)
chw = hwc.permute(2, 0, 1).float() / 255
batch = chw.unsqueeze(0)
print(hwc.shape, batch.shape, batch.dtype)
print(batch[0, :, 0, 0])
