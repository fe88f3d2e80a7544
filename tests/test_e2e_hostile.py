"""Hostile share links in a real browser: headless Chromium against `streamlit run` on loopback.

A share link runs its code for everyone who opens it, so whatever that code prints, raises or
names reaches every viewer's page. Each link below prints or raises Markdown and HTML that would
load an image from another host, run a script or form a link, or names a Module attribute that
way; one prints a lone surrogate. The page must show all of it as text: no request leaves for
any host but the app's (a canary HTTP server on loopback counts what reaches it), no dialog
opens, no script sets window.__pwned, no link is formed, and nothing crashes the page."""
from __future__ import annotations

import contextlib
import http.server
import threading
import urllib.parse
from collections.abc import Iterator

import pytest
from e2e_server import (
    chromium_missing,
    free_port,
    screenshot,
    wait_until_idle,
)

pytestmark = pytest.mark.skipif(chromium_missing() is not None,
                                reason=chromium_missing() or "")

CANARY = free_port()
BAIT = f"http://127.0.0.1:{CANARY}"
PWN = "window.__pwned=1"

PRINTS = f"""print('![x]({BAIT}/print-image.png)')
print('<img src="{BAIT}/print-img.png" onerror="{PWN}">')
print('<script>{PWN}</script><svg onload="{PWN}"></svg>')
print('[click](javascript:{PWN}) {BAIT}/autolink www.example.com a@b.example :smile: $x^2$')
"""
RAISES = (f"raise RuntimeError('![x]({BAIT}/error-image.png) <img src={BAIT}/error-img.png "
          f"onerror={PWN}> [click](javascript:{PWN}) {BAIT}/error-autolink')\n")
# A message one of explain()'s patterns matches: the explanation repeats words from it.
EXPLAINED = ("raise RuntimeError(\"output with shape [<img src=" + BAIT + "/explain.png onerror="
             + PWN + "> www.example.com] doesn't match the broadcast shape [![y](" + BAIT
             + "/explain2.png)]\")\n")
# Names the learner chooses: a Module's child may have any name without a dot (so these point at
# the canary through `localhost`, and call alert(): the dialog listener would see it), and a
# Function's class name becomes a grad_fn name (the backward steps list it).
HOST = f"http://localhost:{CANARY}"
NAMES = f"""import torch

class Img_x_(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, grad):
        return grad * 2

model = torch.nn.Sequential()
model.add_module('<img src={HOST}/name onerror=alert(1)>', torch.nn.Linear(2, 2))
model.add_module('<a href="{HOST}/link">click</a>', torch.nn.Linear(2, 2))
model.add_module('![n]({HOST}/name2)', torch.nn.Linear(2, 1))
w = torch.ones(1, 2, requires_grad=True)
loss = Img_x_.apply(model(w)).sum()
loss.backward()
"""
SURROGATE = "print('a\\ud800b')\nraise RuntimeError('c\\udc00d')\n"

LINKS = {
    "prints": (PRINTS, "", ["![x](" + BAIT + "/print-image.png)", "<script>" + PWN + "</script>",
                            f"[click](javascript:{PWN})"]),
    "raises": (RAISES, "", ["![x](" + BAIT + "/error-image.png)", f"[click](javascript:{PWN})"]),
    "explained": (EXPLAINED, "", ["<img src=" + BAIT + "/explain.png"]),
    "names-graph": (NAMES, "", []),
    "names-steps": (NAMES, "&view=steps", ["Img_x_Backward"]),
    "names-gradcheck": (NAMES, "&view=gradcheck", [f'model.<a href="{HOST}/link">click</a>.bias[0]',
                                                    f"model.<img src={HOST}/name"]),
    "surrogate": (SURROGATE, "", ["a\ufffdb", "c\ufffdd"]),
}


# Every link target (made absolute: the app links its own lessons by relative paths) and image
# source in an element, HTML and SVG (Plotly and Graphviz draw SVG, whose <a> and <image> may
# carry xlink:href instead of href).
LINKS_AND_IMAGES = """root => {
    const XLINK = 'http://www.w3.org/1999/xlink';
    const target = e => e.getAttribute('href') || e.getAttributeNS(XLINK, 'href')
                        || e.getAttribute('src');
    const absolute = t => new URL(t, document.baseURI).href;   // the page's own relative links
    return {links: [...root.querySelectorAll('a')].map(target).filter(Boolean).map(absolute),
            images: [...root.querySelectorAll('img, image, iframe, object, embed')]
                        .map(e => target(e) || e.tagName)};
}"""


class _Canary(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:                   # noqa: N802 - the stdlib's name
        self.hits.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args) -> None:       # quiet
        pass


@pytest.fixture(scope="module")
def canary() -> Iterator[list[str]]:
    """An HTTP server on loopback that no page should ever reach: the paths it was asked for."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", CANARY), _Canary)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield _Canary.hits
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def watched_page(browser, app_url: str):
    """A 1400x900 page, with every request it (or any frame in it) made and every dialog."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    seen = {"requests": [], "dialogs": []}
    context.on("request", lambda request: seen["requests"].append(request.url))
    page.on("dialog", lambda dialog: (seen["dialogs"].append(dialog.message), dialog.dismiss()))
    try:
        yield page, seen
    finally:
        context.close()


@pytest.mark.parametrize("name", list(LINKS))
def test_a_hostile_share_link_loads_nothing_runs_nothing_and_shows_its_text(name, app_url,
                                                                           browser, canary):
    code, extra, literal = LINKS[name]
    with watched_page(browser, app_url) as (page, seen):
        page.goto(f"{app_url}/?code={urllib.parse.quote(code)}{extra}")
        wait_until_idle(page, timeout_ms=90_000)
        page.wait_for_timeout(1_000)            # late image loads and event handlers
        screenshot(page, f"hostile_{name}")
        main = page.locator("[data-testid=stMain]")
        text = main.inner_text()

        foreign = [url for url in seen["requests"]
                   if not url.startswith((f"{app_url}/", "data:", "blob:", "about:"))]
        assert foreign == [], "requests to another host"
        assert canary == [], "the canary server was reached"
        assert seen["dialogs"] == []
        assert page.evaluate("typeof window.__pwned") == "undefined", "a script ran"
        links = page.locator("body").evaluate(LINKS_AND_IMAGES)     # with menus and popovers
        assert [h for h in links["links"] if not h.startswith(("#", f"{app_url}/"))] == [], \
            "a link was formed"
        assert links["images"] == [], "an image element was made"
        assert page.locator("[data-testid=stException]").count() == 0, "the page crashed"
        for words in literal:
            assert words in text, f"{words!r} shown as written"
