"""Autograd Explorer: the pages, in the order a learner meets them."""
import streamlit as st

st.set_page_config(page_title="Autograd Explorer", layout="wide")
page = st.navigation([st.Page("pages/playground.py", title="Playground", default=True)])
page.run()
