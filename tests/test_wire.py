"""What a run process sends is untrusted bytes: the server decodes them strictly against the
schema, caps them, and never runs anything they say. The hostile cases are sent by a real run
process (the test-only native task writes the bytes itself to its result fd)."""
from __future__ import annotations

import json
import os
import textwrap

import pytest

from explorer import Limits, wire
from explorer.model import ErrorInfo, Run, Values
from explorer.sandbox.execute import execute
from explorer.sandbox.fit import fit
from explorer.sandbox.pool import WorkerPool

LIMITS = Limits(cpu_seconds=3, wall_seconds=10)


def body(frame: bytes) -> bytes:
    return frame[wire.HEADER.size:]


def test_a_recorded_run_survives_the_wire_unchanged():
    source = ("import torch\nx = torch.randn(3, 4, requires_grad=True)\n"
              "y = torch.nn.Linear(4, 2)(x).relu().sum()\ny.backward()\nprint(x.grad)\nx")
    run = execute(source, 0)
    assert run.error is None and run.backward
    assert wire.decode(body(wire.encode(run)), Run) == run


def test_lone_surrogates_arrive_replaced():
    run = Run("s", 0, stdout="a\ud800b", error=ErrorInfo("E", "x\udfffy", 1, None, ""))
    decoded = wire.decode(body(wire.encode(run)), Run)
    assert decoded.stdout == "a\ufffdb" and decoded.error.message == "x\ufffdy"


def test_a_str_subclass_travels_as_a_plain_str():
    class Sneaky(str):
        def __reduce__(self):
            return (os.system, ("echo pwned",))
    decoded = wire.decode(body(wire.encode(Run("s", 0, result=Sneaky("tensor(1.)")))), Run)
    assert type(decoded.result) is str and decoded.result == "tensor(1.)"


@pytest.mark.parametrize("payload", [
    b"not json",
    b"[1, 2, 3]",
    b'{"ok": ["s", 0], "extra": 1}',
    b'{"ok": ["s", "zero"]}',                                   # seed must be an int
    b'{"ok": ["s", 0, 5]}',                                     # stdout must be a str
    b'{"ok": ["s", 0, "", null, null, [], [1, [], [], false, []]]}',   # graph.tensors pairs
    b'{"ok": ["s", 0, "", null, null, [["x", "tensor", null, "", [["w", [1]]]]]]}',
    b'{"ok": ["s", 0' + b', 1' * 40 + b"]}",                    # more fields than Run has
    b'{"ok": ["s", 1e400]}',
    b'{"ok": ["s", ' + b"9" * 40 + b"]}",                       # an int beyond int64
    b'{"ok": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",        # nested past the recursion limit
    b'{"__class__": "os.system"}',
])
def test_malformed_messages_are_refused(payload):
    with pytest.raises(wire.WireError):
        wire.decode(payload, Run)


def test_values_are_numbers_only():
    good = Values((2,), (1.0, 2.0), True)
    assert wire.decode(body(wire.encode(good)), Values) == good
    for data in (["a", "b"], [[1], "x"], [{"k": 1}]):
        with pytest.raises(wire.WireError):
            wire.decode(json.dumps({"ok": [[2], data, True]}).encode(), Values)


def test_arrays_are_plain_numeric_only():
    from explorer.compare import TensorSnapshot
    import numpy as np
    snap = TensorSnapshot("x", (2,), "torch.float32", 2, np.array([1.0, 2.0], np.float32), None)
    decoded = wire.decode(body(wire.encode(snap)), TensorSnapshot)
    assert decoded.values.dtype == np.float32 and decoded.values.tolist() == [1.0, 2.0]
    for dtype, data in (("object", "AAAA"), ("float32", "AAA"), ("float64", "AAAA")):
        raw = json.dumps({"ok": ["x", [2], "torch.float32", 2, [dtype, [2], data], None]})
        with pytest.raises(wire.WireError):
            wire.decode(raw.encode(), TensorSnapshot)


def test_an_oversized_message_is_refused_before_it_is_read():
    read, write = os.pipe()
    try:
        os.write(write, wire.HEADER.pack(1 << 40) + b"x" * 1000)
        with pytest.raises(wire.WireError, match="the limit is"):
            wire.read_frame(read, None)
        assert len(os.read(read, 4096)) == 1000      # the body was never read
    finally:
        os.close(read)
        os.close(write)


def test_a_run_too_large_to_send_is_thinned_to_fit():
    """3,000 multiplications of a 1,000-element tensor record about 180 MB of values."""
    source = ("import torch\ny = torch.ones(1000, requires_grad=True)\nz = y\n"
              "for i in range(3000):\n    z = z * 1.0001\nz.sum().backward()\n")
    run = execute(source, 0)
    frame = fit(run)
    assert len(frame) <= wire.MAX_MESSAGE + wire.HEADER.size
    sent = wire.decode(body(frame), Run)
    assert sent.trimmed_from > wire.MAX_MESSAGE
    assert len(sent.graph.ops) == len(run.graph.ops) and len(sent.backward) == 1
    last = sent.graph.ops[-2].outputs[0]      # the last multiplication's 1,000 values
    assert not sent.graph.tensors[last].values.complete
    assert sent.graph.tensors[last].values.max == run.graph.tensors[last].values.max


# ---- hostile run processes -------------------------------------------------------------------
@pytest.fixture(scope="module")
def pool():
    workers = WorkerPool(size=1, native=True)
    yield workers
    workers.close()


