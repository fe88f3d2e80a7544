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
   (the storage has one cell no row reads). Then the twelfth outside attack's cases: 30,000
   caught failures of `a + b` in a loop (the graph, its SVG, and the Broadcasting tab's
   figures), 150 nested Module calls named 50,000 characters each (the Module paths the Graph
   tab offers), and forged results: a storage of 2**31 cells (the memory picture) and a failed
   op of 200,000 dims (refused). Target: under 1 s each.
4. The thirteenth outside attack: server CPU and memory to draw what a share link shows each
   visitor. The Graph tab (through streamlit_app.py, the run cached) of one tensor written in
   place 12,000 times and bound to 4,000 names, 5,000 times and 10,000 names, and 19,000
   times under no grad; the graph picture's nodes, DOT and peak memory (tracemalloc); the
   Broadcasting tab of 5,000 distinct broadcasts of a tensor named 20,000 characters, and of
   6,000 with a short name. Forged results: 50,000 variables on one tensor of 60,000
   versions (the focused variable, then the graph), and 600,000 AccumulateGrad nodes of one
   leaf (refused); receiving one (decoding 7 MB) and drawing it timed apart. Target: under
   1 s of CPU and no large memory per draw.
5. Server CPU to draw the memory picture of the thirteenth outside attack's layouts (see
   memory_walks). Target: under 1 s per draw. Before the fix: F2, ten 60-dim views of a
   24-cell meta storage, 27.2 s per draw of the share link (AppTest), 33 s for the forged
   64-dim CPU version, 3.3 s for one tensor's order strip; F8, ten forged rows of 64
   overlapping dims, 3.1 s (CPU) and 3.3 s (meta).
6. The fourteenth outside attack's forged values, sent by a run process (the test-only native
   task): a tensor of shape (1,) whose complete values hold 3.9 M numbers, and a wrapped number
   holding 400,000 under 140 temporaries. Server CPU to receive and decode each, and the
   answer. Target: refused, under 1 s. Before the fix both were accepted: the Graph tab then
   took 10-15 s of CPU per rerun (an 11.7 MB DOT), the wrapped number a 336 MB DOT and 1.3 GB.
