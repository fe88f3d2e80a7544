"""A viewer for the Graphviz pictures: pan and zoom, fit to screen, full screen, search by name,
and a click on a node sent back to the page.

Graphviz still lays the graph out: `dot` draws the SVG on the server (explorer.views.export,
with its time limit), cached by the DOT text, so a lecture hall opening one lesson draws it
once. The browser gets the SVG, parses it as XML and shows it as SVG (nodes stay `g.node`
elements); no label is ever read as HTML. The component is a Streamlit v2 component mounted in
the page itself (no frame), with its JavaScript inline: ours (frontend/viewer.js) after
Panzoom 4.6.2 (frontend/panzoom.min.js, MIT, from the npm registry), so nothing loads from
another host."""
from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from pathlib import Path

import streamlit as st

from explorer.views.export import dot_to_svg

__all__ = ["MAX_BROWSER_DOT", "MIN_LABEL_PX", "graph_viewer", "svg_of"]

FRONTEND = Path(__file__).parent / "frontend"
NAME = "autograd_explorer.graph_viewer"
MIN_LABEL_PX = 12.5      # the default view's smallest median label height (issue 14 asks 11)
PRESENT_LABEL_PX = 18    # ... when a lecturer projects the page
MAX_BROWSER_DOT = 200_000   # characters of DOT the browser is asked to draw when dot failed
_SVG_START = re.compile(r"<svg\b")


def _script() -> str:
    """Panzoom's UMD build run as CommonJS inside our module, then the viewer."""
    panzoom = (FRONTEND / "panzoom.min.js").read_text(encoding="utf-8")
    viewer = (FRONTEND / "viewer.js").read_text(encoding="utf-8")
    return ("const Panzoom = (() => {\n  const module = { exports: {} };\n"
            "  const exports = module.exports;\n"
            f"{panzoom}\n  return module.exports;\n}})();\n\n{viewer}")


_mount = st.components.v2.component(
    NAME, css=(FRONTEND / "viewer.css").read_text(encoding="utf-8"), js=_script(),
    isolate_styles=False)


@functools.lru_cache(maxsize=64)
def svg_of(dot: str) -> str:
    """Graphviz's SVG for `dot`, from the <svg> element on (no XML prolog or DOCTYPE)."""
    text = dot_to_svg(dot).decode("utf-8", "replace")
    start = _SVG_START.search(text)
    return text[start.start():] if start else text


def graph_viewer(dot: str, *, key: str, labels: Mapping[str, str], selected: str | None = None,
                 presenting: bool = False,
                 on_click: Callable[[str], None] | None = None) -> str | None:
    """Draw `dot` in the viewer; the id of the node the learner just clicked ("t12", "o5",
    "m3", "a7"), else None. `labels`: the toolbar's texts in the learner's language (keys
    search, no_match, zoom_in, zoom_out, fit, readable, fullscreen, exit_fullscreen, hint,
    too_big).
    `on_click(node)` runs before the next script run, so it may change widget state.
    `selected` is outlined. If Graphviz cannot draw the graph in time, st.graphviz_chart
    draws it in the browser instead, without the viewer's tools, when its DOT is at most
    MAX_BROWSER_DOT characters (a 6.9 MB one went to every viewer); else labels["too_big"]
    says so."""
    try:
        svg = svg_of(dot)
    except Exception:      # noqa: BLE001 - too slow, or dot failed: the browser still can,
        if len(dot) > MAX_BROWSER_DOT:      # unless it is too big to send to every viewer
            st.warning(labels.get("too_big", ""))
        else:
            st.graphviz_chart(dot, width="stretch" if presenting else "content")
        return None

    def clicked() -> None:
        node = getattr(st.session_state.get(key), "clicked", None)
        if on_click is not None and isinstance(node, str):
            on_click(node)

    result = _mount(
        key=key,
        data={"svg": svg, "dot": dot, "selected": selected, "labels": dict(labels),
              "minLabel": PRESENT_LABEL_PX if presenting else MIN_LABEL_PX,
              "maxScale": 2.0 if presenting else 1.5},
        on_clicked_change=clicked)
    node = getattr(result, "clicked", None)
    return node if isinstance(node, str) else None
