"""The tenth outside attack's findings, each as the attacker ran it: raw bytes written into an
array of objects (io's readinto), a library property's raw setter, real PyTorch reading a
packed sequence's batch sizes past their storage (compare mode), and what a Run's names and
op labels can do to the pictures drawn from it (Plotly titles, Graphviz labels)."""
from __future__ import annotations

import dataclasses

import pytest

from explorer import run_code
from explorer.compare import run_snapshot
from explorer.sandbox.limits import Limits
from explorer.views.export import dot_to_svg
from explorer.views.graph import graph_dot
from explorer.views.memory import order_figure, tensor_named, view_check, view_figure


def refused(source: str, words: str) -> None:
    run = run_code(source)
    assert run.error is not None and run.error.type == "SandboxError", run.error
    assert words in run.error.message


@pytest.mark.parametrize("method", ["readinto", "readinto1"])
def test_bytesio_cannot_write_raw_bytes_into_an_array_of_objects(method):
    refused(f"""import io
import numpy as np
victim = np.array(["secret", None], dtype=object)
raw = victim.tobytes()
io.BytesIO(raw[:8] + raw[:8]).{method}(victim)
""", f"'{method}' is not available")


def test_bytesio_reads_and_writes_as_usual():
    run = run_code("import io\nf = io.BytesIO()\nf.write(b'abc')\nf.seek(0)\n"
                   "print(f.read(), f.getvalue())\n")
    assert run.error is None and run.stdout == "b'abc' b'abc'\n"


@pytest.mark.parametrize("source", [
    "torch.Tensor.grad_fn.fset(t, 'not a node')",
    "torch.Tensor.data.fset(object(), t)",
    "torch.Tensor.grad_fn.fget(t)",
    "torch.Tensor.is_leaf.setter(print)",
])
def test_a_library_propertys_raw_methods_are_out_of_reach(source):
    refused(f"import torch\nt = torch.ones(2)\n{source}\n", "of a library property")


def test_a_learners_own_property_keeps_its_accessors():
    run = run_code("class P:\n    @property\n    def v(self):\n        return 3\n"
                   "print(P.v.fget(P()))\n")
    assert run.error is None and run.stdout == "3\n"


EXPANDED_BATCH_SIZES = """import torch
from torch.nn.utils.rnn import PackedSequence
torch.manual_seed(0)
sizes = torch.tensor([2, 1, 1])[2:].expand(4)
packed = PackedSequence(torch.randn(4, 3), sizes, None, None)
print(packed.batch_sizes)
out, h = torch.nn.RNN(3, 2)(packed)
print(out.data.shape, h.shape)
"""


def test_real_pytorch_reads_an_expanded_batch_sizes_as_the_engine_does(torch_pool):
    """torch's RNN kernel reads batch_sizes as one contiguous row: an expanded one read the
    heap past its one element (a 'length' of 9107510286189095524 came back)."""
    real = run_snapshot(torch_pool, EXPANDED_BATCH_SIZES, 0, Limits())
    ours = run_code(EXPANDED_BATCH_SIZES)
    assert real.error is None and ours.error is None
    assert real.stdout == ours.stdout
    assert real.stdout.startswith("tensor([1, 1, 1, 1])")


HOSTILE_NAME = '<span style="background:url(http://127.0.0.1:9/beacon)">y</span>'


def renamed(run, old: str, new: str):
    """The run as if the learner's variable `old` were called `new` (which Python's own names
    cannot be, but a run process that got native code could send)."""
    variables = tuple(dataclasses.replace(v, name=new) if v.name == old else v
                      for v in run.variables)
    return dataclasses.replace(run, variables=variables)


def test_memory_figures_show_a_name_as_text_not_markup():
    run = run_code("import torch\ny = torch.arange(12.).view(3, 4).t()\n"
                   "z = y.contiguous()\n")
    view = view_figure(view_check(tensor_named(run, "y")), HOSTILE_NAME)
    order = order_figure(renamed(run, "z", HOSTILE_NAME), ["y", HOSTILE_NAME])
    texts = [view.layout.title.text, *(a.text for a in view.layout.annotations),
             *(trace.name or "" for trace in view.data), *(a.text for a in order.layout.annotations)]
    assert any("&lt;span" in text for text in texts)
    assert not any("<span" in text for text in texts)


def test_a_backslash_in_an_op_name_does_not_break_the_graph():
    run = run_code("import torch\nx = torch.ones(2, requires_grad=True)\ny = (x * 2).sum()\n")
    ops = tuple(dataclasses.replace(op, grad_fn=op.grad_fn + "\\") if op.grad_fn else op
                for op in run.graph.ops)
    forged = dataclasses.replace(run, graph=dataclasses.replace(run.graph, ops=ops))
    svg = dot_to_svg(graph_dot(forged)).decode()
    assert "MulBackward0\\" in svg


RISING_BATCH_SIZES = """import torch
from torch.nn.utils.rnn import PackedSequence, pad_packed_sequence, pack_sequence
packed = pack_sequence([torch.ones(3, 2), torch.ones(2, 2)])
out, lengths = pad_packed_sequence(packed, batch_first=True)
print(out.shape, lengths)
bs = torch.tensor([2, 1] * 2000)
try:
    pad_packed_sequence(PackedSequence(torch.zeros(6000, 1), bs))
except RuntimeError as e:
    print("refused:", e)
"""


def test_real_pytorch_never_unpacks_batch_sizes_its_packing_could_not_make(torch_pool):
    """torch's _pad_packed_sequence writes a length per drop in batch_sizes below a buffer
    sized by the first: sizes rising and falling wrote 16 KB of chosen words into the heap
    (eleventh outside attack)."""
    real = run_snapshot(torch_pool, RISING_BATCH_SIZES, 0, Limits())
    assert real.error is None, real.error
    lines = real.stdout.splitlines()
    assert lines[0] == run_code(RISING_BATCH_SIZES).stdout.splitlines()[0]
    assert lines[1].startswith("refused: batch_sizes must be positive, non-increasing")
