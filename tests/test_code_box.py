"""The code box (app_pages/code_box.py): the learner's text reaches the HTML only as escaped
tokens, exactly as written, and only short texts are remembered server-wide (a run may print
4 M characters; 256 of those kept would be gigabytes)."""
from __future__ import annotations

import html
import re

import pytest

from app_pages import code_box as box

HOSTILE = '<script>alert(1)</script>\n  "<img src=x onerror=alert(2)>" & </code></pre>\n'


@pytest.mark.parametrize("language", ["python", "diff", None])
def test_the_text_comes_back_exactly_and_only_as_text(language):
    shown = box.code_box_html(HOSTILE, language)
    assert set(re.findall(r"</?(\w+)", shown)) <= {"pre", "code", "span"}
    assert html.unescape(re.sub(r"<[^>]*>", "", shown)) == HOSTILE.rstrip("\n")


def test_only_short_texts_are_remembered():
    box._cached_html.cache_clear()
    box.code_box_html("x = 1")
    box.code_box_html("y" * (box.CACHED_CHARS + 1), None)
    assert box._cached_html.cache_info().currsize == 1
