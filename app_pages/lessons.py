"""Lessons: one per topic of the course notes, then the classic mistakes. Each cell says a few
sentences, shows runnable code with its picture, and opens in the Playground.

The open lesson's id lives in the URL (`/lessons?lesson=<id>`). In presentation mode the lesson
shows one cell at a time, with previous/next buttons."""
import streamlit as st

from app_pages import pictures
from app_pages.common import (
    CELL,
    CODE,
    LESSON,
    apply_page_style,
    cached_run,
    from_url,
    lang,
    presenting,
    to_url,
    tr,
)
from explorer.lessons import LESSONS, get_lesson


def _label(lesson_id: str) -> str:
    found = get_lesson(lesson_id)
    mark = "⚠ " if found.mistake else ""
    return f"{ids.index(lesson_id) + 1}. {mark}{found.title(lang())}"


def open_in_playground(code: str) -> None:
    st.session_state[CODE] = code
    st.switch_page("app_pages/playground.py", query_params={CODE: code})


apply_page_style()
ids = [lesson.id for lesson in LESSONS]
from_url(LESSON, ids, ids[0])                 # a shared link opens its lesson
chosen = st.sidebar.selectbox(tr("lessons.choose"), ids, key=LESSON, format_func=_label)
to_url(LESSON, chosen)
lesson = get_lesson(chosen)

st.title(lesson.title(lang()))
st.markdown(lesson.intro(lang()))

cells = lesson.cells
if presenting():
    shown = st.session_state.get(CELL)     # (lesson id, cell index), kept while presenting
    index = shown[1] if shown and shown[0] == chosen else 0
    back, where, forward = st.columns([1, 2, 1], vertical_alignment="center")
    if back.button(tr("lessons.previous"), disabled=index == 0, width="stretch"):
        index -= 1
    if forward.button(tr("lessons.next"), disabled=index == len(cells) - 1, width="stretch"):
        index += 1
    st.session_state[CELL] = (chosen, index)
    where.markdown(tr("lessons.cell_of", n=index + 1, total=len(cells)))
    cells = cells[index:index + 1]

for cell in cells:
    st.divider()
    st.markdown(cell.text(lang()))
    st.code(cell.code, language="python")
    if st.button(tr("lessons.open"), key=f"open_{cell.key}", icon="✏️"):
        open_in_playground(cell.code)
    run = cached_run(cell.code, 0)
    pictures.show_outcome(run, cell.code)
    if cell.picture in pictures.KINDS:
        pictures.show(cell.picture, run, pictures.focused(run, cell.focus), key=cell.key)
