"""Lessons (written next, once the lesson catalogue lands)."""
import streamlit as st

st.title("Lessons")
