"""Packing a padded batch of sequences, as torch's _pack_padded_sequence does: one op
(PackPaddedSequenceBackward0) that keeps, step by step, the rows of the sequences still running.

    input (T, B, *), lengths sorted longest first  ->  data (sum(lengths), *), batch_sizes (T',)

batch_sizes[t] is how many sequences are longer than t; data holds input[t, :batch_sizes[t]]
for t = 0, 1, ... one after another. The backward puts each step's rows back and zeros the
padding. (Unpacking, pad_packed_sequence, is no op of its own in torch either: nn/utils/rnn.py.)
"""
from __future__ import annotations

import numpy as np

from .joining import cat, stack
from .registry import defop


def batch_sizes_of(lengths: list) -> list:
    """How many of the (sorted, longest first) sequences are still running at each step."""
    return [sum(1 for n in lengths if n > t) for t in range(lengths[0])]


@defop("_pack_padded_sequence", "PackPaddedSequenceBackward0", inputs=("input",),
       saves=("batch_first", "input_sym_sizes", "result1"), n_outputs=2,
       formulas={"input": "grad's rows put back at each step's first batch_sizes[t] places, "
                          "zeros for the padding"})
def PACK_PADDED(x, *, lengths, batch_first):
    x = x.swapaxes(0, 1) if batch_first else x
    sizes = batch_sizes_of(lengths)
    data = np.concatenate([x[t, :n] for t, n in enumerate(sizes)], axis=0)
    return np.ascontiguousarray(data), np.array(sizes, dtype=np.int64)


@PACK_PADDED.derivative
def _(grads, s):
    from .creation import zeros
    grad = grads[0]
    shape = list(s.input_sym_sizes)
    if s.batch_first:
        shape[0], shape[1] = shape[1], shape[0]
    steps, offset = [], 0
    for n in s.result1.tolist():
        rows = grad.narrow(0, offset, n)
        if n < shape[1]:
            rows = cat([rows, zeros((shape[1] - n, *shape[2:]), dtype=grad.dtype)], 0)
        steps.append(rows)
        offset += n
    if len(steps) < shape[0]:   # the padded input ran longer than the longest sequence
        steps += [zeros(tuple(shape[1:]), dtype=grad.dtype)] * (shape[0] - len(steps))
    grad_input = stack(steps, 0)
    return grad_input.transpose(0, 1) if s.batch_first else grad_input
