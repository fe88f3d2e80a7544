"""Instructions per training step, counted by valgrind: `python bench/engine_instructions.py`.

Wall and CPU times on a shared 2-core machine swing by ±15%; callgrind's instruction count
for the same code is repeatable to a fraction of a percent, so it shows whether a small change
to the engine's per-op work helped. The steps are benchmark 1's `(a*b + a).sum().backward()`
on 2×2 float32 leaves and the MLP and CNN training steps of mlp_step.py and conv_step.py. Two
runs of different length cancel start-up: (count(long) - count(short)) divided by the extra
steps. The garbage collector is off, so when it happens to run does not move the count.
Needs valgrind (Debian package `valgrind`)."""
from __future__ import annotations

import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

from timing import ONE_THREAD

HERE = pathlib.Path(__file__).resolve().parent
PRELUDE = f"""import gc, sys
sys.path[:0] = [{str(HERE.parent)!r}, {str(HERE)!r}]
gc.disable()
import numpy as np
import engine
rng = np.random.default_rng(1)
"""
# name: (setup that defines step(), (short, long) step counts)
STEPS = {
    "tiny graph `(a*b + a).sum().backward()`, 2×2": ("""
a = engine.rand(2, 2, requires_grad=True)
b = engine.rand(2, 2, requires_grad=True)
def step():
    a.grad = b.grad = None
    (a * b + a).sum().backward()
""", (20, 220)),
    "MLP 784-128-10 step, batch 64": ("""
from mlp_step import BATCH, IN, OUT, make_step
step = make_step(engine, rng.standard_normal((BATCH, IN)).astype(np.float32),
                 rng.integers(0, OUT, BATCH))
""", (3, 13)),
    "CNN step, 8×1×28×28": ("""
from conv_step import BATCH, make_step
step = make_step(engine, rng.standard_normal((BATCH, 1, 28, 28)).astype(np.float32),
                 rng.integers(0, 10, BATCH))
""", (2, 6)),
}
LOOP = "\nfor _ in range(int(sys.argv[1])):\n    step()\n"


def instructions(script: pathlib.Path, steps: int) -> int:
    """Instructions valgrind counted for the whole process running `steps` steps."""
    out = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
         str(script), str(steps)],
        capture_output=True, text=True, check=True,
        env={**os.environ, **ONE_THREAD, "PYTHONHASHSEED": "0"}).stderr
    return int(re.search(r"Collected : (\d+)", out).group(1))


def per_step(setup: str, short: int, long: int) -> float:
    with tempfile.TemporaryDirectory() as folder:
        script = pathlib.Path(folder) / "step.py"
        script.write_text(PRELUDE + setup + LOOP)
        return (instructions(script, long) - instructions(script, short)) / (long - short)


def main() -> None:
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (apt-get install valgrind)")
    print("| benchmark | instructions per step |\n|---|---:|")
    for name, (setup, (short, long)) in STEPS.items():
        print(f"| {name} | {per_step(setup, short, long) / 1e3:,.0f}k |", flush=True)


if __name__ == "__main__":
    main()