"""
from __future__ import annotations

import os
import resource
import sys
import time
import tracemalloc

import timing  # noqa: F401 - one-thread BLAS, and the project root on sys.path

from explorer import wire
from explorer.model import Graph, Run, TensorInfo, VariableInfo
from explorer.run_cache import RunCache, budget_from_env
from explorer.sandbox.limits import Limits
from explorer.sandbox.pool import WorkerPool
from explorer.views.broadcast import MAX_FAILURE_FIGURES, broadcast_failures, failure_figure
from explorer.views.export import dot_to_svg
from explorer.views.graph import graph_dot, graph_picture, module_paths
from explorer.views.memory import memory_figure, order_figure, tensor_named
from explorer.views.names import focus_name

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
FAILURES = ("import torch\na = torch.ones(2)\nb = torch.ones(3)\nc = a * 2\n"
            "for i in range(30000):\n    try:\n        a + b\n    except RuntimeError:\n"
            "        pass\n")
MODULES = ("import torch\nimport torch.nn as nn\nclass Box(nn.Module):\n"
           "    def __init__(self, inner):\n        super().__init__()\n"
           "        if inner is not None:\n            self.add_module('n' * 50000, inner)\n"
           "    def forward(self, x):\n        for child in self.children():\n"
           "            return child(x)\n        return x * 2\nm = None\n"
           "for i in range(150):\n    m = Box(m)\ny = m(torch.ones(1, requires_grad=True))\n")
FORGE = ("from explorer import wire\nfrom explorer.model import *\n"
         "info = TensorInfo(0, (1,), 'torch.float32', (1,), 0, 0, {size}, True, False, False,"
         " True, None, None)\n"
         "run = Run('x', 0, variables=(VariableInfo('x', 'tensor', info),),"
         " graph=Graph({{0: info}}, (), failed=(FailedOp('add', ((1,) * {dims}, (1,) * {dims}),"
         " 'RuntimeError', 'The size of tensor a (2) must match the size of tensor b (3) at"
         " non-singleton dimension 0'),)))\n"
         "wire.write_frame(RESULT_FD, wire.encode(run))\nos._exit(0)\n")
LONG = ("import torch\ny = torch.ones(1000, requires_grad=True)\nz = y\n"
        "for i in range(3000):\n    z = z * 1.0001\nz.sum().backward()\nprint({n})\n")


def rss_mib() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20


def main(sections: list[str]) -> int:
    """`python bench/hostile_runs.py [1] ... [6]`: the sections named (all by default)."""
    limits = Limits(wall_seconds=30)
    for section, run in (("1", hostile_results), ("2", long_runs), ("3", pictures),
                         ("4", names_and_versions), ("5", memory_walks), ("6", forged_values)):
        if not sections or section in sections:
            run(limits)
    return 0


def hostile_results(limits: Limits) -> None:
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


def long_runs(limits: Limits) -> None:
    cache = RunCache(budget_from_env())
    pool = WorkerPool(size=2)
    print("\n| long runs | server RSS | cached | last run's wire size |\n|---:|---:|---:|---:|")
    print(f"| 0 | {rss_mib():.0f} MiB | 0 | |")
    for n in range(1, 51):
        source = LONG.format(n=n)
        run = cache.get((source, 0), lambda: pool.run(source, 0, limits))
        if n % 10 == 0:
            print(f"| {n} | {rss_mib():.0f} MiB | {len(cache)} | {run.wire_bytes / 1e6:.1f} MB |")
    pool.close()


def pictures(limits: Limits) -> None:
    pool = WorkerPool(size=2)
    run = pool.run(MANY_VIEWS, 0, limits)
    expands = pool.run(EXPANDS, 0, limits)
    failures = pool.run(FAILURES, 0, limits)
    modules = pool.run(MODULES, 0, limits)
    pool.close()
    x, y = tensor_named(run, "x"), tensor_named(expands, "x")
    print("\n| picture | server CPU | wall (with `dot`) | what was drawn |\n|---|---:|---:|---|")
    for name, draw in (("memory, 19,000 views", lambda: memory_figure(run, x.storage_id)),
                       ("graph, 19,000 views", lambda: graph_dot(run) and None),
                       ("memory, ten huge expands", lambda: memory_figure(expands, y.storage_id)),
                       ("graph and its SVG, 30,000 caught failures", lambda: _graph_svg(failures)),
                       ("Broadcasting tab, 30,000 caught failures", lambda: _failures(failures)),
                       ("Module paths, 150 nested calls named 50,000 chars",
                        lambda: _paths(modules))):
        started, wall = time.process_time(), time.perf_counter()
        shown = draw()
        print(f"| {name} | {(time.process_time() - started) * 1000:.0f} ms | "
              f"{(time.perf_counter() - wall) * 1000:.0f} ms | "
              f"{shown if isinstance(shown, str) else ''} |")
    pool = WorkerPool(size=1, native=True)
    for name, size, dims in (("memory, a forged storage of 2**31 cells", 2 ** 31, 2),
                             ("a forged failed op of 200,000 dims", 1, 200_000)):
        started, wall = time.process_time(), time.perf_counter()
        forged = pool.call("native", FORGE.format(size=size, dims=dims), 0, limits)
        shown = f"refused: {forged}" if isinstance(forged, tuple) else \
            memory_figure(forged, 0, focus=0) and f"a Run of {forged.wire_bytes:,} bytes, drawn"
        print(f"| {name} | {(time.process_time() - started) * 1000:.0f} ms | "
              f"{(time.perf_counter() - wall) * 1000:.0f} ms | {shown} |")
    pool.close()


def _graph_svg(run) -> str:
    picture = graph_picture(run, show_values=True)
    return (f"{picture.nodes:,} nodes, {len(picture.dot):,} bytes of DOT, "
            f"{len(dot_to_svg(picture.dot)):,} bytes of SVG")


def _failures(run) -> str:
    import plotly.io as pio
    drawn = broadcast_failures(run)[:MAX_FAILURE_FIGURES]
    size = sum(len(pio.to_json(failure_figure(f), validate=False)) for f in drawn)
    return (f"{len(drawn)} of {len(run.failed_ops)} kept failures drawn (the first counted "
            f"{run.failed_ops[0].count:,} times), {size:,} bytes of JSON")


def _paths(run) -> str:
    paths = module_paths(run)
    return f"{len(paths)} paths, {sum(map(len, paths)):,} characters"


# ---- 4. names, versions and broadcasts (the thirteenth outside attack) ----------------------
WRITTEN = "import torch\nx = torch.zeros(1)\nfor _ in range({n}):\n    x.add_(1)\n{names}\n"
BROADCASTS = ("import torch\n{name} = torch.ones(1)\nfor i in range({n}):\n"
              "    {name} + torch.zeros(i % {rows} + 1, i // {rows} + 1)\n")
FORGED = ("from explorer import wire\nfrom explorer.model import *\n"
          "def info(i, leaf=True):\n"
          "    return TensorInfo(i, (1,), 'torch.float32', (1,), 0, i, 1, True, False, True, leaf,"
          " None if leaf else 'MulBackward0', None)\n"
          "tensors = {{0: info(0), 1: info(1, False)}}\n"
          "ops = (OpNode(0, 'mul', 'MulBackward0', 0, (0,), (1,)),)\n"
          "variables = tuple(VariableInfo(f'v{{k}}', 'tensor', tensors[0]) for k in range({names}))\n"
          "graph = Graph(tensors, ops, accumulate=tuple((k + 1, 0) for k in range({accumulate})),"
          " versions=tuple((k, 0) for k in range(2, {versions} + 2)))\n"
          "run = Run('x', 0, variables=variables, graph=graph,"
          " backward=(BackwardCall((0,), False, ()),))\n"
          "wire.write_frame(RESULT_FD, wire.encode(run))\nos._exit(0)\n")


def _aliases(n: int) -> str:
    """`n0 = n1 = … = x`: n names bound to one tensor."""
    return " = ".join(f"n{k}" for k in range(n)) + " = x" if n else ""


def names_and_versions(limits: Limits) -> None:
    os.environ.setdefault("EXPLORER_WORKERS", "1")       # the app's pool, in AppTest
    tabs = (("graph", "Graph tab, 4,000 names x 12,000 writes", WRITTEN.format(
                 n=12_000, names=_aliases(4_000))),
            ("graph", "Graph tab, 10,000 names x 5,000 writes", WRITTEN.format(
                 n=5_000, names=_aliases(10_000))),
            ("graph", "Graph tab, 19,000 writes under no grad", WRITTEN.format(
                 n=19_000, names="")),
            ("broadcast", "Broadcasting tab, 5,000 shapes, a name of 20,000 chars",
             BROADCASTS.format(name="n" * 20_000, n=5_000, rows=100)),
            ("broadcast", "Broadcasting tab, 6,000 shapes", BROADCASTS.format(
                name="x", n=6_000, rows=100)))
    print("\n| a share link's draw | server CPU | what was drawn |\n|---|---:|---|")
    pool = WorkerPool(size=1)
    for view, name, source in tabs:
        cpu, shown = _tab(source, view)
        if view == "graph":
            shown += "; " + _graph_cost(pool.run(source, 0, limits))
        print(f"| {name} | {cpu * 1000:.0f} ms | {shown} |")
    pool.close()
    pool = WorkerPool(size=1, native=True)
    for name, names, versions, accumulate in (
            ("forged: 50,000 names on one tensor of 60,000 versions", 50_000, 60_000, 0),
            ("forged: 600,000 AccumulateGrad nodes of one leaf", 1, 0, 600_000)):
        started = time.process_time()
        forged = pool.call("native", FORGED.format(names=names, versions=versions,
                                                   accumulate=accumulate), 0, limits)
        received = time.process_time()
        if isinstance(forged, tuple):
            shown, drawn = f"refused: {forged}", received
        else:
            focus = focus_name(forged)
            graph_picture(forged, show_values=True)
            drawn = time.process_time()
            shown = f"focus {focus}; {_graph_cost(forged)}"
        print(f"| {name} | {(drawn - received) * 1000:.0f} ms "
              f"(received in {(received - started) * 1000:.0f} ms) | {shown} |")
    pool.close()


def _tab(source: str, view: str) -> tuple[float, str]:
    """CPU of one draw of a share link's tab, the run already cached (a second visitor)."""
    from streamlit.testing.v1 import AppTest
    app = AppTest.from_file(str(timing.ROOT / "streamlit_app.py"), default_timeout=600)
    app.query_params["code"], app.query_params["view"] = source, view
    app.run()                                   # the first visitor: the run, then its draw
    started = time.process_time()
    app.run()
    cpu = time.process_time() - started
    captions = sum(len(c.value) for c in app.caption)
    failed = [e.value[:60] for e in (*app.exception, *app.error)]
    return cpu, f"{len(app.caption)} captions, {captions:,} chars" + \
        (f", failed: {failed}" if failed else "")


