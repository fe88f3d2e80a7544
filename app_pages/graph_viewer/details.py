"""The panel under the graph viewer: what a clicked node holds (explorer.views.node_details),
in the learner's language. Every text from the run goes through explorer.markup."""
from __future__ import annotations

import re
from collections.abc import Callable, Collection

import streamlit as st

from app_pages.code_box import code_box
from app_pages.common import presenting, tr
from app_pages.graph_viewer import graph_viewer
from explorer.markup import clean, code
from explorer.model import Run
from explorer.views.graph import GraphPicture
from explorer.views.node_details import NodeDetails, node_details

__all__ = ["graph_with_details", "show_details", "viewer_words"]

WORDS = ("search", "no_match", "zoom_in", "zoom_out", "fit", "readable", "fullscreen",
         "exit_fullscreen", "hint", "too_big")


def graph_with_details(picture: GraphPicture, dot: str, run: Run, key: str,
                       unroll: Callable[[int], None] | None = None) -> None:
    """`dot` (the picture's DOT, cleaned) in the graph viewer, and under it the details of the
    node last clicked (kept in st.session_state[f"{key}_node"]). A click on a Module box opens
    it in place when the page offers a choice of open boxes (the graph tab's
    st.session_state[f"{key}_expanded"]); the details panel has buttons to close it again.
    With `unroll`, a click on a ×N box calls it with the box's first op id instead."""
    chosen, opened = f"{key}_node", f"{key}_expanded"
    expanded = frozenset(st.session_state.get(opened) or ())

    def open_box(path: str, opening: bool = True) -> None:
        boxes = [p for p in st.session_state.get(opened) or () if p != path]
        st.session_state[opened] = [*boxes, path] if opening else boxes

    def clicked(node: str) -> None:
        details = node_details(run, node, expanded=expanded, collapsed=picture.collapsed)
        if details is not None and details.module_path and opened in st.session_state:
            open_box(details.module_path)
        elif details is not None and details.kind == "fold" and unroll is not None:
            unroll(int(node[1:]))
        else:
            st.session_state[chosen] = node

    graph_viewer(dot, key=f"{key}_viewer", selected=st.session_state.get(chosen),
                 presenting=presenting(), on_click=clicked, labels=viewer_words())
    node = st.session_state.get(chosen)
    drawn = bool(node) and re.search(rf"^  {re.escape(node)} \[", dot, re.M) is not None
    details = node_details(run, node, expanded=expanded, collapsed=picture.collapsed) \
        if drawn else None
    if details is not None:
        with st.container(border=True, key=f"{key}_details"):
            show_details(details, open_box if opened in st.session_state else None,
                         expanded, key)


def viewer_words() -> dict[str, str]:
    """The viewer's toolbar texts in the learner's language."""
    return {word: tr(f"viewer.{word}") for word in WORDS}


def show_details(details: NodeDetails, open_box: Callable[..., None] | None,
                 expanded: Collection[str], key: str) -> None:
    """Facts, value, grad, formula and saved tensors of one node; with `open_box(path,
    opening=True)`, buttons that open a Module box or close the open ones around the node."""
    st.markdown(f"**{tr(f'details.{details.kind}', name=code(details.title))}**")
    if details.facts:
        st.markdown(" · ".join(f"{tr(f'details.{name}')}: {code(text)}"
                               for name, text in details.facts if text))
    if details.value is not None:
        _block(tr("details.value"), details.value)
    if details.kind in ("accumulate", "op", "fold") or details.grad is not None:
        label = tr("details.grad" if details.kind in ("tensor", "accumulate") else
                   "details.grad_in")
        if details.grad is not None:
            _block(label, details.grad)
        elif details.kind != "fold":
            st.caption(f"{label}: {tr('details.no_grad')}")
    if details.formulas:
        _block(tr("details.formula"), "\n".join(f"grad_{name} = {formula}"
                                               for name, formula in details.formulas))
    for saved in details.saved:
        _block(f"{tr('details.saved')}: {code(saved.name)} = {code(saved.tensor)}", saved.value)
    if details.freed is not None:
        st.caption(tr("details.freed", n=details.freed))
    if open_box is None:
        return
    if details.module_path:
        st.button(tr("details.open", path=code(details.module_path)), key=f"{key}_open",
                  on_click=open_box, args=(details.module_path,))
    for n, path in enumerate(p for p in details.inside if p in expanded):
        st.button(tr("details.close", path=code(path)), key=f"{key}_close_{n}",
                  on_click=open_box, args=(path, False))


def _block(label: str, text: str) -> None:
    st.caption(label)
    code_box(clean(text), language=None)
