"""Autograd Explorer entry point: the pages arrive with the app issue."""
import streamlit as st

st.set_page_config(page_title="Autograd Explorer", layout="wide")
st.title("Autograd Explorer")
st.write("Type PyTorch code, watch the graph it builds and the gradients flowing back. "
         "The engine is being built; the playground arrives soon.")
