"""Export: the SVG and PNG are Graphviz's drawing of the graph, and the exported script prints
on real PyTorch exactly what the app printed, seeds included."""
import pathlib
import re
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from explorer.sandbox.execute import execute
from explorer.views.export import dot_to_png, dot_to_svg, torch_script
from explorer.views.graph import graph_picture

HERE = pathlib.Path(__file__).parent
EXAMPLES = ["03_random_tensors", "21_autograd_basics", "33_custom_rnn_cell", "42_optimizers",
            "47_save_load"]

UNSEEDED = """import random
import numpy as np
import torch
import torch.nn as nn
print(torch.randn(2, 3))
print(torch.rand(4), torch.randint(0, 10, (5,)))
print(nn.Linear(3, 2).weight)
print(np.random.rand(3), random.random())
"""


def on_real_torch(script: str, cwd: pathlib.Path) -> str:
    path = cwd / "exported.py"
    path.write_text(script)
    proc = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                          cwd=cwd, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def test_svg_and_png_are_the_graph_drawn_by_graphviz():
    run = execute("import torch\nx = torch.ones(2, requires_grad=True)\n(x * x).sum().backward()")
    picture = graph_picture(run)
    svg = ET.fromstring(dot_to_svg(picture.dot))
    nodes = [g for g in svg.iter("{http://www.w3.org/2000/svg}g")
             if g.get("class", "").split(" ")[0] == "node"]
    assert len(nodes) == picture.nodes
    png = dot_to_png(picture.dot)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    low = struct.unpack(">II", dot_to_png(picture.dot, dpi=72)[16:24])
    assert width == pytest.approx(2 * low[0], abs=2) and height == pytest.approx(2 * low[1], abs=2)


@pytest.mark.parametrize("name", EXAMPLES)
def test_exported_course_example_prints_on_torch_what_the_app_printed(name, tmp_path):
    source = (HERE / "course_examples" / f"{name}.py").read_text()
    run = execute(source)
    assert run.ok, run.error
    assert on_real_torch(torch_script(source), tmp_path) == run.stdout


@pytest.mark.parametrize("seed", [0, 11])
def test_the_seed_is_carried_over_for_code_that_sets_none(seed, tmp_path):
    run = execute(UNSEEDED, seed=seed)
    assert run.ok, run.error
    printed = on_real_torch(torch_script(UNSEEDED, seed), tmp_path)
    assert printed == run.stdout
    assert on_real_torch(UNSEEDED, tmp_path) != printed   # without the header: other numbers


def test_future_imports_stay_first_and_the_code_is_unchanged():
    source = "from __future__ import annotations\nimport torch\nprint(torch.ones(1))\n"
    script = torch_script(source, 3)
    assert script.startswith("from __future__ import annotations\n")
    assert script.endswith("import torch\nprint(torch.ones(1))\n")
    assert re.search(r"manual_seed\(3\)", script)


def test_rendering_is_stopped_when_graphviz_takes_too_long(monkeypatch):
    """An export runs `dot` with a time limit: a learner's graph cannot hold a server core."""
    import explorer.views.export as export
    monkeypatch.setattr(export, "RENDER_SECONDS", 0.001)
    dot = "digraph G {" + "".join(f"n{i} -> n{i + 1};" for i in range(3000)) + "}"
    with pytest.raises(RuntimeError, match="took more than"):
        dot_to_png(dot)


@pytest.mark.parametrize("end", ["\x0c", "\x0b", "\x1c", "\x85", "\u2028"])
def test_the_seeding_header_goes_between_lines_python_reads(end):
    """str.splitlines() also breaks at form feeds and the like, which Python reads inside a
    line: the header went into a learner's string (fifteenth outside attack)."""
    for future, body in (("from __future__ import annotations\n",
                          f'note = """{end}\n"""\nprint(note)\n'),
                         (f'from __future__ import annotations; note = """{end}\n"""\n',
                          "print(note)\n")):
        script = torch_script(future + body, 3)
        assert script.startswith(future) and script.endswith(body)
        assert "manual_seed(3)" in script[len(future):-len(body)]
        compile(script, "exported", "exec")
