"""What every page shares: the session-state keys, the language, cached runs and presentation mode.

State has one home. Keys that are also URL parameters (bound with ``bind="query-params"``) are
what a copied link carries: the code, the chosen view, the focused variable, the lesson, the
language and presentation mode."""
from __future__ import annotations

import math
from collections.abc import Callable

import streamlit as st

from app_pages.code_box import CODE_BOX_CSS
from explorer import Run, run_code
from explorer.run_cache import RunCache, budget_from_env, lasting
from explorer.texts import pick_language, t
from explorer.training import FinishedRuns

# Session-state keys; those marked "bound" or "in the URL" double as URL query parameters.
LANG = "lang"          # in the URL: interface language
PRESENT = "present"    # bound: presentation mode
CODE = "code"          # bound: the playground's code
SEED = "seed"          # in the URL: the random seed the run starts from
SEED_MAX = 2**31 - 1   # the largest seed (torch.manual_seed takes more; the page says 2**31 - 1)
VIEW = "view"          # bound: the chosen picture tab
FOCUS = "var"          # in the URL: the variable every picture focuses on
LESSON = "lesson"      # in the URL: the open lesson
DONE = "done"          # in the URL: the lessons whose exercise the learner solved


def lang() -> str:
    """The interface language the learner chose (English until they switch)."""
    return pick_language(st.session_state.get(LANG) or st.query_params.get(LANG))


def tr(key: str, **fmt) -> str:
    """Interface text in the chosen language."""
    return t(key, lang(), **fmt)


def from_url(key: str, allowed, default: str,
             parse: Callable[[str | None], str | None] | None = None) -> None:
    """Before a widget is drawn: its value from the URL (else `default`) when the session has
    none, or one that is no longer among the choices (a variable the new code doesn't define).
    `parse` turns the URL's text into a choice (e.g. an old link's label into an id).

    For choices whose URL value must stay stable: a bound widget with a format_func would put
    the shown label in the URL, and a bound widget with a default cannot also be set from
    session state. These keep the value (a language code, a lesson id, a variable name) in
    the URL via `to_url`."""
    if st.session_state.get(key) not in allowed:
        requested = st.query_params.get(key)
        if parse is not None:
            requested = parse(requested)
        st.session_state[key] = requested if requested in allowed else default


def number_from_url(key: str, low: int, high: int, default: int) -> None:
    """Before a number input: its value from the URL (else `default`) when the session has
    none. A URL's number that is no whole number in [low, high] (`-5`, `nan`, `1e400`, text)
    gives `default`. Number inputs are not bound to the URL (`bind="query-params"`) because
    Streamlit's binding (1.67) turns `1e400` into infinity and fails to make it an int: an
    uncaught OverflowError for any share link that carries it (fourteenth outside attack F5).
    Keep the value in the URL with `to_url`."""
    value = st.session_state.get(key)
    if type(value) is int and low <= value <= high:
        return
    try:
        number = float(st.query_params.get(key, ""))
    except ValueError:
        number = math.nan
    whole = math.isfinite(number) and number.is_integer() and low <= number <= high
    st.session_state[key] = int(number) if whole else default


def to_url(key: str, value: str, default: str | None = None) -> None:
    """After the widget: the URL carries its value, or nothing when it is the default."""
    if value == default:
        st.query_params.pop(key, None)
    else:
        st.query_params[key] = value


def presenting() -> bool:
    return bool(st.session_state.get(PRESENT))


@st.cache_resource(show_spinner=False)
def run_cache() -> RunCache:
    """The server's one run cache, bounded in bytes (EXPLORER_RUN_CACHE_MB, default 256)."""
    return RunCache(budget_from_env(), keep=lasting)


@st.cache_resource(show_spinner=False)
def finished_runs() -> FinishedRuns:
    """The Training page's finished runs, shared by all sessions of this server."""
    return FinishedRuns()


def cached_run(source: str, seed: int) -> Run:
    """One sandboxed run per (code, seed): a lecture hall opening the same lesson runs it once
    (sessions asking at the same moment wait for the one run). A Run is immutable plain data,
    so every session shares the one object; least recently used runs leave first."""
    return run_cache().get((source, seed), lambda: run_code(source, seed=seed))


CODE_CSS = f"""
<style>
.st-key-code textarea {{ font-family: "Source Code Pro", ui-monospace, monospace; font-size: 0.95rem; }}
{CODE_BOX_CSS}
</style>
"""
PRESENTATION_CSS = """
<style>
html, body, [data-testid="stAppViewContainer"] { font-size: 22px; }
[data-testid="stMarkdownContainer"] p, [data-testid="stCaptionContainer"] { font-size: 1.15rem; }
[data-testid="stCode"] code, .code-box { font-size: 1.05rem; }
h1 { font-size: 2.6rem !important; }
/* Page names in large type wrap instead of ending in "…" in the 300 px sidebar. */
[data-testid="stSidebarNavLink"] .stMarkdownEllipsis,
[data-testid="stSidebarNavLink"] p { white-space: normal; overflow: visible; text-overflow: clip; }
</style>
"""


def apply_page_style() -> None:
    """Code in a monospace font; large type for projection (pages also draw larger graphs)."""
    st.html(CODE_CSS + (PRESENTATION_CSS if presenting() else ""))