def _graph_cost(run) -> str:
    """The graph picture's nodes, DOT and peak memory, and `dot`'s CPU on it."""
    tracemalloc.start()
    picture = graph_picture(run, show_values=True)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    child = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        svg = f"{len(dot_to_svg(picture.dot)):,} bytes of SVG"
    except RuntimeError as failed:
        svg = str(failed)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    dot_cpu = after.ru_utime + after.ru_stime - child.ru_utime - child.ru_stime
    return (f"{picture.nodes:,} nodes, {len(picture.dot):,} bytes of DOT, peak "
            f"{peak / 2**20:.0f} MiB; `dot` {dot_cpu * 1000:.0f} ms CPU, {svg}")


# ---- 5. the memory picture's walks (thirteenth outside attack, F2 and F8) ---------------------
VIEWS_60 = "import torch\ns = torch.empty(24, device='meta')\n" + "".join(
    f"m{i} = s.as_strided([2] * 60, {[0] * i + [1] * 23 + [0] * (37 - i)})\n" for i in range(10))


def _forged_rows(shape: tuple, strides: list[tuple], size: int, device: str,
                 offset: int = 0) -> Run:
    """A Run whose variables m0, m1, ... read one storage with these layouts, as the server
    decodes it from a run process that forged it."""
    tensors = {i: TensorInfo(i, shape, "torch.float32", stride, offset, 0, size, False, False,
                             False, True, None, None, device=device)
               for i, stride in enumerate(strides)}
    run = Run("x", 0, variables=tuple(VariableInfo(f"m{i}", "tensor", info)
                                      for i, info in tensors.items()),
              graph=Graph(tensors, ()))
    return wire.decode(wire.encode(run)[wire.HEADER.size:], Run)


