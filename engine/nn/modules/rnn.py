"""Recurrent layers, built from linear ops in the order PyTorch's C++ (aten's RNN.cpp) uses, so
values, grad_fn names and the graph match: a layer projects its whole input at once (one addmm,
viewed and unbound into steps), each step adds the projected hidden state, GRU and LSTM cut their
gates with unsafe_chunk, outputs are stacked. A float32 LSTM over a padded batch is one node per
layer instead (ops/rnn_layer.py), as torch's oneDNN kernel records it. A PackedSequence runs
step by step over its shrinking batches, as torch's PackedLayer does. All weights start uniform
in ±1/sqrt(hidden_size)."""
from __future__ import annotations

import math

from ...ops.creation import empty, zeros
from ...dtypes import float32
from ...ops.joining import cat, stack
from ...ops.nn_ops import TRANSPOSE_INPLACE
from ...ops.rnn_layer import LSTM_LAYER, unsafe_chunk
from ...tensor import Tensor
from .. import functional as F
from .. import init
from ..module import Module
from ..parameter import Parameter

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


# ---- one time step ------------------------------------------------------------------------
def rnn_tanh_cell(x, h, w_ih, w_hh, b_ih, b_hh):
    return (F.linear(x, w_ih, b_ih) + F.linear(h, w_hh, b_hh)).tanh()


def rnn_relu_cell(x, h, w_ih, w_hh, b_ih, b_hh):
    return (F.linear(x, w_ih, b_ih) + F.linear(h, w_hh, b_hh)).relu()


def lstm_cell(x, state, w_ih, w_hh, b_ih, b_hh):
    return _lstm_step(F.linear(x, w_ih, b_ih), state, w_hh, b_hh)


def gru_cell(x, h, w_ih, w_hh, b_ih, b_hh):
    return _gru_step(F.linear(x, w_ih, b_ih), h, w_hh, b_hh)


_CELLS = {"RNN_TANH": rnn_tanh_cell, "RNN_RELU": rnn_relu_cell, "LSTM": lstm_cell,
          "GRU": gru_cell}


# ---- one time step of a whole layer, its input already projected (torch's RNN.cpp cells) ------
def _tanh_step(x_w, h, w_hh, b_hh):
    return (F.linear(h, w_hh, b_hh) + x_w).tanh()


def _relu_step(x_w, h, w_hh, b_hh):
    return (F.linear(h, w_hh, b_hh) + x_w).relu()


def _lstm_step(x_w, state, w_hh, b_hh):
    h, c = state
    i, f, g, o = unsafe_chunk(F.linear(h, w_hh, b_hh) + x_w, 4, 1)
    i, f, g, o = i.sigmoid(), f.sigmoid(), g.tanh(), o.sigmoid()
    c_next = f * c + i * g
    return o * c_next.tanh(), c_next


def _gru_step(x_w, h, w_hh, b_hh):
    i_r, i_z, i_n = unsafe_chunk(x_w, 3, 1)
    h_r, h_z, h_n = unsafe_chunk(F.linear(h, w_hh, b_hh), 3, 1)
    reset = (h_r + i_r).sigmoid()
    update = (h_z + i_z).sigmoid()
    new = (i_n + h_n * reset).tanh()
    return (h - new) * update + new


_LABEL = {"RNN_TANH": "RNN", "RNN_RELU": "RNN", "LSTM": "LSTM", "GRU": "GRU"}
_STEPS = {"RNN_TANH": _tanh_step, "RNN_RELU": _relu_step, "LSTM": _lstm_step, "GRU": _gru_step}


def _output_of(hidden):
    return hidden[0] if isinstance(hidden, tuple) else hidden


class _FullLayer:
    """torch's FullLayer on CPU: the input of every step projected at once (one addmm, viewed
    back and unbound), then a step per time; `reverse` walks time backwards."""

    @staticmethod
    def run(step, x, hidden, weights, reverse: bool):
        w_ih, w_hh, b_ih, b_hh = weights
        steps = F.linear(x, w_ih, b_ih).unbind(0)
        if not steps:
            raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
        outputs = [None] * len(steps)
        for t in (range(len(steps) - 1, -1, -1) if reverse else range(len(steps))):
            hidden = step(steps[t], hidden, w_hh, b_hh)
            outputs[t] = _output_of(hidden)
        return stack(outputs, 0), hidden

    @staticmethod
    def join_dim(output) -> int:
        return output.dim() - 1


def _hidden_slice(hidden, start: int, end: int):
    if isinstance(hidden, tuple):
        return tuple(h.narrow(0, start, end - start) for h in hidden)
    return hidden.narrow(0, start, end - start)


def _hidden_concat(hiddens: list):
    if isinstance(hiddens[0], tuple):
        return tuple(cat(list(parts), 0) for parts in zip(*hiddens))
    return cat(hiddens, 0)


