"""torch.nn.utils.rnn: batches of sequences of different lengths, padded or packed.

Written as PyTorch's own nn/utils/rnn.py is, with its C++ helpers (_pad_packed_sequence,
pad_sequence) spelled out in engine ops in the same order, so the graph they record is torch's:
padding copies each sequence into a slice of a filled tensor (CopySlices), packing is one op
(PackPaddedSequenceBackward0, ops/packing.py), sorting by length is an index_select.

    packed = pack_padded_sequence(padded, lengths, enforce_sorted=False)
    output, h_n = rnn(packed)               # the RNN steps over batch_sizes, see modules/rnn.py
    padded_out, lengths = pad_packed_sequence(output)
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from ...ops.packing import PACK_PADDED
from ...tensor import Tensor

__all__ = ["PackedSequence", "invert_permutation", "pack_padded_sequence",
           "pad_packed_sequence", "pad_sequence", "unpad_sequence", "pack_sequence",
           "unpack_sequence"]


class PackedSequence_(NamedTuple):
    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None
    unsorted_indices: Tensor | None


def bind(optional, fn):
    return None if optional is None else fn(optional)


class PackedSequence(PackedSequence_):
    """data (every sequence's step t, for t = 0, 1, ...), batch_sizes (how many sequences run at
    each step), and the permutation that sorted the batch by length (None if it came sorted)."""

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        return super().__new__(cls, *_packed_sequence_init_args(data, batch_sizes,
                                                                sorted_indices,
                                                                unsorted_indices))

    def to(self, *args, **kwargs):
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        return type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def cuda(self, *args, **kwargs):
        kwargs["device"] = "cuda"
        return self.to(*args, **kwargs)

    def cpu(self, *args, **kwargs):
        return self.to(*args, **kwargs)

    def pin_memory(self):
        return self

    def double(self):
        return self.to(dtype=_dtype("float64"))

    def float(self):
        return self.to(dtype=_dtype("float32"))

    def half(self):
        return self.to(dtype=_dtype("float16"))

    def long(self):
        return self.to(dtype=_dtype("int64"))

    def int(self):
        return self.to(dtype=_dtype("int32"))

    def short(self):
        return self.to(dtype=_dtype("int16"))

    def char(self):
        return self.to(dtype=_dtype("int8"))

    def byte(self):
        return self.to(dtype=_dtype("uint8"))

    @property
    def is_cuda(self) -> bool:
        return self.data.is_cuda

    def is_pinned(self) -> bool:
        return False


PackedSequence_.__module__ = PackedSequence.__module__ = "torch.nn.utils.rnn"


def _dtype(name: str):
    from ... import dtypes
    return getattr(dtypes, name)


def _packed_sequence_init_args(data, batch_sizes=None, sorted_indices=None,
                               unsorted_indices=None) -> tuple:
    if unsorted_indices is None:
        unsorted_indices = invert_permutation(sorted_indices)
    if batch_sizes is not None:
        return data, batch_sizes, sorted_indices, unsorted_indices
    if not (isinstance(data, (list, tuple)) and len(data) == 2):
        raise AssertionError("Expected data to be a list or tuple of length 2")
    return data[0], data[1], sorted_indices, unsorted_indices


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """The inverse permutation: output[permutation[i]] = i."""
    if permutation is None:
        return None
    from ... import arange, empty_like
    output = empty_like(permutation)
    output.scatter_(0, permutation, arange(0, permutation.numel()))
    return output


def pack_padded_sequence(input: Tensor, lengths, batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """A padded batch (T, B, *) (or (B, T, *)) packed: the padding dropped, steps one after
    another. Unsorted lengths need enforce_sorted=False: the batch is sorted, longest first."""
    from ... import as_tensor, int64, sort
    if not isinstance(lengths, Tensor):
        lengths = as_tensor(lengths, dtype=int64, device="cpu")
    else:
        lengths = lengths.to(dtype=int64)
    if enforce_sorted:
        sorted_indices = None
    else:
        lengths, sorted_indices = sort(lengths, descending=True)
        input = input.index_select(0 if batch_first else 1, sorted_indices)
    data, batch_sizes = _pack_padded(input, lengths, batch_first)
    return PackedSequence(data, batch_sizes, sorted_indices, None)


def _pack_padded(input: Tensor, lengths: Tensor, batch_first: bool):
    """torch._pack_padded_sequence: its checks, in its order, then the op."""
    batch = input.shape[0 if batch_first else 1] if input.dim() > 1 else 0
    sizes = lengths.tolist()
    if input.numel() == 0:
        raise RuntimeError("Cannot pack empty tensors.")
    if len(sizes) != batch:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got "
                           f"{len(sizes)} (batch_size={batch})")
    if sizes[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element "
                           "in 'lengths' that is <= 0")
    if any(later > earlier for earlier, later in zip(sizes, sizes[1:])):
        raise RuntimeError("`lengths` array must be sorted in decreasing order when "
                           "`enforce_sorted` is True. You can pass `enforce_sorted=False` to "
                           "pack_padded_sequence and/or pack_sequence to sidestep this "
                           "requirement if you do not need ONNX exportability.")
    steps = input.shape[1 if batch_first else 0]
    if sizes[0] > steps:   # torch reads past the padded steps here; refuse instead
        raise RuntimeError(f"start ({steps}) + length ({sizes[0] - steps}) exceeds dimension "
                           f"size ({steps}).")
    return PACK_PADDED(input, lengths=sizes, batch_first=batch_first)


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False,
                        padding_value: float = 0.0, total_length: int | None = None) -> tuple:
    """The inverse of pack_padded_sequence: (padded batch, lengths), in the original order."""
    max_seq_length = sequence.batch_sizes.size(0)
    if total_length is not None:
        if total_length < max_seq_length:
            raise ValueError("Expected total_length to be at least the length of the longest "
                             f"sequence in input, but got total_length={total_length} and max "
                             f"sequence length being {max_seq_length}")
        max_seq_length = total_length
    padded_output, lengths = _pad_packed(sequence.data, sequence.batch_sizes, batch_first,
                                         padding_value, max_seq_length)
    unsorted_indices = sequence.unsorted_indices
    if unsorted_indices is not None:
        batch_dim = 0 if batch_first else 1
        return (padded_output.index_select(batch_dim, unsorted_indices),
                lengths[unsorted_indices.cpu()])
    return padded_output, lengths


def _pad_packed(data: Tensor, batch_sizes: Tensor, batch_first: bool, padding_value,
                total_length: int) -> tuple:
    """torch._pad_packed_sequence: a filled (T, B, *) tensor, and each run of steps with the
    same batch size copied into its corner; lengths counted as the batch shrinks."""
    from ... import full, tensor, int64
    sizes = batch_sizes.tolist()
    max_batch, steps = sizes[0], len(sizes)
    rest = tuple(data.shape[1:])
    output = full((max(total_length, steps), max_batch) + rest, padding_value, dtype=data.dtype)
    lengths = [0] * max_batch
    offset, prev_batch, prev_i = 0, max_batch, 0
    for i in range(steps + 1):
        batch = sizes[i] if i != steps else 0
        if batch != prev_batch:
            count = prev_batch * (i - prev_i)
            part = data[offset:offset + count]
            output[prev_i:i, :prev_batch].copy_(part.view((i - prev_i, prev_batch) + rest))
            offset += count
            prev_i = i
        for j in range(batch, prev_batch):
            lengths[j] = i
        prev_batch = batch
    if batch_first:
        output = output.transpose(0, 1)
    return output, tensor(lengths, dtype=int64)


def pad_sequence(sequences, batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Tensor:
    """Sequences (L_i, *) stacked into one (T, B, *) (or (B, T, *)) tensor, padded to the
    longest; each sequence is copied into its slice of a filled tensor."""
    from ... import full
    if not isinstance(sequences, Iterable):
        raise RuntimeError("pad_sequence: Expected iterable for input sequences, but got arg of "
                           f"type: {type(sequences)}")
    sequences = tuple(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    if padding_side not in ("left", "right"):
        raise RuntimeError("Expected padding_side to be one of left or right, but got "
                           f"{padding_side}.")
    max_len = max(s.size(0) for s in sequences)
    trailing = tuple(sequences[0].shape[1:])
    dims = (len(sequences), max_len) if batch_first else (max_len, len(sequences))
    out = full(dims + trailing, padding_value, dtype=sequences[0].dtype)
    for i, seq in enumerate(sequences):
        length = seq.size(0)
        start = max_len - length if padding_side == "left" else 0
        if batch_first:
            out.select(0, i).narrow(0, start, length).copy_(seq)
        else:
            out.narrow(0, start, length).select(1, i).copy_(seq)
    return out


def unpad_sequence(padded_sequences: Tensor, lengths: Tensor,
                   batch_first: bool = False) -> list:
    """The sequences of a padded batch, each cut to its length (transposes a (T, B, *) input
    in place, as torch does)."""
    from ... import arange
    unpadded_sequences = []
    if not batch_first:
        padded_sequences.transpose_(0, 1)
    max_length = padded_sequences.shape[1]
    idx = arange(max_length)
    for seq, length in zip(padded_sequences, lengths, strict=True):
        unpadded_sequences.append(seq[idx < length])
    return unpadded_sequences


def pack_sequence(sequences: list, enforce_sorted: bool = True) -> PackedSequence:
    """pad_sequence, then pack_padded_sequence."""
    from ... import as_tensor
    lengths = as_tensor([v.size(0) for v in sequences])
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> list:
    """pad_packed_sequence, then unpad_sequence: the list of sequences again."""
    padded_sequences, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded_sequences, lengths, batch_first=True)
