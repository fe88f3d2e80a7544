"""The graph viewer in real Chromium (issue 14, "legible by default, on any screen"): the default
graph of real training programs has labels at least 11 px tall at 1400x900; its search, zoom,
fit and full-screen controls are on screen at 1400x900, 1280x720 and 400x800 (and when
presenting); a click on a node shows its details; a click on a Module box opens it in place.
Screenshots land in test-artifacts/."""
from __future__ import annotations

import statistics
import urllib.parse
from pathlib import Path

import pytest
from e2e_server import (
    chromium_missing,
    screenshot,
    wait_until_idle,
)

pytestmark = pytest.mark.skipif(chromium_missing() is not None,
                                reason=chromium_missing() or "")

GALLERY = Path(__file__).parent / "gallery"
NODES = ".gv-stage svg g.node"
CONTROLS = [".gv-search", ".gv-zoom-out", ".gv-zoom-in", ".gv-fit", ".gv-readable",
            ".gv-fullscreen"]
SIZES = [(1400, 900), (1280, 720), (400, 800)]


def open_program(browser, url: str, name: str, size=(1400, 900), query: str = ""):
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    source = (GALLERY / name).read_text()
    page.goto(f"{url}/?code={urllib.parse.quote(source)}{query}")
    wait_until_idle(page)
    page.locator(NODES).first.wait_for(timeout=60_000)
    page.wait_for_timeout(300)          # the viewer places the drawing on the next frame
    page.locator(".gv-root").scroll_into_view_if_needed()
    return context, page


def label_heights(page) -> list[float]:
    """The rendered height of every node label, once a zoom has settled (the viewer animates
    its zooms: two readings 150 ms apart must agree)."""
    def read() -> list[float]:
        return page.evaluate("""() => [...document.querySelectorAll(
            '[data-testid=stGraphVizChart] svg g.node text')]
            .map(t => t.getBoundingClientRect().height)""")
    before = read()
    for _ in range(40):
        page.wait_for_timeout(150)
        now = read()
        if now == before:
            return now
        before = now
    return before


@pytest.mark.parametrize("program", ["mlp_training.py", "cnn_batchnorm_dropout.py",
                                     "rnn_by_hand.py", "attention.py"])
def test_the_default_graph_has_labels_at_least_11_px_tall_at_1400x900(app_url, browser, program):
    context, page = open_program(browser, app_url, program)
    try:
        heights = label_heights(page)
        assert heights and statistics.median(heights) >= 11, heights
        screenshot(page, f"graph_viewer_{program.removesuffix('.py')}_1400")
    finally:
        context.close()


def on_screen(page, selector: str) -> bool:
    """Whether the element is fully inside the window and not covered by anything at its centre."""
    return page.evaluate("""(selector) => {
        const el = document.querySelector(selector);
        if (!el) return false;
        const r = el.getBoundingClientRect();
        if (r.width < 8 || r.height < 8 || r.left < 0 || r.top < 0 ||
            r.right > window.innerWidth || r.bottom > window.innerHeight) return false;
        const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        return hit === el || el.contains(hit);
    }""", selector)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("present", [False, True], ids=["normal", "presenting"])
def test_the_viewers_controls_are_on_screen_and_not_clipped(app_url, browser, size, present):
    context, page = open_program(browser, app_url, "rnn_by_hand.py", size,
                                 "&present=true" if present else "")
    try:
        page.locator(".gv-toolbar").evaluate("e => e.scrollIntoView({block: 'center'})")
        clipped = [c for c in CONTROLS if not on_screen(page, c)]
        assert clipped == []
        heights = label_heights(page)
        assert statistics.median(heights) >= 11
        screenshot(page, f"graph_viewer_rnn_{size[0]}{'_presenting' if present else ''}")
    finally:
        context.close()


def test_search_highlights_the_nodes_whose_label_matches(app_url, browser):
    context, page = open_program(browser, app_url, "mlp_training.py")
    try:
        page.locator(".gv-search").fill("loss")
        matches = page.locator(f"{NODES}.gv-match")
        assert matches.count() >= 1
        assert all("loss" in text.lower() for text in matches.all_text_contents())
        assert page.locator(f"{NODES}.gv-dim").count() >= 1
        assert page.locator(".gv-count").inner_text().startswith("1/")
        page.locator(".gv-search").fill("no such node at all")
        assert page.locator(f"{NODES}.gv-match").count() == 0
    finally:
        context.close()


def test_zoom_fit_and_readable_buttons_change_the_scale(app_url, browser):
    context, page = open_program(browser, app_url, "rnn_by_hand.py")
    try:
        start = statistics.median(label_heights(page))
        page.locator(".gv-zoom-in").click()
        assert statistics.median(label_heights(page)) > start * 1.1
        page.locator(".gv-readable").click()
        assert statistics.median(label_heights(page)) == pytest.approx(start, rel=0.02)
        page.locator(".gv-fit").click()            # the whole drawing inside the viewport
        stage = page.locator(".gv-stage").bounding_box()
        viewport = page.locator(".gv-viewport").bounding_box()
        assert stage["width"] <= viewport["width"] + 1 and stage["height"] <= viewport["height"] + 1
    finally:
        context.close()


def test_clicking_a_node_shows_its_details(app_url, browser):
    context, page = open_program(browser, app_url, "mlp_training.py")
    try:
        loss = page.locator(NODES).filter(has=page.get_by_text("loss", exact=True)).first
        loss.click()
        details = page.locator(".st-key-playground_details")
        details.wait_for(timeout=60_000)
        wait_until_idle(page)
        text = details.inner_text()
        assert "loss" in text and "tensor(" in text and "torch.float32" in text
        screenshot(page, "graph_viewer_details")
    finally:
        context.close()


def test_clicking_a_module_box_opens_it_in_place(app_url, browser):
    context, page = open_program(browser, app_url, "mlp_training.py")
    try:
        before = page.locator(NODES).count()
        box = page.locator(NODES).filter(has_text="Sequential").first
        box.click()
        page.wait_for_function("(n) => document.querySelectorAll('.gv-stage svg g.node')"
                               ".length > n", arg=before, timeout=60_000)
        wait_until_idle(page)
        assert page.locator(NODES).count() > before
        assert page.locator(NODES).filter(has_text="Linear").count() >= 1
        screenshot(page, "graph_viewer_module_open")
    finally:
        context.close()


def test_clicking_a_rolled_box_opens_the_loop_in_place(app_url, browser):
    """The hand-written RNN's ×8 box opens in place at a click: eight turns of the cell drawn
    one by one; a button under the graph rolls it up again."""
    context, page = open_program(browser, app_url, "rnn_by_hand.py")
    try:
        before = page.locator(NODES).count()
        page.locator(NODES).filter(has_text="×8").first.click()
        page.wait_for_function("(n) => document.querySelectorAll('.gv-stage svg g.node')"
                               ".length > n", arg=before, timeout=60_000)
        wait_until_idle(page)
        assert page.locator(NODES).filter(has_text="×8").count() == 0
        assert page.locator(NODES).filter(has_text="TanhBackward0").count() == 8
        screenshot(page, "graph_viewer_loop_open")
        page.locator(".st-key-playground_roll_up button").click()
        page.wait_for_function("(n) => document.querySelectorAll('.gv-stage svg g.node')"
                               ".length === n", arg=before, timeout=60_000)
        wait_until_idle(page)
        assert page.locator(NODES).filter(has_text="×8").count() == 1
    finally:
        context.close()