class _PackedLayer:
    """torch's PackedLayer and ReversedPackedLayer: the packed data projected at once, then
    one step per batch size. Going forwards, the states of sequences that have ended are set
    aside as the batch shrinks (and joined, longest first, as the final state); going
    backwards, the shortest sequences start and the others' initial states join as the batch
    grows."""

    def __init__(self, batch_sizes: list) -> None:
        self.batch_sizes = batch_sizes

    def run(self, step, data, hidden, weights, reverse: bool):
        w_ih, w_hh, b_ih, b_hh = weights
        projected = F.linear(data, w_ih, b_ih)
        sizes, outputs = self.batch_sizes, []
        if reverse:
            offset, last, initial = data.shape[0], sizes[-1], hidden
            hidden = _hidden_slice(initial, 0, sizes[-1])
            for size in reversed(sizes):
                if size > last:
                    hidden = _hidden_concat([hidden, _hidden_slice(initial, last, size)])
                offset, last = offset - size, size
                hidden = step(projected.narrow(0, offset, size), hidden, w_hh, b_hh)
                outputs.append(_output_of(hidden))
            outputs.reverse()
            return cat(outputs, 0), hidden
        offset, last, finals = 0, sizes[0], []
        for size in sizes:
            if size < last:
                finals.append(_hidden_slice(hidden, size, last))
                hidden = _hidden_slice(hidden, 0, size)
            last = size
            hidden = step(projected.narrow(0, offset, size), hidden, w_hh, b_hh)
            offset += size
            outputs.append(_output_of(hidden))
        finals.append(hidden)
        finals.reverse()
        return cat(outputs, 0), _hidden_concat(finals)

    @staticmethod
    def join_dim(output) -> int:
        return -1


class _CellBase(Module):
    mode = "RNN_TANH"

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, mode=None,
                 dtype=None, device=None) -> None:
        super().__init__()
        self.mode = mode or type(self).mode
        gates = _GATES[self.mode] * hidden_size
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        self.weight_ih = Parameter(empty((gates, input_size), dtype=dtype, device=device))
        self.weight_hh = Parameter(empty((gates, hidden_size), dtype=dtype, device=device))
        if bias:
            self.bias_ih = Parameter(empty(gates, dtype=dtype, device=device))
            self.bias_hh = Parameter(empty(gates, dtype=dtype, device=device))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _step(self, x: Tensor, hx):
        name = type(self).__name__
        if x.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {x.dim()}D instead")
        if self.mode == "LSTM" and hx is not None and not isinstance(hx, tuple) and x.dim() == 2:
            raise TypeError("lstm_cell(): argument 'hx' (position 2) must be tuple of Tensors, "
                            f"not {type(hx).__name__}")
        hiddens = hx if isinstance(hx, tuple) else () if hx is None else (hx,)
        for h in hiddens:
            if isinstance(h, Tensor) and h.dim() not in (1, 2):
                raise ValueError(f"{name}: Expected hidden to be 1D or 2D, got {h.dim()}D "
                                 "instead")
        unbatched = x.dim() == 1
        if unbatched:
            x = x.unsqueeze(0)
            hx = None if hx is None else tuple(h.unsqueeze(0) for h in hx) \
                if isinstance(hx, tuple) else hx.unsqueeze(0)
        if hx is None:
            h = zeros(x.shape[0], self.hidden_size, dtype=x.dtype, device=x.device)
            hx = (h, h) if self.mode == "LSTM" else h
        self._check_sizes(x, hx if isinstance(hx, tuple) else (hx,))
        out = _CELLS[self.mode](x, hx, self.weight_ih, self.weight_hh, self.bias_ih,
                                self.bias_hh)
        if unbatched:
            out = tuple(o.squeeze(0) for o in out) if isinstance(out, tuple) else out.squeeze(0)
        return out

    def forward(self, input: Tensor, hx=None):
        return self._step(input, hx)

    def _check_sizes(self, x: Tensor, hiddens: tuple) -> None:
        """PyTorch's cell checks (batched), in its order: the input's width, then each hidden
        state's batch and width."""
        if x.shape[1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {x.shape[1]} expected "
                               f"{self.input_size}")
        for label, h in enumerate(hiddens):
            if h.shape[0] != x.shape[0]:
                raise RuntimeError(f"Input batch size {x.shape[0]} doesn't match hidden{label} "
                                   f"batch size {h.shape[0]}")
            if h.shape[1] != self.hidden_size:
                raise RuntimeError(f"hidden{label} has inconsistent hidden_size: got "
                                   f"{h.shape[1]}, expected {self.hidden_size}")

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            s += ", bias=False"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s


class RNNCell(_CellBase):
    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device=None, dtype=None) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity: {nonlinearity}")
        super().__init__(input_size, hidden_size, bias,
                         "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", dtype, device)
        self.nonlinearity = nonlinearity


