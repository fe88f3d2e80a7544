"""`streamlit run` on loopback and headless Chromium, shared by the browser test and the browser
benchmarks (bench/browser_latency.py, bench/load_test.py, bench/nginx_replicas.py).

Why a real server: AppTest runs the page script in-process; only `streamlit run` exercises the
websocket, the frontend and Graphviz's SVG rendering a learner actually sees."""
from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
# We run as root (needs --no-sandbox); the networking flags stop Chromium calling home.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
APP = "[data-testid=stApp]"
IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"
CONNECTED = "[data-testid=stApp][data-test-connection-state=CONNECTED]"
GRAPH = "[data-testid=stGraphVizChart] svg"
# Streamlit gives each keyed widget a `st-key-<key>` class: selectors that survive relabelling
# and the language switch (the Playground's code box has key "code", its button "run").
CODE_BOX = ".st-key-code textarea"
RUN_BUTTON = ".st-key-run button"
NODE_TEXT = "[data-testid=stGraphVizChart] svg g.node text"
# Code and printed output: a block of preformatted text, whichever element draws it.
CODE_BLOCK = "pre"

# Every problem with the controls on the page, as sentences (none when the layout is right).
CLIPPED = """() => {
  const width = document.documentElement.clientWidth;
  const shown = el => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden'
      && !el.closest('[data-testid=stSidebar][data-collapsed=true]');
  };
  const name = el => `${el.dataset.testid || el.tagName.toLowerCase()} "`
    + `${(el.innerText || '').trim().replace(/\\s+/g, ' ').slice(0, 40)}"`;
  const span = r => `x ${Math.round(r.left)}..${Math.round(r.right)}`;
  const controls = [
    '[data-testid=stButton] button', '[data-testid=stDownloadButton] button',
    '[data-testid=stPopoverButton]', '[data-testid=stFormSubmitButton] button',
    '[data-testid=stButtonGroup]', '[data-testid=stButtonGroup] button',
    '[data-testid=stCheckbox]', '[data-testid=stSelectbox]', '[data-testid=stMultiSelect]',
    '[data-testid=stSlider]', '[data-testid=stNumberInput]', '[data-testid=stTextArea]',
    '[data-testid=stExpander] summary', '[data-testid=stSidebarNavLink]',
  ].join(',');
  const found = [...document.querySelectorAll(controls)].filter(shown);
  const problems = [];
  for (const el of found) {
    const r = el.getBoundingClientRect();
    if (r.left < -1 || r.right > width + 1)
      problems.push(`${name(el)} leaves the window: ${span(r)} of ${width}`);
    const box = el.parentElement.closest('[data-testid=stColumn], [data-testid=stHorizontalBlock],'
      + ' [data-testid=stVerticalBlock], [data-testid=stSidebarNav]');
    const b = box && box.getBoundingClientRect();
    if (b && (r.left < b.left - 1 || r.right > b.right + 1))
      problems.push(`${name(el)} sticks out of its ${box.dataset.testid}: ${span(r)} in ${span(b)}`);
    for (const part of el.querySelectorAll('*')) {
      if (part.children.length || !(part.textContent || '').trim() || !shown(part)) continue;
      const p = part.getBoundingClientRect();
      const text = part.textContent.trim().slice(0, 30);
      if (part.scrollWidth > part.clientWidth + 1 && getComputedStyle(part).overflowX !== 'visible')
        problems.push(`${name(el)}: "${text}" is cut off (${part.scrollWidth} px shown in ${part.clientWidth})`);
      else if (p.left < r.left - 1 || p.right > r.right + 1)
        problems.push(`${name(el)}: "${text}" runs out of it (${span(p)} in ${span(r)})`);
    }
  }
  for (const [i, a] of found.entries()) {
    for (const c of found.slice(i + 1)) {
      if (a.contains(c) || c.contains(a)) continue;
      const r = a.getBoundingClientRect(), s = c.getBoundingClientRect();
      const dx = Math.min(r.right, s.right) - Math.max(r.left, s.left);
      const dy = Math.min(r.bottom, s.bottom) - Math.max(r.top, s.top);
      if (dx > 2 && dy > 2) problems.push(`${name(a)} and ${name(c)} overlap`);
    }
  }
  // A chart's legend is clickable too: it must leave every tick, axis title and title readable.
  for (const chart of document.querySelectorAll('[data-testid=stPlotlyChart]')) {
    const legend = chart.querySelector('g.legend');
    if (!shown(chart) || !legend) continue;
    const l = legend.getBoundingClientRect();
    const labels = chart.querySelectorAll('g[class$=tick] text, .infolayer text');
    for (const text of [...labels].filter(t => !legend.contains(t) && t.textContent.trim())) {
      const r = text.getBoundingClientRect();
      const dx = Math.min(r.right, l.right) - Math.max(r.left, l.left);
      const dy = Math.min(r.bottom, l.bottom) - Math.max(r.top, l.top);
      if (dx > 2 && dy > 2) problems.push(`a chart's legend covers "${text.textContent.trim().slice(0, 30)}"`);
    }
  }
  return [...new Set(problems)];
}"""
SETTLED = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"


