"""The Memory and Broadcasting tabs as Streamlit runs them (AppTest, through the real entry
point): the NumPy arrays of from_numpy()/numpy() drawn in the tensor's storage by name, the
version counter's steps as torch counts them, and a broadcast seen only in backward listed as
a broadcast, never beside "no operation broadcast"."""
from __future__ import annotations

import json

import numpy as np
import torch
from test_app import app_with, torch_run

NUMPY = """import numpy as np
import torch
a = np.arange(6, dtype=np.float32)
t = torch.from_numpy(a)
v = t.view(2, 3)
b = v.numpy()
"""

INPLACE = """import torch
x = torch.ones(3)
x.add_(1)
y = x[1:]
y.zero_()
for _ in range(3):
    x.sub_(1)
"""

LINEAR = """import torch
lin = torch.nn.Linear(4, 3)
x = torch.randn(5, 4)
y = lin(x).sum()
y.backward()
"""


def test_the_memory_tab_draws_the_numpy_arrays_sharing_the_tensors_memory():
    namespace = torch_run(NUMPY)[1]
    assert np.shares_memory(namespace["a"], namespace["t"].numpy())
    assert np.shares_memory(namespace["b"], namespace["t"].numpy())
    app = app_with(code=NUMPY, view="memory", var="t")
    assert not app.exception
    [strip] = [json.loads(c.proto.spec) for c in app.get("plotly_chart")]
    assert strip["data"][0]["y"] == ["t (6,)", "v (2, 3)", "a (6,) · NumPy", "b (2, 3) · NumPy"]
    assert any("`a`, `b` share this memory" in c.value for c in app.caption)


def test_the_memory_tab_counts_versions_as_torch_does():
    x = torch_run(INPLACE)[1]["x"]
    app = app_with(code=INPLACE, view="memory", var="x")
    assert not app.exception
    assert any(f"._version is {x._version} now" in c.value for c in app.caption)
    table = app.dataframe[-1].value
    assert list(table["code"]) == ["x.add_(1)", "y.zero_()", "x.sub_(1)"]
    assert list(table["version after"]) == ["1", "2", f"3 … {x._version} (×3)"]


def test_a_broadcast_seen_only_in_backward_is_not_called_no_broadcast():
    app = app_with(code=LINEAR, view="broadcast")
    assert not app.exception
    captions = [c.value for c in app.caption]
    assert not any("No operation in this run broadcast" in c for c in captions)
    assert any("`lin.bias`" in c and "summed from" in c for c in captions)
    assert any("`lin.bias`: \\(3\\,\\) → \\(1\\, 3\\)" in c for c in captions)
    assert app.get("plotly_chart"), "the bias stretched over the batch, drawn"


PARTLY = """import numpy as np
import torch
a = np.arange(10.0)
t = torch.from_numpy(a[2:])
back = a[::-1]
"""


def test_an_array_reaching_before_the_tensors_storage_is_drawn_as_its_own():
    """`a` shares memory with `t = torch.from_numpy(a[2:])`, but its first two elements lie
    before t's storage: the run came back refused as an impossible layout."""
    app = app_with(code=PARTLY, view="memory", var="t")
    assert not app.exception and not app.error
    [strip] = [json.loads(c.proto.spec) for c in app.get("plotly_chart")]
    assert strip["data"][0]["y"] == ["t (8,)"]
