"""The warnings a run raises reach the learner as PyTorch prints them (issue 15: the notes'
`Variable(x, volatile=True)` ran silently, where PyTorch says what to write today). The oracle
is real PyTorch's stderr for the same program, run as a script."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest

from explorer import run_code

PROGRAMS = {
    "volatile": "import torch\nfrom torch.autograd import Variable\n"
                "x = Variable(torch.ones(2), volatile=True)\nprint(x)\n",
    "legacy loss arguments": "import torch\nloss = torch.nn.MSELoss(size_average=False)\n"
                             "print(loss(torch.ones(2), torch.zeros(2)))\n",
    "none": "import torch\nprint(torch.ones(2) * 2)\n",
    # warned by a function published through the argument binding's wrapper: the line is still
    # the learner's (a fixed stacklevel pointed into the wrapper)
    "copy construct": "import torch\nx = torch.ones(2)\ny = torch.tensor(x)\nprint(y)\n",
    "cross without dim": "import torch\na = torch.ones(2, 3)\nprint(torch.cross(a, a))\n",
}


def torchs_warnings(source: str, tmp_path) -> list[tuple]:
    """(line in the program or None, category, text) per warning on PyTorch's stderr; a
    warning PyTorch attributes to its own files has no program line."""
    script = tmp_path / "program.py"
    script.write_text(source)
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    found = re.findall(r"^(\S+?):(\d+): (\w+Warning): (.*)$", done.stderr, re.M)
    return [(int(line) if path.endswith("program.py") else None, kind, text)
            for path, line, kind, text in found]


def ours(run) -> list[tuple]:
    parsed = [re.fullmatch(r"(?:line (\d+): )?(\w+Warning): (.*)", w) for w in run.warnings]
    return [(int(m[1]) if m[1] else None, m[2], m[3]) for m in parsed]


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_a_runs_warnings_are_torchs(name, tmp_path):
    run = run_code(PROGRAMS[name])
    assert run.error is None, run.error
    expected, shown = torchs_warnings(PROGRAMS[name], tmp_path), ours(run)
    assert [w[1:] for w in shown] == [w[1:] for w in expected]
    for (line, *_), (torch_line, *_) in zip(shown, expected):
        assert torch_line is None or line == torch_line
    assert bool(shown) == (name != "none")


def test_a_variance_of_one_value_warns_as_torch_and_numpy_says_nothing(tmp_path):
    """torch warns that the degrees of freedom are <= 0 and gives nan (its text ends in where
    its C++ kernel is, which the engine does not print); NumPy's own division warning leaked."""
    source = "import torch\nx = torch.ones(1)\nprint(x.var(), x.std(), x.var(dim=0))\n"
    run = run_code(source)
    expected = [(line, kind, text.split(" (Triggered internally at ")[0])
                for line, kind, text in torchs_warnings(source, tmp_path)]
    assert ours(run) == expected and run.stdout == "tensor(nan) tensor(nan) tensor(nan)\n"
