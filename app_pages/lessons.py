"""Lessons: one per topic of the course notes, then the classic mistakes. Each cell says a few
sentences, shows runnable code with its picture, and opens in the Playground.

The open lesson's id lives in the URL (`/lessons?lesson=<id>`). In presentation mode the lesson
shows one cell at a time, with previous/next buttons."""
import streamlit as st

from app_pages import pictures
from app_pages.common import (
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
    index = pictures.stepper([f"{n} / {len(cells)}" for n in range(1, len(cells) + 1)],
                             f"cell_{chosen}", tr("lessons.cell"), tr("lessons.previous"),
                             tr("lessons.next"))      # remembered per lesson
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
