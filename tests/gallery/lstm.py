"""An LSTM over a batch of sequences, its last hidden state into a linear head."""
import torch
import torch.nn as nn

torch.manual_seed(0)
lstm = nn.LSTM(input_size=5, hidden_size=8, batch_first=True)
head = nn.Linear(8, 1)
x = torch.randn(4, 6, 5)
output, (h, c) = lstm(x)
prediction = head(h[-1])
loss = prediction.pow(2).mean()
loss.backward()
print(output.shape, lstm.weight_ih_l0.grad.shape)
