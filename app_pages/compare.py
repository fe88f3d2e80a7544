"""Gallery and Compare: pick the Playground's code or any lesson cell and check it against real
PyTorch, run in the same sandbox: the printed output, every variable's values and grads, and the
error, side by side."""
from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from app_pages.code_box import code_box
from app_pages.common import CODE, SEED, SEED_MAX, apply_page_style, lang, number_from_url, tr
from explorer import INSTALL_TORCH, Comparison, compare_with_torch, torch_available
from explorer.compare import comparison_bytes, lasting
from explorer.lessons import LESSONS
from explorer.markup import clean, clean_rows, code
from explorer.run_cache import RunCache


COMPARISONS_BYTES = 64 << 20


@st.cache_resource(show_spinner=False)
def comparisons() -> RunCache:
    """The server's finished comparisons, bounded in bytes; one that a busy server's clock
    stopped is shown, not kept."""
    return RunCache(COMPARISONS_BYTES, weigh=comparison_bytes, keep=lasting)


def cached_comparison(source: str, seed: int) -> Comparison:
    """The comparison of this code; a busy one (nothing ran) while this session's previous
    check still runs or the real-PyTorch worker stays busy, never kept."""
    session = get_script_run_ctx().session_id
    return comparisons().get((source, seed),
                             lambda: compare_with_torch(source, seed=seed, owner=session))


def gallery() -> dict[str, str]:
    """Label -> code: the Playground's code first, then every lesson cell in order."""
    items = {}
    if st.session_state.get(CODE):
        items[tr("compare.playground_code")] = st.session_state[CODE]
    for lesson in LESSONS:
        for cell in lesson.cells:
            items[f"{lesson.title(lang())} · {cell.index}"] = cell.code
    return items


def variables_frame(comparison: Comparison) -> pd.DataFrame:
    """One row per variable on either side; names and notes are the learner's (cleaned)."""
    return pd.DataFrame(clean_rows({
        tr("vars.name"): v.name, tr("compare.same"): "✓" if v.equal else "✗",
        "engine": f"{v.engine_shape} {v.engine_dtype or ''}" if v.engine_shape is not None else "—",
        "PyTorch": f"{v.torch_shape} {v.torch_dtype or ''}" if v.torch_shape is not None else "—",
        tr("compare.max_diff"): v.max_abs_diff, tr("compare.grad_diff"): v.grad_max_abs_diff,
        tr("compare.note"): v.note,
    } for v in comparison.variables))


apply_page_style()
st.title(tr("compare.title"))
st.markdown(tr("compare.intro"))
if not torch_available():
    st.info(tr("compare.install", command=INSTALL_TORCH))
    st.stop()

items = gallery()
label = st.selectbox(tr("compare.choose"), list(items), key="compare_pick")
source = items[label]
code_box(clean(source))
number_from_url(SEED, 0, SEED_MAX, 0)     # the Playground's seed, also after a reload here
seed = st.session_state[SEED]
if st.button(tr("compare.check"), type="primary", key="compare_run"):
    with st.spinner(tr("compare.running")):
        comparison = cached_comparison(source, seed)
    if comparison.busy:
        st.info(tr("compare.busy"))
        st.stop()
    if comparison.equal and comparison.engine_error:      # both stopped, alike
        st.success(tr("compare.equal_error", error=code(comparison.engine_error)))
    elif comparison.equal:
        st.success(tr("compare.equal"))
    else:
        st.warning(tr("compare.different", n=comparison.difference_count))
    ours, theirs = st.columns(2)
    ours.markdown("**" + tr("compare.engine") + "**")
    code_box(clean(comparison.engine_stdout), language=None, where=ours)
    theirs.markdown("**PyTorch 2.13**")
    code_box(clean(comparison.torch_stdout), language=None, where=theirs)
    if comparison.engine_error or comparison.torch_error:
        ours.caption(code(comparison.engine_error) or "—")
        theirs.caption(code(comparison.torch_error) or "—")
    if comparison.stdout_diff:
        st.markdown("**" + tr("compare.output_diff") + "**")
        code_box(clean("\n".join(comparison.stdout_diff)), language="diff")
    if comparison.variables:
        st.dataframe(variables_frame(comparison), hide_index=True, width="stretch")
