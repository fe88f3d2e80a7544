"""The app in a real browser: headless Chromium against `streamlit run` on loopback. A learner
types code and presses Run, opens a share link, opens a lesson; each time the SVG graph the
browser drew holds the grad_fn nodes real PyTorch builds for the same code.
Screenshots land in test-artifacts/ (UPDATE_SCREENSHOTS=1 also refreshes docs/screenshots/)."""
from __future__ import annotations

import contextlib
import io
import urllib.parse

import pytest
import torch
from e2e_server import (
    CODE_BLOCK,
    CODE_BOX,
    GRAPH,
    RUN_BUTTON,
    chromium_missing,
    node_labels,
    screenshot,
    streamlit_server,
    wait_for_node,
    wait_until_idle,
)
from playwright.sync_api import expect

from explorer.lessons import get_lesson

pytestmark = pytest.mark.skipif(chromium_missing() is not None,
                                reason=chromium_missing() or "")

CODE = """import torch
a = torch.tensor([2.0, 3.0], requires_grad=True)
b = torch.tensor([4.0, 5.0], requires_grad=True)
out = (a * b + a).sum()
out.backward()
print(a.grad)
"""


def torch_grad_fns(code: str) -> set[str]:
    """grad_fn class names reachable from the tensors `code` leaves behind in real PyTorch."""
    scope: dict = {"torch": torch}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(code, "<e2e>", "exec"), scope)  # noqa: S102 - the reference run
    seen = set()
    todo = [v.grad_fn for v in scope.values() if isinstance(v, torch.Tensor)]
    while todo:
        fn = todo.pop()
        if fn is not None and type(fn).__name__ not in seen:
            seen.add(type(fn).__name__)
            todo.extend(next_fn for next_fn, _ in fn.next_functions)
    return seen


def drawn_names(page) -> set[str]:
    """Every word Graphviz drew in a node of the page's graph."""
    return {word for label in node_labels(page) for word in label.split()}


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1700})
    yield context.new_page()
    context.close()


LESSON = "autograd-basics"        # its first cell draws a graph
EXPECTED = torch_grad_fns(CODE)


def test_typed_code_runs_and_draws_torchs_grad_fns(app_url, page):
    assert EXPECTED == {"SumBackward0", "AddBackward0", "MulBackward0", "AccumulateGrad"}
    page.goto(app_url)
    wait_until_idle(page)
    page.locator(CODE_BOX).fill(CODE)
    page.locator(RUN_BUTTON).click()
    # the default program also draws an AddBackward0: wait for this program's own output
    expect(page.locator(CODE_BLOCK).first).to_contain_text("tensor([5., 6.])",
                                                                timeout=60_000)
    wait_until_idle(page)
    for name in sorted(EXPECTED):   # the output box can be drawn before the graph viewer
        wait_for_node(page, name)
    assert EXPECTED <= drawn_names(page)
    page.locator(GRAPH).scroll_into_view_if_needed()
    screenshot(page, "playground")


def test_ctrl_enter_in_the_code_box_runs_it(app_url, page):
    code = "import torch\nq = torch.ones(2, requires_grad=True)\nr = q.exp().mean()\nr.backward()\n"
    expected = torch_grad_fns(code)
    page.goto(app_url)
    wait_until_idle(page)
    page.locator(CODE_BOX).fill(code)
    page.locator(CODE_BOX).press("Control+Enter")
    wait_for_node(page, "ExpBackward0")
    wait_until_idle(page)
    assert expected <= drawn_names(page)


def test_share_link_runs_its_code_at_once(app_url, page):
    page.goto(f"{app_url}/?code={urllib.parse.quote(CODE)}&lang=zh-CN")
    wait_for_node(page, "AddBackward0")
    wait_until_idle(page)
    assert EXPECTED <= drawn_names(page)
    assert page.locator(RUN_BUTTON).inner_text() != "Run", "the link's language is Chinese"
    screenshot(page, "share_link_zh")


def test_a_lesson_draws_its_graph_and_opens_in_the_playground(app_url, page):
    cell = get_lesson(LESSON).cells[0]
    expected = torch_grad_fns(cell.code)
    page.goto(f"{app_url}/lessons?lesson={LESSON}")
    wait_until_idle(page)
    for name in sorted(expected):       # each: a busy browser may draw the cells' graphs in turn
        wait_for_node(page, name)
    assert expected <= drawn_names(page)
    screenshot(page, "lesson")
    page.locator(f".st-key-open_{cell.key.replace('.', '-')} button").click()
    page.locator(CODE_BOX).wait_for()          # the Playground replaced the lesson
    wait_until_idle(page)
    for name in sorted(expected):
        wait_for_node(page, name)
    assert page.locator(CODE_BOX).input_value() == cell.code
    assert expected <= drawn_names(page)


def test_a_deep_link_as_a_servers_first_visit_keeps_the_sidebar_language_and_presenting(page):
    from explorer.texts import t
    lesson = get_lesson(LESSON)
    with streamlit_server() as fresh:           # nothing has opened the entry page yet
        page.goto(f"{fresh}/lessons?lesson={LESSON}&lang=zh-CN&present=true")
        wait_until_idle(page)
        page.locator("h1").first.wait_for()
        assert page.locator("h1").first.inner_text() == lesson.title("zh-CN")
        assert page.locator(".st-key-lang").count() == 1, "the entry script's sidebar ran"
        nav = page.get_by_test_id("stSidebarNav").inner_text()
        assert t("pages.lessons", "zh-CN") in nav and "common" not in nav
        shown = page.locator(CODE_BLOCK).all_inner_texts()
        assert sum(cell.code.strip() in " ".join(shown) for cell in lesson.cells) == 1
