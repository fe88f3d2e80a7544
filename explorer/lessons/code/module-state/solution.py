import torch
from torch import nn


class Counter(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("count", torch.zeros(1))

m = Counter()
saved = m.state_dict()["count"]
print(list(m.state_dict()), list(m.parameters()))
