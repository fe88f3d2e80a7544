"""run_code latency, cold and warm, p50/p95: `python bench/run_code_latency.py [repeats]`.

Cold: a fresh worker pool answering its first run (process start, imports, warm-up, run).
Warm: a run on an already started pool, for every lesson (all its cells, `repeats` times
each) and then every course example. Prints a Markdown table."""
from __future__ import annotations

import pathlib
import statistics
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from explorer.lessons import LESSONS
from explorer.sandbox.pool import WorkerPool

SMALL = "import torch\nx = torch.ones(2, 3, requires_grad=True)\ny = (x * x).sum()\ny.backward()"
EXAMPLES = sorted((pathlib.Path(__file__).resolve().parents[1] / "tests" /
                   "course_examples").glob("[0-9]*.py"))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main(repeats: int = 20) -> None:
    cold = []
    for _ in range(3):
        started = time.perf_counter()
        pool = WorkerPool(size=1)
        pool.run(SMALL)
        cold.append(time.perf_counter() - started)
        pool.close()
    pool = WorkerPool(size=1)
    pool.run(SMALL)
    rows = [("small example (cold: new pool)", cold)]
    cases = [("small example", [SMALL])]
    cases += [(f"lesson {lesson.id}", [c.code for c in lesson.cells]) for lesson in LESSONS]
    cases += [(f"course example {p.stem}", [p.read_text()]) for p in EXAMPLES]
    for name, sources in cases:
        times = []
        for _ in range(repeats):
            for source in sources:
                started = time.perf_counter()
                pool.run(source)
                times.append(time.perf_counter() - started)
        rows.append((name, times))
    pool.close()
    print("| run | p50 (ms) | p95 (ms) |\n|---|---:|---:|")
    for name, times in rows:
        print(f"| {name} | {statistics.median(times) * 1e3:.0f} | "
              f"{percentile(times, 0.95) * 1e3:.0f} |")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
