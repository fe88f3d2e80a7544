"""A transformer-style block (self-attention, feed-forward, LayerNorm) on a toy sequence task,
in the way the sequence tutorials build theirs from nn.MultiheadAttention."""
import torch
import torch.nn as nn


class Block(nn.Module):
    def __init__(self, d_model=8, heads=2):
        super().__init__()
        self.attn = nn.MultiheadAttention(d_model, heads, batch_first=True)
        self.norm1 = nn.LayerNorm(d_model)
        self.ff = nn.Sequential(nn.Linear(d_model, 16), nn.ReLU(), nn.Linear(16, d_model))
        self.norm2 = nn.LayerNorm(d_model)

    def forward(self, x, mask=None):
        attended, weights = self.attn(x, x, x, attn_mask=mask)
        x = self.norm1(x + attended)
        return self.norm2(x + self.ff(x)), weights


torch.manual_seed(0)
block = Block()
head = nn.Linear(8, 1)
x = torch.randn(4, 5, 8)
target = x.sum(dim=2, keepdim=True)
causal = torch.triu(torch.ones(5, 5, dtype=torch.bool), diagonal=1)
params = list(block.parameters()) + list(head.parameters())
optimizer = torch.optim.AdamW(params, lr=1e-2)
for step in range(4):
    optimizer.zero_grad()
    hidden, weights = block(x, causal)
    loss = nn.functional.mse_loss(head(hidden), target)
    loss.backward()
    optimizer.step()
    print(step, f"{loss.item():.4f}")
print(weights.shape, weights[0])
print(hidden.grad_fn)
print(sum(p.numel() for p in params))
