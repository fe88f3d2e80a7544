"""Code and printed output in a box that looks like st.code, highlighted on the server.

Why not st.code: its highlighter is a 1.56 MB script that registers every Prism language when
it loads, 0.3 s of the browser's one thread before a page's first graph is drawn (measured in
bench/browser_latency.py). Here Pygments, the Python world's highlighter, splits the text into
tokens and its HtmlFormatter escapes every one, so the learner's text reaches the HTML only as
text (and Streamlit's DOMPurify sanitizes st.html on top). The box has no copy button; the
Playground's share link, which is there to be copied, stays in st.code."""
from __future__ import annotations

import functools

import streamlit as st
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import DiffLexer, PythonLexer, TextLexer

__all__ = ["CODE_BOX_CSS", "code_box", "code_box_html"]

BOX = "code-box"
# st.code's look under this app's theme (.streamlit/config.toml), token colours included.
CODE_BOX_CSS = f"""
.{BOX} {{ background: #f9fbfd; color: #1b1f24; border-radius: 0.5rem; margin: 0;
  padding: 1rem 0 1rem 1rem; overflow: auto; font-family: "Source Code Pro", monospace;
  font-size: 0.875rem; line-height: 1.6; }}
.{BOX} code {{ display: inline-block; padding-right: 1rem; white-space: pre; font: inherit;
  background: transparent; color: inherit; }}
.{BOX}.wrap code {{ display: inline; white-space: pre-wrap; overflow-wrap: break-word; }}
.{BOX} .c, .{BOX} .c1, .{BOX} .cm, .{BOX} .ch {{ color: #808495; font-style: italic; }}
.{BOX} .p {{ color: #808495; }}
.{BOX} .kc {{ color: #21c354; }}
.{BOX} .m, .{BOX} .mi, .{BOX} .mf, .{BOX} .mh, .{BOX} .mo, .{BOX} .mb, .{BOX} .il {{ color: #29b09d; }}
.{BOX} .s, .{BOX} .s1, .{BOX} .s2, .{BOX} .sd, .{BOX} .sa, .{BOX} .se, .{BOX} .si, .{BOX} .sb,
.{BOX} .sc, .{BOX} .dl {{ color: #09ab3b; }}
.{BOX} .o, .{BOX} .nd {{ color: #ed6f13; }}
.{BOX} .k, .{BOX} .kn, .{BOX} .kd, .{BOX} .kr, .{BOX} .ow, .{BOX} .nb, .{BOX} .bp {{ color: #1c83e1; }}
.{BOX} .nf, .{BOX} .nc, .{BOX} .fm {{ color: #1c83e1; font-weight: 700; }}
.{BOX} .gd {{ color: #ff4b4b; }}
.{BOX} .gi {{ color: #21c354; }}
"""
_LEXERS = {"python": PythonLexer, "diff": DiffLexer}
_FORMATTER = HtmlFormatter(nowrap=True)


CACHED_CHARS = 20_000   # longer texts (a run may print 4 M characters) are not kept


def code_box_html(text: str, language: str | None = "python", wrap: bool = False) -> str:
    """The box's HTML: `text` exactly as given (no dedent, no strip but its final newlines),
    every token escaped by Pygments. `language` "python" or "diff" is highlighted, anything
    else is plain text; `wrap` wraps long lines instead of scrolling. Short texts (lesson code,
    most outputs) are remembered server-wide; a long one would let a few runs fill memory."""
    return (_cached_html if len(text) <= CACHED_CHARS else _html)(text, language, wrap)


def _html(text: str, language: str | None, wrap: bool) -> str:
    lexer = _LEXERS.get(language or "", TextLexer)(stripnl=False)
    body = highlight(text.rstrip("\n"), lexer, _FORMATTER).removesuffix("\n")
    return f'<pre class="{BOX}{" wrap" if wrap else ""}"><code>{body}</code></pre>'


_cached_html = functools.lru_cache(maxsize=256)(_html)


def code_box(text: str, language: str | None = "python", *, wrap: bool = False,
             where=None) -> None:
    """Draw the box in `where` (a column or container; default the page)."""
    (where or st).html(code_box_html(text, language, wrap))
