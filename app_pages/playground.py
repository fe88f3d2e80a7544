"""Playground: type PyTorch code, run it in the sandbox, look at what it did.

The code, the chosen picture and the focused variable live in the URL, so a copied link (or
`/?code=<URL-encoded code>`) reopens the same session and runs it at once. The picture's URL
value is its id (`?view=steps`), the same in every language."""
import streamlit as st

from app_pages import pictures
from app_pages.common import (
    CODE,
    FOCUS,
    LANG,
    SEED,
    SEED_MAX,
    VIEW,
    apply_page_style,
    cached_run,
    from_url,
    lang,
    number_from_url,
    to_url,
    tr,
)
from explorer.markup import clean
from explorer.share import share_link
from explorer.texts import DEFAULT_LANGUAGE
from explorer.views.names import focus_name

EXAMPLE = """import torch

a = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
b = torch.tensor([0.5, -1.0], requires_grad=True)
y = (a * b + a).sum()
y.backward()
print(a.grad)
print(b.grad)
"""

apply_page_style()
st.title(tr("playground.title"))

if clean(st.session_state.get(CODE, "")) != st.session_state.get(CODE, ""):
    st.session_state[CODE] = clean(st.session_state[CODE])    # a lone surrogate can't be shown
code = st.text_area(tr("playground.code"), value=EXAMPLE, height=280, key=CODE,
                    bind="query-params", help=tr("playground.code_help"))
left, right = st.columns([1, 4], vertical_alignment="bottom")
left.button(tr("playground.run"), type="primary", key="run")  # a click commits the code box
number_from_url(SEED, 0, SEED_MAX, 0)
seed = right.number_input(tr("playground.seed"), min_value=0, max_value=SEED_MAX, step=1,
                          key=SEED, width=180)
to_url(SEED, str(seed), "0")

run = cached_run(code, int(seed))
pictures.show_outcome(run, code)

variables = pictures.tensor_variables(run)
if variables:
    names = [v.name for v in variables]

    def focus_clicked_row() -> None:           # runs before the rerun, so it may set FOCUS
        rows = st.session_state.var_table.selection.rows
        if rows:
            st.session_state[FOCUS] = names[rows[0]]

    st.subheader(tr("vars.title"))
    st.dataframe(pictures.variables_frame(run), hide_index=True, width="stretch",
                 on_select=focus_clicked_row, selection_mode="single-row", key="var_table")
    from_url(FOCUS, names, focus_name(run) or names[-1])
    to_url(FOCUS, clean(st.selectbox(tr("vars.focus"), names, format_func=clean, key=FOCUS)))
focus = pictures.focused(run, st.session_state.get(FOCUS))
# The picture's id, not its label, is what the URL carries (a label would change with the
# language); older links that carry a label still open their tab.
from_url(VIEW, pictures.KINDS, "graph", parse=pictures.kind_named)

# Drawn only once opened: st.code (for its copy button) loads a 1.56 MB highlighter that
# would hold back the page's first graph.
with st.expander(tr("playground.share"), icon="🔗", key="share_open", on_change="rerun") as box:
    if box.open:
        st.caption(tr("playground.share_help"))
        shared = {CODE: code, LANG: lang() if lang() != DEFAULT_LANGUAGE else None,
                  SEED: seed or None, VIEW: st.session_state.get(VIEW),
                  FOCUS: st.session_state.get(FOCUS)}
        st.code(share_link(st.context.url, {k: v and clean(v) for k, v in shared.items()}),
                language=None)

labels = {kind: tr(f"views.{kind}") for kind in pictures.KINDS}
view = st.segmented_control(tr("views.label"), pictures.KINDS, required=True,
                            format_func=labels.__getitem__, key=VIEW)
to_url(VIEW, view, "graph")
pictures.show(view, run, focus, key="playground")
