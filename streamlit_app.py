"""Autograd Explorer: the pages, in the order a learner meets them, and the sidebar they share."""
import streamlit as st

from app_pages.common import LANG, PRESENT, from_url, to_url, tr
from explorer import sandbox_layers
from explorer.markup import escape
from explorer.texts import DEFAULT_LANGUAGE, LANGUAGE_NAMES, LANGUAGES

st.set_page_config(page_title="Autograd Explorer", page_icon="∂", layout="wide")

with st.sidebar:
    from_url(LANG, LANGUAGES, DEFAULT_LANGUAGE)
    chosen = st.segmented_control(tr("app.language"), LANGUAGES, required=True,
                                  format_func=LANGUAGE_NAMES.get, key=LANG)
    to_url(LANG, chosen, DEFAULT_LANGUAGE)
    st.toggle(tr("app.present"), key=PRESENT, bind="query-params", help=tr("app.present_help"))
    layers = sandbox_layers()
    if layers:
        off = [name for name, state in layers.items() if state != "on"]
        st.caption(tr("app.sandbox_off", layers=", ".join(map(escape, off))) if off else
                   tr("app.sandbox_on"))       # names a run process reported: escaped

page = st.navigation([
    st.Page("app_pages/playground.py", title=tr("pages.playground"), icon="✏️", default=True),
    st.Page("app_pages/lessons.py", title=tr("pages.lessons"), icon="📘", url_path="lessons"),
    st.Page("app_pages/training.py", title=tr("pages.training"), icon="📈", url_path="training"),
    st.Page("app_pages/compare.py", title=tr("pages.compare"), icon="⚖️", url_path="compare"),
])
page.run()
