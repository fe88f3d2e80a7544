"""No control is clipped, in real Chromium: every page at 1400x900, 1280x720 and 400x800 (and
1920x1080 when presenting), in English and in Chinese, in normal and in presentation mode
(issue 14: the Direction control and the Previous/Next buttons were cut off at 1400 px and in
presentation mode).

For each visible button, segmented control, toggle, select, slider, number input, expander and
page link: its box lies inside the viewport and inside its column, no text inside it is cut off
(no "…", no hidden overflow, nothing running out of it), and no two controls overlap; no chart's
legend covers an axis label (the gradient check's did). The training chart's accuracy axis
reads 0% to 100% in quarters (it read 0.021, 0.195, ...).

One server for the module; each test opens one page in one language and mode, then resizes the
window through the three sizes (the page is laid out again, no new run). A failing case leaves
a screenshot in test-artifacts/."""
from __future__ import annotations

import urllib.parse

import pytest
from e2e_server import (
    CLIPPED,
    SETTLED,
    chromium_missing,
    screenshot,
    wait_until_idle,
)

from explorer.texts import t

pytestmark = pytest.mark.skipif(chromium_missing() is not None,
                                reason=chromium_missing() or "")

SIZES = ((1400, 900), (1280, 720), (400, 800))
MODES = (("en", False), ("en", True), ("zh-CN", False), ("zh-CN", True))

# Modules, two backward() calls, a broadcast (Linear's bias), a non-contiguous view and a tensor
# of the same shape: every tab draws all of its controls.
CODE = """import torch
from torch import nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
opt = torch.optim.SGD(model.parameters(), lr=0.1)
x = torch.randn(5, 3)
y = torch.tensor([0, 1, 0, 1, 1])
for step in range(2):
    opt.zero_grad()
    loss = nn.CrossEntropyLoss()(model(x), y)
    loss.backward()
    opt.step()
w = torch.randn(3, 2, requires_grad=True)
t = w.t()
u = torch.zeros(2, 3)
"""
PLAYGROUND = f"/?code={urllib.parse.quote(CODE)}&var=t&view="

# page -> (its path, a selector that is there once the page has drawn what it draws)
PAGES = {
    "graph": (PLAYGROUND + "graph", ".st-key-playground_direction"),
    "chain": (PLAYGROUND + "chain", "pre:has-text(\"Backward0\")"),
    "steps": (PLAYGROUND + "steps", ".st-key-playground_step_forward"),
    "broadcast": (PLAYGROUND + "broadcast", "[data-testid=stPlotlyChart]"),
    "memory": (PLAYGROUND + "memory", ".st-key-playground_order_with"),
    "gradcheck": (PLAYGROUND + "gradcheck", "[data-testid=stPlotlyChart]"),
    "lessons": ("/lessons?lesson=autograd-basics", "h1"),
    # the loss chart's accuracy axis drawn (a finished training is shared, so the page's text
    # can come before Plotly's script has loaded)
    "training": ("/training?", "[data-testid=stPlotlyChart] g.y2tick text"),
    "compare": ("/compare?", ".st-key-compare_run"),
}

# The right axis of the training chart (accuracy): its tick labels, in order.
ACCURACY_TICKS = """() => [...document.querySelectorAll('[data-testid=stPlotlyChart]')[0]
                               .querySelectorAll('g.y2tick text')]
                   .map(t => t.textContent)"""



def open_page(browser, url: str, ready: str):
    width, height = SIZES[0]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(url)
    wait_until_idle(page, timeout_ms=90_000)
    page.locator(ready).first.wait_for(timeout=90_000)
    wait_until_idle(page, timeout_ms=90_000)
    return context, page


@pytest.mark.parametrize(("language", "present"), MODES,
                         ids=[f"{lang}{'-present' if on else ''}" for lang, on in MODES])
@pytest.mark.parametrize("where", list(PAGES))
def test_no_control_is_clipped(app_url, browser, where, language, present):
    path, ready = PAGES[where]
    url = f"{app_url}{path}&lang={language}" + ("&present=true" if present else "")
    context, page = open_page(browser, url, ready)
    try:
        if where == "training":
            assert page.locator("h3").first.inner_text() == t("training.one_step", language)
            assert page.evaluate(ACCURACY_TICKS) == ["0%", "25%", "50%", "75%", "100%"]
        problems = []
        # the phone last: from 400 px up, the sidebar slides back in while it is measured
        for width, height in SIZES[:2] + (((1920, 1080),) if present else ()) + SIZES[2:]:
            page.set_viewport_size({"width": width, "height": height})
            page.evaluate(SETTLED)
            page.wait_for_timeout(150)             # the sidebar folds away under 640 px
            found = page.evaluate(CLIPPED)
            if found:
                name = f"layout_{where}_{language}{'_present' if present else ''}_{width}x{height}"
                screenshot(page, name)
            problems += [f"{width}x{height}: {problem}" for problem in found]
        assert not problems, "\n".join(problems)
    finally:
        context.close()