def send(raw: str) -> str:
    """Native code that writes `raw` (a Python bytes expression) as its result and exits."""
    return textwrap.dedent(f"""
        data = {raw}
        view = memoryview(data)
        while view:
            view = view[os.write(RESULT_FD, view):]
        os._exit(0)
        """)


HOSTILE = {
    "not_json": "(12).to_bytes(8, 'big') + b'not json!!!!'",
    "wrong_schema": "(20).to_bytes(8, 'big') + b'{\"ok\": [1, 2, 3, 4]}'",
    "announces_a_terabyte": "(1 << 40).to_bytes(8, 'big') + b'{'",
    "too_big": "(9 << 20).to_bytes(8, 'big') + b'[' * (9 << 20)",
    "ends_early": "(1000).to_bytes(8, 'big') + b'{\"ok\": '",
    "deep_nesting": "(len(b := b'{\"ok\": ' + b'[' * 500000 + b']' * 500000 + b'}')).to_bytes(8, "
                    "'big') + b",
    "forged_class": "(len(b := b'{\"ok\": {\"__reduce__\": \"os.system\"}}')).to_bytes(8, 'big') "
                    "+ b",
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_results_become_a_plain_error(pool, name):
    answer = pool.call("native", send(HOSTILE[name]), 0, LIMITS)
    assert answer[0] == "failed", answer
    assert answer[1] in ("garbled", "crashed"), answer
    run = pool.run("print('next')", 0, LIMITS)    # the worker goes on serving
    assert run.stdout == "next\n"


def test_a_result_that_never_ends_is_cut_at_the_wall_clock(pool):
    limits = Limits(cpu_seconds=3, wall_seconds=2)
    code = "os.write(RESULT_FD, (100).to_bytes(8, 'big') + b'{')\nimport time\ntime.sleep(60)"
    answer = pool.call("native", code, 0, limits)
    assert answer == ("failed", "timeout")


def test_hostile_results_do_not_grow_the_server(pool):
    """The server keeps nothing of a refused result: its memory does not grow with them."""
    import resource
    for _ in range(3):
        pool.call("native", send(HOSTILE["too_big"]), 0, LIMITS)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for _ in range(10):
        pool.call("native", send(HOSTILE["too_big"]), 0, LIMITS)
        pool.call("native", send(HOSTILE["deep_nesting"]), 0, LIMITS)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 20_000   # KiB


def test_many_variables_over_one_tensor_are_thinned_too():
    """450 names for one (1000, 1, 1, 1) tensor: 450,000 numbers, each nested three lists
    deep, cost the server 1.4 s to decode (F5). Variables' values count toward the budget,
    nesting included, and are cut to a prefix like every other tensor's."""
    from explorer.sandbox.fit import VALUE_BUDGET, _count
    source = ("import torch\nx = torch.zeros(1000, 1, 1, 1, dtype=torch.bool)\n" +
              "".join(f"v{i} = x\n" for i in range(450)))
    sent = wire.decode(body(fit(execute(source, 0))), Run)
    assert len(sent.variables) == 451 and sent.trimmed_from
    total = sum(_count(v.tensor.values) for v in sent.variables)
    assert total <= 2 * VALUE_BUDGET and not sent.variables[0].tensor.values.complete
    assert sent.variables[0].tensor.values.text.startswith("tensor([[[[False]]],")


def test_a_tensor_layout_no_tensor_can_have_is_refused():
    """A forged Run once drew 2**61 elements of one expanded cell for a minute (fifth outside
    attack): every layout must be one the engine could make, and the memory view must not
    depend on the element count (tests/test_views_memory.py)."""
    run = execute("import torch\nx = torch.ones(2, 3)\n")
    text = body(wire.encode(run)).decode()
    layout = '[2,3],"torch.float32",[3,1],0'
    assert layout in text
    for shape, stride, offset in (((2, 3), (3,), 0), ((2, 3), (-3, 1), 0), ((2, 3), (3, 1), -1),
                                  ((-2, 3), (3, 1), 0), ((1,) * 65, (1,) * 65, 0)):
        forged = text.replace(layout, json.dumps(
            [list(shape), "torch.float32", list(stride), offset], separators=(",", ":"))[1:-1])
        with pytest.raises(wire.WireError, match="layout no tensor can have"):
            wire.decode(forged.encode(), Run)
    assert wire.decode(text.encode(), Run) == run


def test_a_graph_larger_than_any_recording_is_refused(monkeypatch):
    """A forged Run of 80,000 ops (four node budgets) had one memory picture spend two minutes
    of server CPU (tenth outside attack): the decoder bounds what the pictures walk."""
    run = execute("import torch\nx = torch.ones(2, requires_grad=True)\ny = (x * 2).sum()\n")
    message = body(wire.encode(run))
    assert len(run.graph.ops) == 2
    assert wire.decode(message, Run) == run
    monkeypatch.setattr(wire, "MAX_OPS", 1)
    with pytest.raises(wire.WireError, match="a graph of 2 ops"):
        wire.decode(message, Run)


def test_a_value_numpy_refuses_is_a_bad_message_not_a_crash():
    """An array of shape (0, 2**62, 2**62) has no bytes, and NumPy's reshape raised ValueError
    through the pool to the page, leaving the worker mid-exchange (seventh outside attack)."""
    import numpy as np
    message = json.dumps({"ok": ["float32", [0, 2 ** 62, 2 ** 62], ""]}).encode()
    with pytest.raises(wire.WireError, match="malformed"):
        wire.decode(message, np.ndarray)
