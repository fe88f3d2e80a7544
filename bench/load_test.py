"""Load test: a class opening the app at once. `python bench/load_test.py [sessions] [--workers N] [--endless-every K] [--settle S]`

Starts `streamlit run` on loopback (its sandbox pool has the app's default size, EXPLORER_WORKERS
or four per core plus two, unless --workers sizes it for an experiment), warms it with one run,
then opens `sessions` (default 30) sessions at the same moment: one in five runs an endless loop (`while True: pass`) from a share link;
the rest alternate between a lesson (`/lessons?lesson=<id>`) and a playground share link
(`/?code=...`, a slightly different program each time so the run cache cannot answer), and
the playground sessions then edit the code and press Run. Prints Markdown tables: page-ready
and Run times (p50/p95/max), errors, and when the endless loops were stopped.

Why a protocol client, not 30 browsers: 30 Chromium renderers on this 2-core machine would
spend the CPU the server needs on layout and JavaScript, so we would measure the browsers, not
the app. Each session here is what a browser tab sends and receives: it fetches the page
HTML, opens the websocket /_stcore/stream, sends the same `rerun_script` BackMsg the frontend
sends (query string, page name, widget states; a Run click is a trigger value), and reads
ForwardMsgs until `script_finished`. Page-ready is the time from the HTML request to that
message: everything the server does for a student (script run, sandboxed run, DOT building).
The browser's own work (drawing the SVG from DOT, ~0.1-0.3 s on a learner's machine) is not
in it; bench/browser_latency.py measures it end to end in real Chromium."""
from __future__ import annotations

import argparse
import asyncio
import pathlib
import sys
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Self

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from explorer.lessons import LESSONS
from explorer.sandbox.pool import default_size
from tests.e2e_server import streamlit_server

SESSION_TIMEOUT = 60.0      # a session that takes longer counts as an error
GRAPH_LESSONS = [lesson.id for lesson in LESSONS if not lesson.mistake
                 and any(cell.picture == "graph" for cell in lesson.cells)]


def endless_code(n: int) -> str:
    """A loop that never ends; different for each n, like each student's own mistake."""
    return f"import torch\nx = torch.ones({n + 1})\nwhile True:\n    pass\n"


def playground_code(n: int) -> str:
    """A small autograd program, different for each n so that no cached run answers it."""
    return (f"import torch\na = torch.tensor([{n}.0, 2.0, 3.0], requires_grad=True)\n"
            f"b = torch.linspace(0, 1, 3, requires_grad=True)\n"
            f"y = (a * b + a.exp() / {n + 1}).sum()\ny.backward()\nprint(a.grad)\n")


@dataclass
class Page:
    """What one script run sent back."""
    seconds: float
    elements: list = field(default_factory=list)   # (element kind, element proto)

    def kinds(self) -> set[str]:
        return {kind for kind, _ in self.elements}

    def problems(self, *, expect_limit: bool = False) -> list[str]:
        """Streamlit exceptions, and error panels other than an expected limit error."""
        found = [f"exception: {el.message}" for kind, el in self.elements if kind == "exception"]
        for kind, el in self.elements:
            if kind == "alert" and el.format == el.ERROR:
                is_limit = "Exceeded" in el.body
                if is_limit != expect_limit or not is_limit:
                    found.append(f"error panel: {el.body[:120]}")
        if expect_limit and not any(k == "alert" and "Exceeded" in el.body
                                    for k, el in self.elements):
            found.append("the endless loop was not stopped with a limit error")
        return found

    def widget_id(self, key: str) -> str:
        for _, el in self.elements:
            if getattr(el, "id", "").endswith(f"-{key}"):
                return el.id
        raise KeyError(key)


class Session:
    """One browser tab, as the server sees it."""

    def __init__(self, base: str) -> None:
        self.base = base

    async def __aenter__(self) -> Self:
        host = self.base.removeprefix("http://")
        self.ws = await websockets.connect(f"ws://{host}/_stcore/stream",
                                           subprotocols=["streamlit"], origin=self.base,
                                           max_size=None, open_timeout=SESSION_TIMEOUT)
        return self

    async def __aexit__(self, *exc) -> None:
        await self.ws.close()

    async def run(self, page_name: str, query: str, widgets: dict | None = None) -> Page:
        """Send one rerun_script (a page load, or a click when widgets say so) and read
        until the script finished."""
        started = time.perf_counter()
        msg = BackMsg()
        msg.rerun_script.query_string = query
        msg.rerun_script.page_name = page_name
        for wid, value in (widgets or {}).items():
            state = msg.rerun_script.widget_states.widgets.add(id=wid)
            if value is True:
                state.trigger_value = True
            else:
                state.string_value = value
        await self.ws.send(msg.SerializeToString())
        page = Page(0.0)
        while True:
            fwd = ForwardMsg()
            fwd.ParseFromString(await self.ws.recv())
            kind = fwd.WhichOneof("type")
            if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                element = fwd.delta.new_element
                el_kind = element.WhichOneof("type")
                page.elements.append((el_kind, getattr(element, el_kind)))
            elif kind == "script_finished":
                page.seconds = time.perf_counter() - started
                return page