def memory_walks(limits: Limits) -> None:
    """F2: the first elements of each of 24 cells lie far along index order; F8: 64 dims that
    overlap; then a row tangled past the picture's budget (drawn in part, and marked)."""
    pool = WorkerPool(size=1)
    honest = pool.run(VIEWS_60, 0, limits)
    pool.close()
    s = tensor_named(honest, "s")
    cells = _forged_rows((2,) * 61 + (1,) * 3,
                         [(0,) * i + (1,) * 23 + (0,) * (41 - i) for i in range(10)], 24, "cpu")
    order = _forged_rows((2,) * 61 + (1,) * 3, [(1,) * 64], 1 << 31, "cpu", offset=100)
    f8 = [_forged_rows((1 << 22,) * 64, [(1 + i,) + (1,) * 63 for i in range(10)], size, device)
          for size, device in ((1 << 31, "cpu"), (1 << 62, "meta"))]
    tangled = _forged_rows((4096,) * 64, [tuple(1000 + k + 64 * i for k in range(64))
                                          for i in range(10)], 1 << 62, "meta")
    print("\n| memory picture | server CPU | what was drawn |\n|---|---:|---|")
    cpu, shown = _tab(VIEWS_60, "memory")
    print(f"| F2: the share link `?view=memory&code=…`, drawn again (AppTest) | "
          f"{cpu * 1000:.0f} ms | {shown} |")
    for name, draw in (
            ("F2: ten 60-dim meta views of 24 cells (the share link)",
             lambda: memory_figure(honest, s.storage_id, focus=tensor_named(honest, "m0").id)),
            ("F2: their order strips, m0..m9", lambda: order_figure(
                honest, [f"m{i}" for i in range(10)])),
            ("F2: forged, ten 64-dim CPU views of 24 cells",
             lambda: memory_figure(cells, 0, focus=0)),
            ("F2: forged order strip, nothing in the first 12 cells",
             lambda: order_figure(order, ["m0"])),
            ("F8: forged, ten rows of 64 overlapping dims (CPU)",
             lambda: memory_figure(f8[0], 0, focus=0)),
            ("F8: the same on the meta device", lambda: memory_figure(f8[1], 0, focus=0)),
            ("ten rows of 64 distinct overlapping strides (the budget)",
             lambda: memory_figure(tangled, 0, focus=0))):
        started = time.process_time()
        figure = draw()
        shown = sum(str(y).endswith("≈") for y in figure.data[0].y or ())
        print(f"| {name} | {(time.process_time() - started) * 1000:.0f} ms | "
              f"{len(figure.data)} trace(s){f', {shown} rows in part' if shown else ''} |")



