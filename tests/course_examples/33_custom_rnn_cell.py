"""A vanilla RNN, h_t = relu(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh), built from custom Functions and unrolled over time; checked against nn.RNNCell.
Source: 004_c8555abdafc02173.txt section "3. 自定義循環神經網絡(RNN)" (3.1 the cell, 3.2 the full RNN; typos and old API fixed)."""
import math

import torch
import torch.nn as nn
from torch.autograd import Function


class ReLUF(Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return input.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        grad_input = grad_output.clone()
        grad_input[input < 0] = 0
        return grad_input


class LinearF(Function):
    @staticmethod
    def forward(ctx, input, weight, bias):
        ctx.save_for_backward(input, weight)
        return input.mm(weight.t()) + bias

    @staticmethod
    def backward(ctx, grad_output):
        input, weight = ctx.saved_tensors
        return grad_output.mm(weight), grad_output.t().mm(input), grad_output.sum(0)


class RNNCell(nn.Module):
    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.weight_ih = nn.Parameter(torch.empty(hidden_size, input_size))
        self.weight_hh = nn.Parameter(torch.empty(hidden_size, hidden_size))
        self.bias_ih = nn.Parameter(torch.empty(hidden_size))
        self.bias_hh = nn.Parameter(torch.empty(hidden_size))
        self.reset_parameters()

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size)
        for weight in self.parameters():
            weight.data.uniform_(-stdv, stdv)

    def extra_repr(self):
        return f"input_size={self.input_size}, hidden_size={self.hidden_size}"

    def forward(self, input, h):
        output = LinearF.apply(input, self.weight_ih, self.bias_ih) + LinearF.apply(h, self.weight_hh, self.bias_hh)
        return ReLUF.apply(output)


class RNN(nn.Module):
    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.cell = RNNCell(input_size, hidden_size)

    def forward(self, inputs, initial_state):
        time_steps = inputs.size(1)
        state = initial_state
        outputs = []
        for t in range(time_steps):
            state = self.cell(inputs[:, t, :], state)
            outputs.append(state)
        return outputs


torch.manual_seed(0)
rnn = RNN(input_size=3, hidden_size=6)
print(rnn)
print([(name, tuple(p.shape)) for name, p in rnn.named_parameters()])

inputs = torch.randn(2, 5, 3)        # batch=2, time=5, features=3
h0 = torch.zeros(2, 6)
outputs = rnn(inputs, h0)
print(len(outputs), outputs[-1].shape)
seq = torch.stack(outputs, dim=1)
print(seq.shape)
print(seq[:, -1])

loss = seq[:, -1].sum()
loss.backward()
for name, p in rnn.named_parameters():
    print(name, p.grad.shape, round(p.grad.abs().sum().item(), 4))

# Our cell uses the same parameter names as nn.RNNCell, so weights can be copied over.
ref = nn.RNNCell(3, 6, nonlinearity='relu')
print(ref)
print(ref.load_state_dict(rnn.cell.state_dict()))
h = h0
with torch.no_grad():
    for t in range(inputs.size(1)):
        h = ref(inputs[:, t, :], h)
print(torch.allclose(h, outputs[-1].detach(), atol=1e-6))