def fetch_html(base: str) -> None:
    with urllib.request.urlopen(base + "/", timeout=SESSION_TIMEOUT) as answer:
        answer.read()


async def student(base: str, n: int, endless_every: int) -> dict:
    """One session of the class; returns its kind, timings and problems."""
    if endless_every and n % endless_every == endless_every - 1:
        kind, page_name, query = "endless loop", "", "code=" + urllib.parse.quote(endless_code(n))
    elif n % 2:
        kind, page_name = "lesson", "lessons"
        query = "lesson=" + GRAPH_LESSONS[n % len(GRAPH_LESSONS)]
    else:
        kind, page_name = "playground", ""
        query = "code=" + urllib.parse.quote(playground_code(n))
    result = {"kind": kind, "ready": None, "run": None, "problems": []}
    started = time.perf_counter()
    try:
        await asyncio.to_thread(fetch_html, base)
        async with Session(base) as tab:
            page = await tab.run(page_name, query)
            result["ready"] = time.perf_counter() - started
            result["problems"] += page.problems(expect_limit=kind == "endless loop")
            if kind == "playground":
                if "graphviz_chart" not in page.kinds():
                    result["problems"].append("no graph drawn")
                clicked = await tab.run("", "", {page.widget_id("code"):
                                                 playground_code(n + 1000),
                                                 page.widget_id("run"): True})
                result["run"] = clicked.seconds
                result["problems"] += clicked.problems()
    except Exception as exc:  # noqa: BLE001 - every failure of a session is a reported error
        result["problems"].append(f"{type(exc).__name__}: {exc}")
    return result


async def bounded(coro, seconds: float) -> dict:
    try:
        return await asyncio.wait_for(coro, seconds)
    except TimeoutError:
        return {"kind": "?", "ready": None, "run": None,
                "problems": [f"no answer within {seconds:g} s"]}


async def classroom(base: str, sessions: int, endless_every: int) -> tuple[list[dict], float]:
    started = time.perf_counter()
    results = await asyncio.gather(*(bounded(student(base, n, endless_every), SESSION_TIMEOUT)
                                     for n in range(sessions)))
    return results, time.perf_counter() - started


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def report(results: list[dict], wall: float, warmup: float, workers: str) -> None:
    print(f"{len(results)} concurrent sessions, sandbox workers: {workers}, "
          f"warm-up run {warmup:.2f} s, whole burst {wall:.1f} s\n")
    print("| sessions | measure | n | p50 (s) | p95 (s) | max (s) |\n|---|---|---:|---:|---:|---:|")
    rows = [("all but endless loops", "page ready",
             [r["ready"] for r in results if r["kind"] != "endless loop"])]
    for kind in ("lesson", "playground", "endless loop"):
        rows.append((kind, "page ready", [r["ready"] for r in results if r["kind"] == kind]))
    rows.append(("playground", "press Run", [r["run"] for r in results if r["run"]]))
    for who, what, values in rows:
        values = [v for v in values if v is not None]
        if values:
            print(f"| {who} | {what} | {len(values)} | {percentile(values, 0.5):.2f} | "
                  f"{percentile(values, 0.95):.2f} | {max(values):.2f} |")
    problems = [(r["kind"], p) for r in results for p in r["problems"]]
    print(f"\nErrors: {len(problems)}")
    for kind, problem in problems:
        print(f"- {kind}: {problem}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sessions", type=int, nargs="?", default=30)
    parser.add_argument("--workers", type=int, default=None,
                        help="sandbox pool size (default: the app's, see default_size)")
    parser.add_argument("--endless-every", type=int, default=5,
                        help="one session in this many runs an endless loop (0: none)")
    parser.add_argument("--settle", type=float, default=10.0,
                        help="seconds to wait after the warm-up run, so that every sandbox "
                             "worker has finished starting before the burst")
    args = parser.parse_args()
    with streamlit_server(workers=args.workers) as base:
        warm = asyncio.run(bounded(student(base, 0, 0), SESSION_TIMEOUT))
        time.sleep(args.settle)
        results, wall = asyncio.run(classroom(base, args.sessions, args.endless_every))
    report(results, wall, warm["ready"] or float("nan"),
           str(args.workers) if args.workers else f"the app's default ({default_size()})")


if __name__ == "__main__":
    main()
