"""torch.nn.utils.rnn against real torch 2.13: pad_sequence, pack_padded_sequence,
pad_packed_sequence, pack_sequence, unpack_sequence, unpad_sequence and PackedSequence give
torch's values, dtypes, printed text, graphs (node by node) and gradients, and fail with its
messages; nn.RNN, nn.GRU and nn.LSTM take a PackedSequence and step over its shrinking batches
as torch's PackedLayer does (float32 LSTMs too: torch's oneDNN kernel takes no packed input).
Learner code imports it all through the sandbox."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import torch
from difftest import assert_same_tensor, first_line
from test_diff_rnn_graph import graph_signature

import engine
from explorer import Limits
from explorer.sandbox.pool import WorkerPool


def same(e, t, where: str = "result", printed: bool = True) -> None:
    """Tensors (values, dtype, strides, grad_fn, printed text, whole graph), PackedSequences
    field by field, tuples and lists element by element, dtypes by name, anything else by ==."""
    if isinstance(t, torch.Tensor):
        assert_same_tensor(e, t, printed=printed, where=where)
        if t.grad_fn is not None:
            assert graph_signature(e.grad_fn) == graph_signature(t.grad_fn), f"{where}: graph"
    elif isinstance(t, (tuple, list)):
        assert type(e).__name__ == type(t).__name__, f"{where}: {type(e)} != {type(t)}"
        assert len(e) == len(t), f"{where}: length"
        for k, (a, b) in enumerate(zip(e, t)):
            same(a, b, f"{where}[{k}]", printed)
    elif isinstance(t, torch.dtype):
        assert str(e) == str(t), f"{where}: {e} != {t}"
    else:
        assert e == t, f"{where}: {e!r} != {t!r}"


def outcome(fn, lib):
    try:
        return fn(lib), None
    except Exception as exc:  # noqa: BLE001 - the error is what is compared
        return None, exc


def both(fn, *, grads: bool = True, printed: bool = True):
    """fn(lib) -> (result, leaves) on both libraries: the same results (or the same error),
    and after a backward from every tensor of the result, the same leaf gradients. `printed`:
    compare printed text too (not where matrix products leave float noise in the last digit)."""
    (ours, e_exc), (theirs, t_exc) = outcome(fn, engine), outcome(fn, torch)
    if t_exc is not None:
        assert e_exc is not None, f"torch raised {type(t_exc).__name__}: {first_line(t_exc)}"
        assert (type(e_exc).__name__, first_line(e_exc)) == (type(t_exc).__name__,
                                                             first_line(t_exc))
        return
    if e_exc is not None:
        raise e_exc
    same(ours[0], theirs[0], printed=printed)
    if grads:
        for lib, result in ((engine, ours[0]), (torch, theirs[0])):
            tensors = [v for v in _flat(result) if isinstance(v, lib.Tensor) and v.requires_grad]
            sum(v.float().pow(2).sum() for v in tensors).backward()
        for k, (e, t) in enumerate(zip(ours[1], theirs[1], strict=True)):
            np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), rtol=1e-5, atol=1e-6,
                                       err_msg=f"grad of leaf {k}")


def _flat(value):
    if isinstance(value, (tuple, list)):
        for v in value:
            yield from _flat(v)
    else:
        yield value


def sequences(lib, lengths=(3, 2, 1), dtype="float32", trailing=(2,)):
    lib.manual_seed(0)
    return [lib.randn(n, *trailing, dtype=getattr(lib, dtype), requires_grad=True)
            for n in lengths]


# ---- pad_sequence ----------------------------------------------------------------------------
PAD_CASES = {
    "default": {},
    "batch_first": {"batch_first": True},
    "padding value": {"padding_value": -1.5},
    "left": {"padding_side": "left"},
    "left, batch_first": {"padding_side": "left", "batch_first": True},
}


@pytest.mark.parametrize("kwargs", list(PAD_CASES.values()), ids=list(PAD_CASES))
@pytest.mark.parametrize("lengths", [(3, 2, 1), (1, 4, 2)], ids=["sorted", "unsorted"])
def test_pad_sequence_matches_torch(kwargs, lengths):
    def pad(lib):
        seqs = sequences(lib, lengths)
        return lib.nn.utils.rnn.pad_sequence(seqs, **kwargs), seqs
    both(pad)


def test_pad_sequence_of_integers_and_of_scalars_per_step():
    both(lambda lib: (lib.nn.utils.rnn.pad_sequence(
        [lib.tensor([1, 2, 3]), lib.tensor([4])], batch_first=True), []), grads=False)
    both(lambda lib: (lib.nn.utils.rnn.pad_sequence(sequences(lib, trailing=())), []),
         grads=False)


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.utils.rnn.pad_sequence([]),
    lambda lib: lib.nn.utils.rnn.pad_sequence(5),
    lambda lib: lib.nn.utils.rnn.pad_sequence([lib.ones(2)], padding_side="middle"),
], ids=["empty list", "not iterable", "bad side"])
def test_pad_sequence_refuses_as_torch(call):
    both(lambda lib: (call(lib), []), grads=False)


# ---- packing and unpacking -------------------------------------------------------------------
def padded(lib, batch_first=False, lengths=(4, 2, 1), dtype="float32"):
    lib.manual_seed(0)
    shape = (3, 4, 2) if batch_first else (4, 3, 2)
    x = lib.randn(*shape, dtype=getattr(lib, dtype), requires_grad=True)
    return x, list(lengths)


PACK_CASES = {
    "sorted": ({}, (4, 2, 1), False),
    "sorted, lengths as a tensor": ({}, (4, 2, 1), True),
    "batch_first": ({"batch_first": True}, (4, 2, 1), False),
    "unsorted": ({"enforce_sorted": False}, (2, 4, 1), False),
    "unsorted with ties": ({"enforce_sorted": False}, (2, 4, 2), True),
    "unsorted batch_first": ({"enforce_sorted": False, "batch_first": True}, (1, 3, 4), False),
    "shorter than the padding": ({}, (3, 2, 2), False),
}


@pytest.mark.parametrize("kwargs,lengths,as_tensor", list(PACK_CASES.values()),
                         ids=list(PACK_CASES))
def test_pack_padded_sequence_matches_torch(kwargs, lengths, as_tensor):
    def pack(lib):
        x, n = padded(lib, kwargs.get("batch_first", False), lengths)
        packed = lib.nn.utils.rnn.pack_padded_sequence(
            x, lib.tensor(n) if as_tensor else n, **kwargs)
        assert type(packed).__name__ == "PackedSequence"
        return packed, [x]
    both(pack)


def test_a_packed_sequence_prints_as_torchs():
    def text(lib):
        x, n = padded(lib, lengths=(2, 4, 1))
        packed = lib.nn.utils.rnn.pack_padded_sequence(x, n, enforce_sorted=False)
        return repr(packed), str(type(packed)), packed._fields, len(packed)
    assert text(engine) == text(torch)


@pytest.mark.parametrize("kwargs", [{}, {"batch_first": True}, {"padding_value": 9.0},
                                    {"total_length": 6}, {"total_length": 6,
                                                          "batch_first": True}],
                         ids=["default", "batch_first", "padding value", "total_length",
                              "total_length, batch_first"])
@pytest.mark.parametrize("sort", [True, False], ids=["sorted", "unsorted"])
def test_pad_packed_sequence_matches_torch(kwargs, sort):
    def unpack(lib):
        x, n = padded(lib, lengths=(4, 2, 1) if sort else (2, 4, 1))
        packed = lib.nn.utils.rnn.pack_padded_sequence(x, n, enforce_sorted=sort)
        return lib.nn.utils.rnn.pad_packed_sequence(packed, **kwargs), [x]
    both(unpack)


@pytest.mark.parametrize("sort", [True, False], ids=["sorted", "unsorted"])
def test_pack_sequence_and_unpack_sequence_match_torch(sort):
    def roundtrip(lib):
        seqs = sequences(lib, (3, 2, 1) if sort else (1, 3, 2))
        packed = lib.nn.utils.rnn.pack_sequence(seqs, enforce_sorted=sort)
        return (packed, lib.nn.utils.rnn.unpack_sequence(packed)), seqs
    both(roundtrip)


def test_unpad_sequence_and_invert_permutation_match_torch():
    def unpad(lib):
        seqs = sequences(lib, (1, 3, 2))
        out = lib.nn.utils.rnn.pad_sequence(seqs) * 1
        lengths = lib.as_tensor([1, 3, 2])
        parts = lib.nn.utils.rnn.unpad_sequence(out, lengths)
        perm = lib.nn.utils.rnn.invert_permutation(lib.tensor([2, 0, 3, 1]))
        return (parts, out.shape, out.stride(), perm), seqs
    both(unpad)


def test_packed_sequence_conversions_match_torch():
    def convert(lib):
        x, n = padded(lib)
        packed = lib.nn.utils.rnn.pack_padded_sequence(x.detach(), n)
        return (packed.double(), packed.to(lib.float64), packed.float() is packed,
                packed.is_cuda, packed.long().data.dtype), []
    both(convert, grads=False)


PACK_ERRORS = {
    "unsorted lengths": lambda lib: lib.nn.utils.rnn.pack_padded_sequence(
        lib.zeros(4, 3, 2), [2, 4, 1]),
    "a zero length": lambda lib: lib.nn.utils.rnn.pack_padded_sequence(
        lib.zeros(4, 3, 2), [4, 2, 0]),
    "too few lengths": lambda lib: lib.nn.utils.rnn.pack_padded_sequence(
        lib.zeros(4, 3, 2), [4, 2]),
    "an empty tensor": lambda lib: lib.nn.utils.rnn.pack_padded_sequence(
        lib.zeros(0, 3, 2), [1, 1, 1]),
    "total_length too short": lambda lib: lib.nn.utils.rnn.pad_packed_sequence(
        lib.nn.utils.rnn.pack_padded_sequence(lib.zeros(4, 3, 2), [4, 2, 1]), total_length=2),
}


@pytest.mark.parametrize("call", list(PACK_ERRORS.values()), ids=list(PACK_ERRORS))
def test_packing_refuses_as_torch(call):
    both(lambda lib: (call(lib), []), grads=False)


# ---- recurrent layers over a PackedSequence --------------------------------------------------
RNN_CASES = [("RNN", "float32", {}), ("RNN", "float64", {"nonlinearity": "relu"}),
             ("GRU", "float32", {}), ("LSTM", "float32", {}), ("LSTM", "float64", {}),
             ("GRU", "float32", {"bidirectional": True, "num_layers": 2}),
             ("LSTM", "float32", {"bidirectional": True, "num_layers": 2}),
             ("RNN", "float64", {"bidirectional": True, "bias": False}),
             ("LSTM", "float32", {"num_layers": 2, "dropout": 0.5})]


def packed_rnn(lib, kind, dtype, config, *, given_state: bool, lengths, batch_first=False):
    lib.manual_seed(0)
    dt = getattr(lib, dtype)
    module = getattr(lib.nn, kind)(3, 4, batch_first=batch_first, **config).to(dt)
    module.eval()
    directions = 2 if module.bidirectional else 1
    x = lib.randn(*((3, 4, 3) if batch_first else (4, 3, 3)), dtype=dt, requires_grad=True)
    packed = lib.nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=batch_first,
                                                   enforce_sorted=False)
    state, leaves = None, [x, *module.parameters()]
    if given_state:
        h0 = lib.randn(module.num_layers * directions, 3, 4, dtype=dt, requires_grad=True)
        state = (h0, h0 * 2) if kind == "LSTM" else h0
        leaves.append(h0)
    output, hidden = module(packed, state)
    padded_output, out_lengths = lib.nn.utils.rnn.pad_packed_sequence(output,
                                                                      batch_first=batch_first)
    return (output, hidden, padded_output, out_lengths), leaves


@pytest.mark.parametrize("kind,dtype,config", RNN_CASES,
                         ids=[f"{k} {d} {c or ''}".strip() for k, d, c in RNN_CASES])
@pytest.mark.parametrize("given_state", [True, False], ids=["given h0", "zero h0"])
@pytest.mark.parametrize("lengths", [[4, 2, 1], [2, 4, 2]], ids=["sorted", "unsorted"])
def test_a_recurrent_layer_over_a_packed_sequence_matches_torch(kind, dtype, config, given_state,
                                                                 lengths):
    both(lambda lib: packed_rnn(lib, kind, dtype, config, given_state=given_state,
                                lengths=lengths), printed=False)


def test_a_batch_first_packed_gru_matches_torch():
    both(lambda lib: packed_rnn(lib, "GRU", "float32", {}, given_state=True,
                                lengths=[1, 4, 3], batch_first=True), printed=False)


STATE_ERRORS = {
    "RNN, wrong batch in h0": lambda lib: lib.nn.RNN(3, 4)(
        lib.nn.utils.rnn.pack_sequence([lib.ones(2, 3), lib.ones(1, 3)]), lib.zeros(1, 3, 4)),
    "GRU, wrong input size": lambda lib: lib.nn.GRU(3, 4)(
        lib.nn.utils.rnn.pack_sequence([lib.ones(2, 5)])),
    "RNN, float64 input": lambda lib: lib.nn.RNN(3, 4)(lib.ones(2, 1, 3, dtype=lib.float64)),
    "GRU, 4-d input": lambda lib: lib.nn.GRU(3, 4)(lib.ones(2, 1, 1, 3)),
    "LSTM, 1-d input": lambda lib: lib.nn.LSTM(3, 4)(lib.ones(3)),
    "RNN, 2-d h0 for a batch": lambda lib: lib.nn.RNN(3, 4)(lib.ones(2, 1, 3), lib.zeros(1, 4)),
    "LSTM, 3-d states for one sequence": lambda lib: lib.nn.LSTM(3, 4)(
        lib.ones(2, 3), (lib.zeros(1, 1, 4), lib.zeros(1, 1, 4))),
    "LSTM, wrong c0": lambda lib: lib.nn.LSTM(3, 4)(
        lib.ones(2, 1, 3), (lib.zeros(1, 1, 4), lib.zeros(1, 2, 4))),
    "GRU, wrong h0 layers": lambda lib: lib.nn.GRU(3, 4, num_layers=2)(
        lib.ones(2, 1, 3), lib.zeros(1, 1, 4)),
}


@pytest.mark.parametrize("call", list(STATE_ERRORS.values()), ids=list(STATE_ERRORS))
def test_a_recurrent_layer_refuses_what_torch_refuses(call):
    both(lambda lib: (call(lib), []), grads=False)


# ---- through the sandbox ---------------------------------------------------------------------
PROGRAM = """import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence, pad_sequence
import torch.nn.utils.rnn as rnn_utils
torch.manual_seed(0)
seqs = [torch.randn(n, 3) for n in (2, 4, 1)]
padded = pad_sequence(seqs, batch_first=True)
lengths = torch.tensor([2, 4, 1])
packed = pack_padded_sequence(padded, lengths, batch_first=True, enforce_sorted=False)
print(type(packed), packed.batch_sizes, packed.sorted_indices)
print(isinstance(packed, nn.utils.rnn.PackedSequence), isinstance(packed, tuple))
lstm = nn.LSTM(3, 4, batch_first=True)
out, (h, c) = lstm(packed)
print(out.data.grad_fn, h.grad_fn.name())
unpacked, out_lengths = pad_packed_sequence(out, batch_first=True)
print(unpacked.shape, out_lengths)
data, batch_sizes, _, _ = rnn_utils.pack_sequence(seqs, enforce_sorted=False)
print(data.shape, batch_sizes)
print(torch.nn.utils.rnn.unpack_sequence(packed)[0])
"""


def test_learner_code_packs_sequences_in_the_sandbox(tmp_path):
    torch_run = subprocess.run([sys.executable, "-c", PROGRAM], cwd=tmp_path,
                               capture_output=True, text=True, timeout=120)
    assert torch_run.returncode == 0, torch_run.stderr
    workers = WorkerPool(size=1)
    try:
        run = workers.run(PROGRAM, 0, Limits(cpu_seconds=5, wall_seconds=30))
    finally:
        workers.close()
    assert run.error is None, run.error
    # object addresses differ: compare the printed text without them
    strip = lambda text: [line.split(" object at ")[0] for line in text.splitlines()]  # noqa
    assert strip(run.stdout) == strip(torch_run.stdout)


def test_iterating_a_1d_tensor_gives_views_of_its_storage():
    """unpad_sequence walks `lengths` element by element: each element is a 0-d view at its
    own offset (the engine once handed out copies with a nonsense storage offset, which the
    Run's wire check then refused), and writing through one reaches the tensor, as in torch."""
    def walk(lib):
        x = lib.tensor([1, 2, 3])
        offsets = [v.storage_offset() for v in x] + [v.storage_offset() for v in x.unbind(0)]
        x.unbind(0)[1].add_(5)
        return offsets, x.tolist()
    assert walk(engine) == walk(torch)
