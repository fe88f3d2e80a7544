"""Instructions per tiny-graph step, counted by valgrind: `python bench/engine_instructions.py`.

Wall and CPU times on a shared 2-core machine swing by ±15%; callgrind's instruction count
for the same code is repeatable to a fraction of a percent, so it shows whether a small change
to the engine's per-op work helped. The step is benchmark 1's `(a*b + a).sum().backward()` on
2×2 float32 leaves. Two runs of different length cancel start-up: (count(long) - count(short))
divided by the extra steps. Needs valgrind (Debian package `valgrind`)."""
from __future__ import annotations

import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
STEP = """import sys
sys.path.insert(0, {root!r})
import engine
a = engine.rand(2, 2, requires_grad=True)
b = engine.rand(2, 2, requires_grad=True)
for _ in range(int(sys.argv[1])):
    a.grad = b.grad = None
    (a * b + a).sum().backward()
"""
SHORT, LONG = 20, 220


def instructions(script: pathlib.Path, steps: int) -> int:
    """Instructions valgrind counted for the whole process running `steps` steps."""
    out = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
         str(script), str(steps)],
        capture_output=True, text=True, check=True,
        env={**os.environ, "OPENBLAS_NUM_THREADS": "1"}).stderr
    return int(re.search(r"Collected : (\d+)", out).group(1))


def main() -> None:
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (apt-get install valgrind)")
    with tempfile.TemporaryDirectory() as folder:
        script = pathlib.Path(folder) / "step.py"
        script.write_text(STEP.format(root=str(ROOT)))
        per_step = (instructions(script, LONG) - instructions(script, SHORT)) / (LONG - SHORT)
    print("| benchmark | instructions per step |\n|---|---:|")
    print(f"| tiny graph `(a*b + a).sum().backward()`, 2×2 | {per_step / 1e3:,.0f}k |")


if __name__ == "__main__":
    main()