# ---- 6. forged values (the fourteenth outside attack, F1 and F2) --------------------------------
FORGED_VALUES = {
    "F1: shape (1,), complete values of 3.9 M numbers": (
        "big = Values((1,), tuple([0] * 3_900_000), True, norm=1.0)\n"
        "x = TensorInfo(0, (1,), 'torch.int64', (1,), 0, 0, 1, True, False, True, True, None,"
        " None, values=big)\n"
        "run = Run('x', 0, variables=(VariableInfo('x', 'tensor', x),), graph=Graph({0: x}, ()))\n"),
    "F2: a wrapped number of 400,000 values, in 140 temporaries": (
        "w = TensorInfo(1, (), 'torch.float32', (), 0, 1, 1, True, False, False, True, None,"
        " None, values=Values((), tuple([0] * 400_000), False), wrapped_number=True)\n"
        "x = TensorInfo(0, (1,), 'torch.float32', (1,), 0, 0, 1, True, False, True, True, None,"
        " None)\ntensors, ops = {0: x, 1: w}, []\nfor k in range(140):\n"
        "    tensors[2 + k] = TensorInfo(2 + k, (1,), 'torch.float32', (1,), 0, 2 + k, 1, True,"
        " False, True, False, 'MulBackward0', None)\n"
        "    ops.append(OpNode(k, 'mul', 'MulBackward0', k, (1, 1), (2 + k,)))\n"
        "run = Run('x', 0, variables=(VariableInfo('x', 'tensor', x),),"
        " graph=Graph(tensors, tuple(ops)))\n"),
}


def forged_values(limits: Limits) -> None:
    pool = WorkerPool(size=1, native=True)
    pool.call("native", "pass", 0, limits)
    print("\n| forged values | server CPU | answer |\n|---|---:|---|")
    for name, body in FORGED_VALUES.items():
        source = ("from explorer import wire\nfrom explorer.model import *\n" + body
                  + "wire.write_frame(RESULT_FD, wire.encode(run))\nos._exit(0)\n")
        started = time.process_time()
        answer = pool.call("native", source, 0, limits)
        cpu = time.process_time() - started
        shown = answer if isinstance(answer, tuple) else "accepted"
        print(f"| {name} | {cpu * 1000:.0f} ms | {shown} |")
    pool.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
