"""Every benchmark, one after another, each printing its own Markdown table: `python bench/run_all.py`.

Pass names to run only some (`python bench/run_all.py engine_overhead mlp_step`). Each script
also runs on its own; see its docstring for options. Run on a quiet machine: the numbers are
CPU-bound and the machine has 2 cores."""
from __future__ import annotations

import pathlib
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
ORDER = ("engine_overhead", "engine_instructions", "mlp_step", "conv_step", "reductions",
         "graph_snapshot", "run_code_latency", "browser_latency", "memory_steady", "load_test",
         "hostile_runs")


def main(names: list[str]) -> int:
    failed = []
    for name in names or ORDER:
        print(f"\n## {name}\n", flush=True)
        started = time.perf_counter()
        code = subprocess.call([sys.executable, str(HERE / f"{name}.py")])
        print(f"\n({name}: {time.perf_counter() - started:.0f} s, exit {code})", flush=True)
        if code:
            failed.append(name)
    if failed:
        print("failed:", ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
