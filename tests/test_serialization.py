"""torch.save / torch.load: round trips of tensors, state_dicts and optimizer states, and a
clear refusal of anything that is not our own safe format (nothing is ever unpickled)."""
import io
import pickle

import pytest
import torch

import engine
from difftest import assert_same


def round_trip(obj):
    buf = io.BytesIO()
    engine.save(obj, buf)
    buf.seek(0)
    return engine.load(buf)


def test_tensors_and_containers_round_trip():
    engine.manual_seed(0)
    obj = {"a": engine.randn(2, 3), "b": [engine.arange(4), (1, 2.5, "x", None, True)],
           "c": engine.ones(2, dtype=engine.float64).t(), "p": engine.nn.Parameter(engine.ones(1))}
    back = round_trip(obj)
    torch.manual_seed(0)
    ref = {"a": torch.randn(2, 3), "b": [torch.arange(4), (1, 2.5, "x", None, True)],
           "c": torch.ones(2, dtype=torch.float64).t(), "p": torch.nn.Parameter(torch.ones(1))}
    assert_same([back["a"], back["b"], back["c"], back["p"]],
                [ref["a"], ref["b"], ref["c"], ref["p"]])
    assert isinstance(back["p"], engine.nn.Parameter)


def test_model_and_optimizer_state_round_trip_to_a_file(tmp_path):
    engine.manual_seed(0)
    model = engine.nn.Sequential(engine.nn.Linear(2, 3), engine.nn.BatchNorm1d(3))
    opt = engine.optim.Adam(model.parameters(), lr=0.01)
    model(engine.randn(4, 2)).sum().backward()
    opt.step()
    path = tmp_path / "checkpoint.pt"
    engine.save({"model": model.state_dict(), "opt": opt.state_dict()}, path)
    ck = engine.load(path)
    assert list(ck["model"].keys()) == list(model.state_dict().keys())
    fresh = engine.nn.Sequential(engine.nn.Linear(2, 3), engine.nn.BatchNorm1d(3))
    fresh.load_state_dict(ck["model"])
    for a, b in zip(fresh.state_dict().values(), model.state_dict().values()):
        assert engine.equal(a, b)
    opt2 = engine.optim.Adam(fresh.parameters(), lr=0.01)
    opt2.load_state_dict(ck["opt"])
    assert opt2.state_dict()["param_groups"] == opt.state_dict()["param_groups"]
    assert repr(opt2.state_dict()["state"][0]["step"]) == "tensor(1.)"


@pytest.mark.parametrize("payload", [
    b"not a checkpoint",
    pickle.dumps({"weights": [1, 2, 3]}),
])
def test_foreign_files_are_refused_without_unpickling(payload):
    with pytest.raises(RuntimeError, match="not written by torch.save in Autograd Explorer"):
        engine.load(io.BytesIO(payload))


def test_a_real_torch_checkpoint_is_refused():
    buf = io.BytesIO()
    torch.save({"w": torch.ones(2)}, buf)
    buf.seek(0)
    with pytest.raises(RuntimeError, match="not written by torch.save in Autograd Explorer"):
        engine.load(buf)


def test_unsupported_objects_are_named():
    with pytest.raises(TypeError, match="cannot store set"):
        engine.save({1, 2}, io.BytesIO())


NUMPY_ROUND_TRIP = """import torch, numpy as np
torch.save(np.arange(3), "a.pt")
try:
    torch.load("a.pt")
except Exception as e:
    print(type(e).__name__, str(e).splitlines()[0])
print(torch.load("a.pt", weights_only=False))
"""


def test_the_sandbox_passes_weights_only_to_load_as_torch_does(tmp_path, monkeypatch):
    """In the sandbox torch.load dropped weights_only, so a NumPy array saved there could
    never be loaded back, as torch loads it with weights_only=False."""
    import contextlib

    from explorer import run_code
    monkeypatch.chdir(tmp_path)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(NUMPY_ROUND_TRIP, {})  # noqa: S102 - real torch, the oracle
    run = run_code(NUMPY_ROUND_TRIP)
    assert run.error is None and run.stdout == printed.getvalue()
