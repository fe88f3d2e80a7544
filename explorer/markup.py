"""Learner text made safe to show: in Markdown, in HTML-rendering widgets, and in any widget at all.

Anything a run carries can be chosen by whoever wrote the code (and a share link runs code the
moment it is opened): printed output, error messages, variable and class names, grad_fn names of
custom Functions, Module text. Streamlit renders most text as GitHub Markdown with extras (raw
URLs become links, `:smile:` an emoji, `$x$` LaTeX, `:red[x]` colour), so such text must never
reach it as Markdown: an image from another host would load in every viewer's browser.

- `clean(text)`: every widget. Lone surrogates (`print('a\\ud800b')`) cannot be sent to the
  browser at all, so they become U+FFFD; a proper pair becomes the character it encodes.
- `code(text)`: an inline code span, for names and messages inside Markdown. Nothing in a code
  span is Markdown, so it shows exactly what the learner wrote (on one line).
- `escape(text)`: plain Markdown text showing `text` literally, for the few places where code
  style would be wrong (words taken from an error message into a sentence).
- `plotly(text)`: text for a Plotly figure (titles, labels, hover text), which reads a subset
  of HTML (`<a href>` makes a link, `<span style>` can fetch a URL): tags shown literally.

Never imports streamlit: the pages call it, and tests check it without a browser."""
from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping

__all__ = ["clean", "clean_rows", "clean_tree", "code", "escape", "one_line", "plotly"]

REPLACEMENT = "\ufffd"
_SURROGATE = re.compile("[\ud800-\udfff]")
# Every character Python's str.splitlines() breaks at: in Markdown a line break inside
# learner text could start a block (a heading, a list, a fence) or end an inline code span.
_LINE_BREAK = re.compile("\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
# Every ASCII punctuation character; CommonMark lets each be escaped with a backslash.
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
# Where GitHub's autolink literals (http://…, www.…, a@b.c) and Streamlit's text shortcodes
# (:smile:, :material/…:) start: these are found in the text after Markdown escapes are
# resolved, so a backslash cannot stop them. An invisible WORD JOINER before the ':', '@' or
# '.' that they need does.
_TEXT_SHORTCUT = re.compile(r"(?=[:@])|(?<=[wW]{3})(?=\.)")
_WORD_JOINER = "\u2060"


def clean(text: object) -> str:
    """`text` as a string any widget can send: lone surrogates replaced by U+FFFD, surrogate
    pairs joined. Cheap when there is nothing to replace (one regex scan)."""
    text = text if isinstance(text, str) else str(text)
    if text.isascii() or _SURROGATE.search(text) is None:
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def one_line(text: object) -> str:
    """`clean(text)` with every line break turned into a space."""
    return _LINE_BREAK.sub(" ", clean(text))


def code(text: object) -> str:
    """Markdown for `text` as an inline code span: shown literally, in code style, on one line.
    The fence is longer than any run of backticks inside, so the text cannot close it."""
    body = one_line(text)
    if not body:
        return ""
    fence = "`" * (max((len(run) for run in re.findall("`+", body)), default=0) + 1)
    # CommonMark strips one space from each side when both are there, and a backtick next to
    # the fence would join it; a space on each side keeps both as written.
    pad = " " if body[0] == "`" or body[-1] == "`" or (
        body[0] == " " and body[-1] == " " and body.strip()) else ""
    return f"{fence}{pad}{body}{pad}{fence}"


def escape(text: object) -> str:
    """Markdown for `text` as plain words shown literally, on one line: every ASCII punctuation
    mark backslash-escaped (so no emphasis, link, image, HTML, heading or LaTeX can form), and
    a WORD JOINER (invisible) before the ':', '@' and 'www.' dot that autolinks and shortcodes
    need."""
    body = _TEXT_SHORTCUT.sub(_WORD_JOINER, one_line(text))
    return _PUNCTUATION.sub(r"\\\1", body)


def clean_rows(rows: Iterable[Mapping]) -> list[dict]:
    """Table rows (for st.dataframe) with every string key and cell cleaned: a dataframe shows
    text as text, but a lone surrogate still cannot be sent."""
    def fix(value: object) -> object:
        return clean(value) if isinstance(value, str) else value
    return [{fix(k): fix(v) for k, v in row.items()} for row in rows]


def clean_tree(value: object) -> object:
    """`value` with every string inside its dicts, lists and tuples cleaned (e.g. a chart's
    JSON-like spec), the rest as it was."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {clean_tree(k): clean_tree(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(clean_tree(v) for v in value)
    return value


def plotly(text: object) -> str:
    """`text` shown literally by Plotly: cleaned, and its HTML special characters as entities
    (Plotly decodes &lt; &gt; &amp; but not &quot;, so quotes stay as they are)."""
    return html.escape(clean(text), quote=False)