class LSTMCell(_CellBase):
    mode = "LSTM"

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, None, dtype, device)


class GRUCell(_CellBase):
    mode = "GRU"

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, None, dtype, device)


class RNNBase(Module):
    """Stacked (and optionally bidirectional) recurrence over a sequence, one cell per step."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device=None,
                 dtype=None) -> None:
        super().__init__()
        if proj_size:
            raise NotImplementedError("proj_size is not supported by Autograd Explorer's engine")
        self.mode, self.input_size, self.hidden_size = mode, input_size, hidden_size
        self.num_layers, self.bias, self.batch_first = num_layers, bias, batch_first
        self.dropout, self.bidirectional, self.proj_size = float(dropout), bidirectional, 0
        gates = _GATES[mode] * hidden_size
        kw = {"dtype": dtype, "device": device}
        directions = 2 if bidirectional else 1
        for layer in range(num_layers):
            for direction in range(directions):
                size_in = input_size if layer == 0 else hidden_size * directions
                suffix = f"_l{layer}" + ("_reverse" if direction else "")
                self.register_parameter("weight_ih" + suffix,
                                        Parameter(empty((gates, size_in), **kw)))
                self.register_parameter("weight_hh" + suffix,
                                        Parameter(empty((gates, hidden_size), **kw)))
                if bias:
                    self.register_parameter("bias_ih" + suffix,
                                            Parameter(empty(gates, **kw)))
                    self.register_parameter("bias_hh" + suffix,
                                            Parameter(empty(gates, **kw)))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _weights(self, layer: int, direction: int) -> tuple:
        suffix = f"_l{layer}" + ("_reverse" if direction else "")
        get = self._parameters.get
        return (get("weight_ih" + suffix), get("weight_hh" + suffix), get("bias_ih" + suffix),
                get("bias_hh" + suffix))

    def forward(self, input, hx=None):
        """torch's Python forward (states made or checked, a PackedSequence taken apart),
        then what its C++ kernel does (_run)."""
        from ..utils.rnn import PackedSequence
        is_lstm = self.mode == "LSTM"
        directions = 2 if self.bidirectional else 1
        packed = isinstance(input, PackedSequence)
        if packed:
            input, batch_sizes, sorted_indices, unsorted_indices = input
            max_batch_size = int(batch_sizes[0])
        else:
            batch_sizes, sorted_indices = None, None
            if input.dim() not in (2, 3):
                raise ValueError(f"{_LABEL[self.mode]}: Expected input to be 2D or 3D, got "
                                 f"{input.dim()}D {'tensor ' if self.mode[:3] == 'RNN' else ''}"
                                 "instead")
            is_batched = input.dim() == 3
            batch_dim = 0 if self.batch_first else 1
            if not is_batched:
                input = input.unsqueeze(batch_dim)
            if hx is not None:
                hx = self._batched_state(hx, is_batched)
            max_batch_size = input.size(batch_dim)
        if hx is None:
            shape = (self.num_layers * directions, max_batch_size, self.hidden_size)
            hx = tuple(zeros(*shape, dtype=input.dtype, device=input.device)
                       for _ in range(2 if is_lstm else 1))
            hx = hx if is_lstm else hx[0]
        elif sorted_indices is not None:
            hx = self.permute_hidden(hx, sorted_indices)
        if not (packed and is_lstm):   # torch checks a packed LSTM's states nowhere
            self.check_forward_args(input, hx, batch_sizes)
        output, hidden = self._run(input, batch_sizes, hx, directions)
        if packed:
            return (PackedSequence(output, batch_sizes, sorted_indices, unsorted_indices),
                    self.permute_hidden(hidden, unsorted_indices))
        if not is_batched:
            output = output.squeeze(batch_dim)
            hidden = tuple(h.squeeze(1) for h in hidden) if is_lstm else hidden.squeeze(1)
        return output, hidden

    def _batched_state(self, hx, is_batched: bool):
        """The given states checked against the input's dims (unsqueezed for one sequence)."""
        want = 3 if is_batched else 2
        what = "batched 3-D" if is_batched else "unbatched 2-D"
        if self.mode == "LSTM":
            if hx[0].dim() != want or hx[1].dim() != want:
                raise RuntimeError(f"For {what} input, hx and cx should also be {want}-D but got "
                                   f"({hx[0].dim()}-D, {hx[1].dim()}-D) tensors")
            return hx if is_batched else (hx[0].unsqueeze(1), hx[1].unsqueeze(1))
        if hx.dim() != want:
            raise RuntimeError(f"For {what} input, hx should also be {want}-D but got "
                               f"{hx.dim()}-D tensor")
        return hx if is_batched else hx.unsqueeze(1)

    def check_forward_args(self, input, hidden, batch_sizes) -> None:
        weight = self.weight_ih_l0
        if input.dtype != weight.dtype:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype "
                             f"({weight.dtype}). Convert input: input.to({weight.dtype}), or "
                             f"convert model: model.to({input.dtype})")
        expected_dim = 2 if batch_sizes is not None else 3
        if input.dim() != expected_dim:
            raise RuntimeError(f"input must have {expected_dim} dimensions, got {input.dim()}")
        if self.input_size != input.size(-1):
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {input.size(-1)}")
        if batch_sizes is not None:
            mini_batch = int(batch_sizes[0])
        else:
            mini_batch = input.size(0) if self.batch_first else input.size(1)
        expected = (self.num_layers * (2 if self.bidirectional else 1), mini_batch,
                    self.hidden_size)
        states = [(hidden, "Expected hidden size {}, got {}")] if self.mode != "LSTM" else [
            (hidden[0], "Expected hidden[0] size {}, got {}"),
            (hidden[1], "Expected hidden[1] size {}, got {}")]
        for state, message in states:
            if tuple(state.size()) != expected:
                raise RuntimeError(message.format(expected, list(state.size())))

    def permute_hidden(self, hx, permutation):
        if permutation is None:
            return hx
        if self.mode == "LSTM":
            return hx[0].index_select(1, permutation), hx[1].index_select(1, permutation)
        return hx.index_select(1, permutation)

    def _run(self, input, batch_sizes, hx, directions: int):
        """What _VF.rnn_tanh / lstm / gru do on CPU: (output, final states)."""
        is_lstm = self.mode == "LSTM"
        if batch_sizes is None and is_lstm and input.dtype == float32 and not input.is_meta:
            # the oneDNN kernel (a meta input takes torch's generic path below, as in torch)
            x = (input.transpose(0, 1) if self.batch_first else input).contiguous()
            output, finals_h, finals_c = self._fused_layers(x, hx, directions)
            if self.batch_first:
                output = output.transpose(0, 1)
            return output, (stack(finals_h, 0), stack(finals_c, 0))
        # torch's _rnn_impl: the states unbound per layer and direction
        hiddens = list(zip(hx[0].unbind(0), hx[1].unbind(0))) if is_lstm else list(hx.unbind(0))
        if batch_sizes is not None:
            layer, x = _PackedLayer(batch_sizes.tolist()), input
        else:
            layer, x = _FullLayer, input.transpose(0, 1) if self.batch_first else input
        output, finals = self._layers(x, hiddens, directions, layer)
        if batch_sizes is None and self.batch_first:   # LSTM out of place; RNN, GRU in place
            output = output.transpose(0, 1) if is_lstm else \
                TRANSPOSE_INPLACE(output, dim0=0, dim1=1)
        if is_lstm:
            return output, (stack([f[0] for f in finals], 0), stack([f[1] for f in finals], 0))
        return output, stack(finals, 0)

    def _fused_layers(self, x, hx, directions: int):
        """A float32 LSTM: one MkldnnRnnLayerBackward0 per layer and direction."""
        finals_h, finals_c = [], []
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(directions):
                k = layer * directions + direction
                out, h_n, c_n, _ = LSTM_LAYER(x, *self._weights(layer, direction), hx[0][k],
                                              hx[1][k], reverse=bool(direction))
                outputs.append(out)
                finals_h.append(h_n)
                finals_c.append(c_n)
            x = outputs[0] if directions == 1 else cat(outputs, 2)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, True)
        return x, finals_h, finals_c

    def _layers(self, x, hiddens: list, directions: int, layer):
        """torch's apply_layer_stack: each layer (both directions) over the previous one's
        output, dropout between layers; returns the last output and every final state."""
        step, finals = _STEPS[self.mode], []
        for number in range(self.num_layers):
            outputs = []
            for direction in range(directions):
                out, final = layer.run(step, x, hiddens[number * directions + direction],
                                       self._weights(number, direction), bool(direction))
                outputs.append(out)
                finals.append(final)
            x = outputs[0] if directions == 1 else cat(outputs, layer.join_dim(outputs[0]))
            if self.dropout and self.training and number < self.num_layers - 1:
                x = F.dropout(x, self.dropout, True)
        return x, finals

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s


class RNN(RNNBase):
    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True, batch_first: bool = False,
                 dropout: float = 0.0, bidirectional: bool = False, device=None,
                 dtype=None) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or "
                             "'relu'.")
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size,
                         hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         device=device, dtype=dtype)
        self.nonlinearity = nonlinearity


class LSTM(RNNBase):
    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device=None,
                 dtype=None) -> None:
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, proj_size, device, dtype)


class GRU(RNNBase):
    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, device=None, dtype=None) -> None:
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, device=device, dtype=dtype)