def chromium_missing() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is not installed (apt-get install chromium chromium-driver)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "python playwright is not installed (pip install -r requirements-dev.txt)"
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as answer:
            return answer.read().strip() == b"ok"
    except OSError:
        return False


# `streamlit run` with the sandbox pool made first at a given size (for the load test's sizing
# experiments): explorer.default_pool() then hands every session this pool.
_SIZED_POOL = ("import sys, explorer; from explorer.sandbox.pool import WorkerPool; "
               "explorer._pool = WorkerPool(size=int(sys.argv.pop(1))); sys.argv[0] = 'streamlit'; "
               "from streamlit.web.cli import main; main()")


@contextlib.contextmanager
def streamlit_server(port: int | None = None, *, workers: int | None = None,
                     timeout: float = 90.0, env: dict | None = None) -> Iterator[str]:
    """`streamlit run streamlit_app.py` on 127.0.0.1; yields its base URL once /_stcore/health
    answers, and stops the server (and its sandbox workers) on exit. `workers` sizes the
    sandbox pool (default: the app's own choice, one worker per core); `env` adds environment
    variables (STREAMLIT_* settings; the command line's port and address still win)."""
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in the finally below
    launcher = ["-c", _SIZED_POOL, str(workers)] if workers else ["-m", "streamlit"]
    proc = subprocess.Popen(
        [sys.executable, *launcher, "run", "streamlit_app.py",
         "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        env={**os.environ, **(env or {})})
    try:
        deadline = time.monotonic() + timeout
        while not _healthy(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise RuntimeError(f"streamlit did not start:\n{log.read().decode()[-3000:]}")
            time.sleep(0.25)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)   # the server and its sandbox workers
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


def launch_chromium(playwright):
    """Headless system Chromium (Debian's), not a playwright-downloaded one."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


@contextlib.contextmanager
def chromium_browser() -> Iterator:
    """Playwright started and headless system Chromium launched; both closed on exit."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            yield browser
        finally:
            browser.close()


def wait_until_idle(page, timeout_ms: float = 60_000) -> None:
    """Connected and the script has finished its run (the frontend's own state attributes)."""
    page.locator(CONNECTED).wait_for(state="attached", timeout=timeout_ms)
    page.locator(IDLE).wait_for(state="attached", timeout=timeout_ms)


def node_labels(page) -> list[str]:
    """The text of every node Graphviz drew in the page's first graph."""
    return page.locator(NODE_TEXT).all_text_contents()


def wait_for_node(page, text: str, timeout_ms: float = 60_000) -> None:
    """Until a drawn graph node contains `text`: polled every animation frame, so it also
    times how long the browser took to show a new graph."""
    page.wait_for_function(
        """([selector, text]) => [...document.querySelectorAll(selector)]
                                   .some(t => t.textContent.includes(text))""",
        arg=[NODE_TEXT, text], polling="raf", timeout=timeout_ms)


def screenshot(page, name: str) -> Path:
    """Save a full-page PNG under test-artifacts/; with UPDATE_SCREENSHOTS=1 also copy it into
    docs/screenshots/ (kept out of ordinary runs so tests never dirty tracked files)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        (ROOT / "docs" / "screenshots").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, ROOT / "docs" / "screenshots" / f"{name}.png")
    return path
