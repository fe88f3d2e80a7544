"""Shared by the engine benchmarks: median per-call times, measured side by side, and the
Markdown table they print.

Every library computes on one thread, as PyTorch does after torch.set_num_threads(1): on a
shared 2-core machine a multi-threaded BLAS spends more CPU spinning than computing. OpenBLAS
reads its thread count once, when NumPy loads, so importing this module restarts the script
with it set if it was not."""
from __future__ import annotations

import math
import os
import pathlib
import statistics
import sys
import time
from collections.abc import Callable

ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
if any(os.environ.get(k) != v for k, v in ONE_THREAD.items()):
    os.environ.update(ONE_THREAD)
    os.execv(sys.executable, [sys.executable, *sys.argv])

ROOT = pathlib.Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def compare(fns: dict[str, Callable[[], object]], *, seconds: float = 0.2, repeat: int = 15,
            warmup: int = 2) -> dict[str, float]:
    """Median CPU seconds per call of each fn (process time: what the work costs, not how long
    it waited for a shared core). Blocks of calls (about `seconds` long) take turns, so a
    machine busy with other work affects every implementation alike."""
    numbers = {}
    for name, fn in fns.items():          # warm up, and size each block to ~`seconds`
        started, n = time.process_time(), 0
        while time.process_time() - started < seconds / 4 or n < warmup:
            fn()
            n += 1
        numbers[name] = max(1, int(seconds / ((time.process_time() - started) / n)))
    blocks: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            number = numbers[name]
            started = time.process_time()
            for _ in range(number):
                fn()
            blocks[name].append((time.process_time() - started) / number)
    return {name: statistics.median(times) for name, times in blocks.items()}


def table(unit: str, times: dict[str, float], baseline: str) -> str:
    """A Markdown table: each row's time in `unit` ("µs" or "ms") and its ratio to `baseline`."""
    scale = {"µs": 1e6, "ms": 1e3}[unit]
    base = times[baseline]
    lines = [f"| implementation | time ({unit}) | × {baseline} |", "|---|---:|---:|"]
    lines += [f"| {name} | {_figures(t * scale)} | {t / base:.2f} |" for name, t in times.items()]
    return "\n".join(lines)


def _figures(value: float) -> str:
    """Three significant figures, without an exponent: 80.4, 0.832, 1234."""
    if value == 0:
        return "0"
    decimals = 2 - math.floor(math.log10(abs(value)))
    return f"{value:.{max(decimals, 0)}f}"
