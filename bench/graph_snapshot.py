"""Graph snapshot and DOT for ~1,000 and ~10,000 graph nodes: `python bench/graph_snapshot.py [repeats]`.

Issue #7, benchmark 4: taking the snapshot (the recorder's work: handling the engine's events
while the code runs, then turning them into a Graph) must stay within 50 ms for 1,000 nodes and
0.5 s for 10,000, and so must building the DOT. Both are timed inside this process; the learner's
own arithmetic (the engine running the ops) is timed separately, without an observer, for scale.
A graph node is what the picture can draw: op, tensor and AccumulateGrad nodes. Like a sandbox
worker (explorer/sandbox/worker.py), the process freezes what it imported before measuring, so
the collector walks only what the run creates."""
from __future__ import annotations

import contextlib
import gc
import pathlib
import statistics
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import engine
from engine import observe
from explorer.model import Run
from explorer.recorder import SOURCE_NAME, Recorder
from explorer.views.graph import graph_dot, graph_picture

LOOP = """w = torch.tensor([0.5, -0.25, 1.0], requires_grad=True)
y = torch.ones(3, requires_grad=True)
for i in range({n}):
    y = torch.tanh(y * w)
y.sum().backward()
"""
SIZES = {"~1,000 nodes": 250, "~10,000 nodes": 2500}   # 4 graph nodes per loop iteration
TARGETS = {"~1,000 nodes": 0.05, "~10,000 nodes": 0.5}


class TimedRecorder(Recorder):
    """A Recorder that adds up the time it spends handling events."""

    spent = 0.0

    def __call__(self, event) -> None:
        started = time.perf_counter()
        super().__call__(event)
        self.spent += time.perf_counter() - started


def run_loop(n: int, recorder: Recorder | None) -> dict:
    code = compile(LOOP.format(n=n), SOURCE_NAME, "exec")
    namespace = {"torch": engine}
    engine.manual_seed(0)
    with observe.observing(recorder) if recorder is not None else contextlib.nullcontext():
        exec(code, namespace)  # noqa: S102 - our own benchmark code
    return namespace


def measure(n: int) -> dict:
    started = time.perf_counter()
    run_loop(n, None)
    plain = time.perf_counter() - started
    recorder = TimedRecorder()
    run_loop(n, recorder)
    started = time.perf_counter()
    with engine.no_grad():
        graph = recorder.graph()
    finish = time.perf_counter() - started
    run = Run("", 0, graph=graph, backward=tuple(recorder.backward))
    nodes = len(graph.ops) + len(graph.tensors) + len(graph.accumulate)
    started = time.perf_counter()
    graph_dot(run, budget=None)
    dot_full = time.perf_counter() - started
    started = time.perf_counter()
    graph_picture(run)
    dot_default = time.perf_counter() - started
    return {"nodes": nodes, "plain": plain, "events": recorder.spent, "finish": finish,
            "snapshot": recorder.spent + finish, "dot": dot_full, "dot_default": dot_default}


def main(repeats: int = 7) -> None:
    gc.freeze()
    print("| graph | nodes | code alone | snapshot: events | snapshot: finish "
          "| **snapshot** (median / best) | **DOT, every node** (median / best) "
          "| DOT, default budget | target |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, n in SIZES.items():
        runs = [measure(n) for _ in range(repeats)]
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        best = {k: min(r[k] for r in runs) for k in runs[0]}
        ms = {k: f"{v * 1e3:.0f} ms" for k, v in med.items()}
        print(f"| {label} | {int(med['nodes'])} | {ms['plain']} | {ms['events']} | {ms['finish']} "
              f"| {ms['snapshot']} / {best['snapshot'] * 1e3:.0f} ms "
              f"| {ms['dot']} / {best['dot'] * 1e3:.0f} ms | {ms['dot_default']} "
              f"| ≤ {TARGETS[label] * 1e3:.0f} ms each |")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
