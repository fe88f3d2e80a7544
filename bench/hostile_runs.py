"""What hostile and huge runs cost the server: `python bench/hostile_runs.py`.

1. Server CPU per hostile result: a real run process (the test-only native task) sends
   malformed, oversized or deeply nested bytes; the server's own CPU time (this process's, the
   pool is in it) is measured around each call. Target: under 1 s each.
2. Server memory over 50 distinct long runs: each is a 3,000-step loop over 1,000 elements, then
   backward (about 180 MB of values recorded, thinned to fit one message), kept in the app's
   byte-bounded run cache as the pages keep it. Target: resident memory stays bounded (it
   levels off at the cache budget instead of growing with every run).
3. Server CPU to draw the memory picture and the graph of an honest run that records 19,000
   views of one tensor (`x[i % 64:]` in a loop): the pictures must walk the run's ops once,
   not once per temporary; and the memory picture of ten 190,000 x 23 expands of a slice
   (the storage has one cell no row reads). Target: under 1 s each.
"""
from __future__ import annotations

import resource
import sys
import time

import timing  # noqa: F401 - one-thread BLAS, and the project root on sys.path

from explorer.run_cache import RunCache, budget_from_env
from explorer.sandbox.limits import Limits
from explorer.sandbox.pool import WorkerPool
from explorer.views.graph import graph_dot
from explorer.views.memory import memory_figure, tensor_named

HOSTILE = {
    "not JSON": "(12).to_bytes(8, 'big') + b'not json!!!!'",
    "8 MB of '['": "(8 << 20).to_bytes(8, 'big') + b'[' * (8 << 20)",
    "nested 500,000 deep": "(len(b := b'{\"ok\": ' + b'[' * 500000 + b']' * 500000 + b'}'))"
                           ".to_bytes(8, 'big') + b",
    "announces 1 TB": "(1 << 40).to_bytes(8, 'big') + b'{'",
    "a 7 MB string of lone surrogates": "(len(b := b'{\"ok\": [\"s\", 0, \"' + "
                                        "b'\\\\ud800' * ((7 << 20) // 6) + b'\"]}')).to_bytes(8, 'big') + b",
}
SEND = ("data = {raw}\nview = memoryview(data)\nwhile view:\n"
        "    view = view[os.write(RESULT_FD, view):]\nos._exit(0)\n")
MANY_VIEWS = "import torch\nx = torch.zeros(64)\nfor i in range(19000):\n    x[i % 64:]\n"
EXPANDS = ("import torch\nx = torch.arange(24.0)\n"
           "ys = [x[:23].expand(190000 + i, 23) for i in range(10)]\n")
LONG = ("import torch\ny = torch.ones(1000, requires_grad=True)\nz = y\n"
        "for i in range(3000):\n    z = z * 1.0001\nz.sum().backward()\nprint({n})\n")


def rss_mib() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20


def main() -> int:
    limits = Limits(wall_seconds=30)
    pool = WorkerPool(size=1, native=True)
    pool.call("native", "pass", 0, limits)
    print("| hostile result | server CPU | answer |\n|---|---:|---|")
    for name, raw in HOSTILE.items():
        started = time.process_time()
        answer = pool.call("native", SEND.format(raw=raw), 0, limits)
        cpu = time.process_time() - started
        shown = answer if isinstance(answer, tuple) else f"Run, stdout {len(answer.stdout):,} chars"
        print(f"| {name} | {cpu * 1000:.0f} ms | {shown} |")
    pool.close()

    cache = RunCache(budget_from_env())
    pool = WorkerPool(size=2)
    print("\n| long runs | server RSS | cached | last run's wire size |\n|---:|---:|---:|---:|")
    print(f"| 0 | {rss_mib():.0f} MiB | 0 | |")
    for n in range(1, 51):
        source = LONG.format(n=n)
        run = cache.get((source, 0), lambda: pool.run(source, 0, limits))
        if n % 10 == 0:
            print(f"| {n} | {rss_mib():.0f} MiB | {len(cache)} | {run.wire_bytes / 1e6:.1f} MB |")
    run = pool.run(MANY_VIEWS, 0, limits)
    expands = pool.run(EXPANDS, 0, limits)
    pool.close()
    x, y = tensor_named(run, "x"), tensor_named(expands, "x")
    print("\n| picture | server CPU |\n|---|---:|")
    for name, draw in (("memory, 19,000 views", lambda: memory_figure(run, x.storage_id)),
                       ("graph, 19,000 views", lambda: graph_dot(run)),
                       ("memory, ten huge expands", lambda: memory_figure(expands, y.storage_id))):
        started = time.process_time()
        draw()
        print(f"| {name} | {(time.process_time() - started) * 1000:.0f} ms |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
