"""Two app replicas behind nginx with sticky sessions, tested in a real browser:
`python bench/nginx_replicas.py [browsers]` (needs `apt-get install nginx`).

Runs docs/nginx.conf as written, except that its `listen`, `access_log` and upstream `server`
lines point at loopback: two `streamlit run` replicas on free ports, each with the Dockerfile's
Streamlit server settings, nginx in front. Then
`browsers` fresh Chromium contexts (default 6, each a new cookie jar, so a new route) open a
share link through nginx and must get the drawn graph back; each then presses Run with new code
over the same websocket. nginx's access log must show every request of one browser, the
websocket included, going to one replica, and both replicas serving someone."""
from __future__ import annotations

import collections
import contextlib
import pathlib
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e_server import (
    CODE_BOX,
    RUN_BUTTON,
    free_port,
    launch_chromium,
    streamlit_server,
    wait_for_node,
    wait_until_idle,
)

CONFIG = ROOT / "docs" / "nginx.conf"
# The container's Streamlit server settings (the Dockerfile's ENV STREAMLIT_* lines): every
# replica runs with them, so what is tested is the server a class gets, XSRF protection included.
CONTAINER_SETTINGS = dict(re.findall(r"\b(STREAMLIT_[A-Z_]+)=(\S+)",
                                     (ROOT / "Dockerfile").read_text()))


def code(n: int) -> str:
    return (f"import torch\nw{n} = torch.ones(3, requires_grad=True)\n"
            f"loss = (w{n} * {n + 2}).sum()\nloss.backward()\n")


def local_config(replicas: list[str], port: int, log: pathlib.Path) -> str:
    """docs/nginx.conf with loopback addresses; fails loudly if the lines it rewrites moved."""
    text = CONFIG.read_text()
    servers = "".join(f"        server {r} max_fails=3 fail_timeout=10s;\n" for r in replicas)
    text, n_servers = re.subn(r"(        server [\d.]+:8501 [^\n]*\n)+", servers, text)
    text, n_listen = re.subn(r"listen 80;", f"listen 127.0.0.1:{port};", text)
    text, n_log = re.subn(r"access_log \S+ explorer;", f"access_log {log} explorer;", text)
    assert (n_servers, n_listen, n_log) == (1, 1, 1), "docs/nginx.conf changed shape"
    return text


@contextlib.contextmanager
def nginx(config: str, workdir: pathlib.Path, port: int):
    conf = workdir / "nginx.conf"
    conf.write_text(config)
    globals_ = f"daemon off; pid {workdir}/nginx.pid; error_log {workdir}/error.log;"
    subprocess.run(["nginx", "-t", "-q", "-p", str(workdir), "-c", str(conf), "-g", globals_],
                   check=True)
    proc = subprocess.Popen(["nginx", "-p", str(workdir), "-c", str(conf), "-g", globals_])
    try:
        deadline = time.monotonic() + 10
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port)):
                break
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError((workdir / "error.log").read_text())
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def browse(base: str, browsers: int) -> list[dict]:
    from playwright.sync_api import sync_playwright
    rows = []
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        for n in range(browsers):
            context = chromium.new_context()
            page = context.new_page()
            started = time.perf_counter()
            page.goto(f"{base}/?code={urllib.parse.quote(code(n))}")
            wait_for_node(page, f"w{n}")
            ready = time.perf_counter() - started
            wait_until_idle(page)
            page.locator(CODE_BOX).fill(code(n + 100))
            page.locator(RUN_BUTTON).click()
            wait_for_node(page, f"w{n + 100}")
            route = {c["name"]: c["value"] for c in context.cookies()}["explorer_route"]
            rows.append({"browser": n, "route": route, "ready": ready})
            context.close()
        chromium.close()
    return rows


def replicas_by_route(log: pathlib.Path) -> tuple[dict, int]:
    """Upstreams each route cookie reached, and how many websocket upgrades nginx passed."""
    seen = collections.defaultdict(set)
    websockets = 0
    for line in log.read_text().splitlines():
        route, upstream = re.search(r"route=(\S+) upstream=(\S+)", line).groups()
        seen[route].add(upstream)
        websockets += "/_stcore/stream" in line and '" 101 ' in line
    return seen, websockets


@contextlib.contextmanager
def replicas_behind_nginx(count: int = 2, workers: int | None = None):
    """`count` app replicas on loopback behind docs/nginx.conf; yields (nginx URL, access log)."""
    if shutil.which("nginx") is None:
        sys.exit("nginx is not installed: apt-get install nginx")
    with contextlib.ExitStack() as stack:
        replicas = [stack.enter_context(streamlit_server(workers=workers, env=CONTAINER_SETTINGS))
                    .removeprefix("http://") for _ in range(count)]
        workdir = pathlib.Path(stack.enter_context(tempfile.TemporaryDirectory()))
        port = free_port()
        log = workdir / "access.log"
        yield stack.enter_context(nginx(local_config(replicas, port, log), workdir, port)), log


def main(browsers: int = 6) -> None:
    with replicas_behind_nginx() as (base, log):
        rows = browse(base, browsers)
        seen, websockets = replicas_by_route(log)
    print("| browser | route cookie | replica | page ready via nginx (s) |\n|---:|---|---|---:|")
    for row in rows:
        print(f"| {row['browser']} | {row['route'][:8]}… | {', '.join(sorted(seen[row['route']]))} "
              f"| {row['ready']:.2f} |")
    split = [r for r in rows if len(seen[r["route"]]) != 1]
    used = set().union(*(seen[r["route"]] for r in rows))
    print(f"\nwebsocket upgrades through nginx: {websockets}; replicas used: {len(used)} of 2; "
          f"browsers split across replicas: {len(split)}")
    if split or len(used) != 2 or websockets < browsers:
        sys.exit("FAILED: sessions were not sticky, or a replica got no one")
    print("OK: every browser stayed on one replica (page, static files and websocket)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 6)
