"""Memory over 1,000 MLP training steps (no retain_graph): peak RSS and growth.

Each step's graph must be freed when the step ends: nothing may accumulate in the engine
(nodes, saved tensors, observer lists, caches). Growth is the mean resident set size of the
last 100 steps minus that of the first 100 (after a warm-up step). The live tensor and graph
node counts are reported too, since a leak of small objects hides in RSS noise.
`python bench/memory_steady.py [steps]` prints a Markdown table."""
from __future__ import annotations

import gc
import resource
import statistics
import sys

import numpy as np
from mlp_step import BATCH, IN, OUT, make_step

import engine
from engine.autograd.graph import Node

PAGE = resource.getpagesize()


def rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE / 2 ** 20


def live(kind: type) -> int:
    return sum(1 for o in gc.get_objects() if issubclass(type(o), kind))


def main(steps: int = 1000) -> None:
    rng = np.random.default_rng(1)
    x = rng.standard_normal((BATCH, IN)).astype(np.float32)
    y = rng.integers(0, OUT, BATCH)
    step = make_step(engine, x, y)
    step()
    counts_before = live(engine.Tensor), live(Node)
    rss = []
    for _ in range(steps):
        step()
        rss.append(rss_mib())
    counts_after = live(engine.Tensor), live(Node)
    window = min(100, steps // 2)
    first, last = statistics.mean(rss[:window]), statistics.mean(rss[-window:])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{steps} MLP training steps on the engine (784-128-10, batch {BATCH})\n")
    print("| measure | value |\n|---|---:|")
    print(f"| peak RSS (MiB) | {peak:.1f} |")
    print(f"| RSS, first {window} steps (MiB) | {first:.1f} |")
    print(f"| RSS, last {window} steps (MiB) | {last:.1f} |")
    print(f"| growth (MiB) | {last - first:+.2f} |")
    print(f"| live tensors before / after | {counts_before[0]} / {counts_after[0]} |")
    print(f"| live graph nodes before / after | {counts_before[1]} / {counts_after[1]} |")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
