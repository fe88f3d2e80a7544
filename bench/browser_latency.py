"""Browser latency: from pressing Run to the graph drawn in headless Chromium, p50/p95.
`python bench/browser_latency.py [runs]` (default 20; needs /usr/bin/chromium).

Starts `streamlit run` on loopback and drives the real frontend with playwright:
- lesson example, new code: the Playground gets a lesson's graph example (cycling through the
  lessons whose picture is the graph) with one extra line `bench_<k> = ...`, so every run is
  new to the run cache and the sandbox does the work; the clock stops on the animation frame
  in which the next example's graph is drawn (a new SVG with its nodes: the graph tab draws
  what the last backward() went through, which bench_<k>, made after it, is not part of).
- lesson example, cached: Run alternates between two programs already run once, so the cache
  answers and what is left is Streamlit, the page script and the SVG drawing.
- opening a lesson: `/lessons?lesson=<id>` in a fresh tab until its graph is drawn (the run
  is cached after the first student, as in a lecture hall).
- opening a share link: `/?code=...` of a lesson example in a fresh tab until its graph is
  drawn (cached after the first open, like a link posted to a class).
- the Training page: `/training` in a fresh tab until its default run (spiral, 300 steps) has
  drawn its three charts and the graph of one step.
Every tab opens in the browser context that pressed Run, as a class opens links in browsers
that already loaded the app: Streamlit's scripts come from the HTTP cache. (`browser.new_page()`
would make each tab a new context, an empty cache: every tab downloaded and compiled 4 MB.)
Targets: p50 <= 1.5 s for pressing Run on a lesson example, opening a lesson link and opening
a share link; <= 2 s for the Training page."""
from __future__ import annotations

import pathlib
import urllib.parse
import statistics
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from explorer.lessons import LESSONS
from tests.e2e_server import (
    CODE_BOX,
    NODE_TEXT,
    RUN_BUTTON,
    chromium_missing,
    launch_chromium,
    streamlit_server,
    wait_until_idle,
)

GRAPH_CELLS = [(lesson.id, cell) for lesson in LESSONS if not lesson.mistake
               for cell in lesson.cells if cell.picture == "graph" and cell.raises is None]

# a lesson whose first cell draws a graph at once (a prediction would hold the picture back)
OPENS_WITH_GRAPH = next(lesson.id for lesson in LESSONS
                        if lesson.cells[0].picture == "graph" and lesson.cells[0].raises is None
                        and lesson.predict_for(lesson.cells[0]) is None)


# The Training page's three charts (loss, gradient norms, boundary), each with its axes drawn.
CHARTS_DRAWN = """() => {
  const charts = [...document.querySelectorAll('[data-testid=stPlotlyChart]')];
  return charts.length >= 3 && charts.every(c => c.querySelector('g.xtick text'));
}"""


# The graph viewer replaces its SVG element when it draws another graph.
NEW_GRAPH = """old => {
  const svg = document.querySelector('[data-testid=stGraphVizChart] svg');
  return svg !== null && svg !== old && svg.querySelector('g.node text') !== null;
}"""


def marked(code: str) -> str:
    """The code plus a tensor only this run makes, so the run cache has not seen it."""
    marked.count = getattr(marked, "count", 0) + 1
    return f"{code.rstrip()}\nbench_{marked.count:03d} = torch.ones(1) * {marked.count}\n"


def press_run(page, code: str) -> float:
    """Type `code`, press Run, and time until its graph (not the one shown before) is drawn."""
    page.locator(CODE_BOX).fill(code)
    shown = page.evaluate_handle("() => document.querySelector('[data-testid=stGraphVizChart] svg')")
    started = time.perf_counter()
    page.locator(RUN_BUTTON).click()
    page.wait_for_function(NEW_GRAPH, arg=shown, polling="raf", timeout=60_000)
    seconds = time.perf_counter() - started
    wait_until_idle(page)
    return seconds


def open_in_new_tab(context, url: str) -> float:
    """Until the page's first graph node is drawn."""
    page = context.new_page()
    started = time.perf_counter()
    page.goto(url)
    page.locator(NODE_TEXT).first.wait_for(state="attached", timeout=60_000)
    seconds = time.perf_counter() - started
    page.close()
    return seconds


def open_training(context, base: str) -> float:
    """Until the page's script is idle with its three charts and its graph drawn."""
    page = context.new_page()
    page.set_viewport_size({"width": 1400, "height": 900})
    started = time.perf_counter()
    page.goto(f"{base}/training")
    page.locator(NODE_TEXT).first.wait_for(state="attached", timeout=120_000)
    page.wait_for_function(CHARTS_DRAWN, polling="raf", timeout=120_000)
    wait_until_idle(page, 120_000)
    seconds = time.perf_counter() - started
    page.close()
    return seconds


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main(runs: int = 20) -> None:
    if chromium_missing():
        sys.exit(chromium_missing())
    from playwright.sync_api import sync_playwright
    with streamlit_server() as base, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        context = browser.new_context()
        page = context.new_page()
        page.set_viewport_size({"width": 1400, "height": 1000})
        page.goto(base)
        wait_until_idle(page)
        press_run(page, marked(GRAPH_CELLS[-1][1].code))      # warm the sandbox workers
        fresh = [press_run(page, marked(GRAPH_CELLS[k % len(GRAPH_CELLS)][1].code))
                 for k in range(runs)]
        after = runs % len(GRAPH_CELLS)        # not the graph shown last: it would not change
        pair = [GRAPH_CELLS[(after + k) % len(GRAPH_CELLS)][1].code for k in (0, 1)]
        for code in pair:
            press_run(page, code)
        cached = [press_run(page, pair[k % 2]) for k in range(runs)]
        lesson_id = OPENS_WITH_GRAPH
        opened = [open_in_new_tab(context, f"{base}/lessons?lesson={lesson_id}")
                  for _ in range(min(runs, 10))]
        link = f"{base}/?code={urllib.parse.quote(GRAPH_CELLS[0][1].code)}"
        shared = [open_in_new_tab(context, link) for _ in range(min(runs, 10))]
        trained = [open_training(context, base) for _ in range(min(runs, 5))]
        browser.close()
    rows = [(f"Run on a lesson example, new code ({len(GRAPH_CELLS)} examples)", fresh),
            ("Run on a lesson example, cached run", cached),
            (f"open /lessons?lesson={lesson_id} in a new tab", opened),
            ("open a share link of that example in a new tab", shared),
            ("open /training in a new tab (default run, 300 steps)", trained)]
    print("| press → graph drawn | runs | p50 (s) | p95 (s) | max (s) |\n|---|---:|---:|---:|---:|")
    for name, times in rows:
        print(f"| {name} | {len(times)} | {statistics.median(times):.2f} | "
              f"{percentile(times, 0.95):.2f} | {max(times):.2f} |")
    for name, times, target in (("a new lesson run", fresh, 1.5), ("a lesson link", opened, 1.5),
                                ("a share link", shared, 1.5), ("the Training page", trained, 2)):
        verdict = "met" if statistics.median(times) <= target else "MISSED"
        print(f"Target: p50 <= {target:.2f} s for {name}: {verdict}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
