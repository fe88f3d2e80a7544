"""Lessons: the course as a path. Each lesson states its goal, shows cells (a few sentences,
runnable code, its picture), asks the learner to predict a cell's output before it shows, and
ends with an exercise whose code is checked against its own Run.

The open lesson lives in the URL (`/lessons?lesson=<id>`), and so do the lessons done
(`done=<id>,<id>`). In presentation mode the lesson shows one cell at a time."""
import streamlit as st

from app_pages import pictures
from app_pages.code_box import code_box
from app_pages.common import (
    CODE,
    DONE,
    LESSON,
    apply_page_style,
    cached_run,
    from_url,
    lang,
    presenting,
    to_url,
    tr,
)
from explorer.lessons import ORDER, Cell, Lesson, Predict, get_lesson
from explorer.lessons.checks import tensor, values_of
from explorer.lessons.path import format_done, next_lesson, parse_done
from explorer.markup import code as code_span
from explorer.model import Run

# The exercise's code box in the Playground's code font.
EXERCISE_CSS = ('<style>[class*="st-key-exercise_"] textarea { font-family: "Source Code Pro", '
                'ui-monospace, monospace; font-size: 0.95rem; }</style>')


def _label(lesson_id: str) -> str:
    found = get_lesson(lesson_id)
    mark = "✓ " if lesson_id in done else "⚠ " if found.mistake else ""
    return f"{ORDER.index(lesson_id) + 1}. {mark}{found.title(lang())}"


def open_in_playground(source: str) -> None:
    st.session_state[CODE] = source
    st.switch_page("app_pages/playground.py", query_params={CODE: source})


def predicted(lesson: Lesson, cell: Cell, ask: Predict) -> bool:
    """The prediction prompt; True once the learner has committed a guess."""
    st.markdown(tr("lessons.practice.predict", question=tr(ask.key(lesson.id))))
    guess = st.radio(tr("lessons.practice.guess"), sorted(ask.options), index=None,
                     key=f"guess_{cell.key}", format_func=code_span)   # as printed
    if guess is None:
        st.caption(tr("lessons.practice.hidden"))
        return False
    answer = ask.answer(cached_run(cell.code, 0)) or ""
    verdict = st.success if guess == answer else st.warning
    verdict(tr("lessons.practice.right" if guess == answer else "lessons.practice.wrong",
               answer=code_span(answer)))
    return True


def show_cell(lesson: Lesson, cell: Cell) -> None:
    st.divider()
    st.markdown(cell.text(lang()))
    code_box(cell.code)
    if st.button(tr("lessons.open"), key=f"open_{cell.key}", icon="✏️"):
        open_in_playground(cell.code)
    ask = lesson.predict_for(cell)
    if ask is not None and not predicted(lesson, cell, ask):
        return
    run = cached_run(cell.code, 0)
    pictures.show_outcome(run, cell.code)
    draw(cell.picture, cell.focus, run, cell.key)


def draw(picture: str | None, focus: str | None, run: Run, key: str) -> None:
    """A cell's (or an exercise's) picture: a Playground view, the curve of a 1-D tensor, or
    the dtype table."""
    if picture == "curve":
        values = values_of(tensor(run, focus).values) if tensor(run, focus) else None
        if values:
            st.caption(tr("lessons.practice.curve", name=code_span(focus)))
            st.line_chart(values)
    elif picture == "dtypes":
        pictures.dtype_tables(run)
    elif picture in pictures.KINDS:
        pictures.show(picture, run, pictures.focused(run, focus), key=key)


def check(lesson: Lesson) -> None:
    """Before the rerun (so the sidebar's ticks are current): check the learner's code, and
    tick the lesson off when it passes."""
    source = st.session_state[f"exercise_{lesson.id}"]
    st.session_state[f"checked_{lesson.id}"] = source
    if not lesson.exercise.check(cached_run(source, 0)):
        st.session_state[DONE] = st.session_state[DONE] | {lesson.id}


def exercise(lesson: Lesson) -> None:
    """The exercise: the learner's code, checked on demand; hint and solution behind buttons."""
    st.divider()
    st.subheader(tr("lessons.practice.exercise"))
    st.markdown(lesson.text("exercise", lang()))
    source = st.text_area(tr("lessons.practice.your_code"), lesson.exercise.start, height=220,
                          key=f"exercise_{lesson.id}")
    st.button(tr("lessons.practice.check"), key=f"check_{lesson.id}", type="primary",
              on_click=check, args=(lesson,))
    if st.session_state.get(f"checked_{lesson.id}") == source:   # not edited since
        run = cached_run(source, 0)
        pictures.show_outcome(run, source)
        failures = lesson.exercise.check(run)
        for failure in failures:
            fields = {name: code_span(value) for name, value in failure.fields.items()}
            st.error(tr(failure.key, **fields))
        if not failures:
            st.success(tr("lessons.practice.solved"))
        draw(lesson.exercise.picture, lesson.exercise.focus, run, f"exercise_{lesson.id}_picture")
    with st.expander(tr("lessons.practice.hint")):
        st.markdown(lesson.text("hint", lang()))
    with st.expander(tr("lessons.practice.solution")):
        code_box(lesson.exercise.solution)


def go_to(lesson_id: str) -> None:
    st.session_state[LESSON] = lesson_id


apply_page_style()
st.html(EXERCISE_CSS)
from_url(LESSON, ORDER, ORDER[0])                 # a shared link opens its lesson
if DONE not in st.session_state:                 # a shared link brings its ticks
    st.session_state[DONE] = parse_done(ORDER, st.query_params.get(DONE))
done = st.session_state[DONE]
chosen = st.sidebar.selectbox(tr("lessons.choose"), ORDER, key=LESSON, format_func=_label)
to_url(LESSON, chosen)
lesson = get_lesson(chosen)

st.title(lesson.title(lang()))
st.markdown(tr("lessons.practice.goal", goal=lesson.text("goal", lang())))
st.markdown(lesson.text("intro", lang()))
if lesson.notes:
    st.info(f"**{tr('lessons.practice.notes')}**\n\n{lesson.text('notes', lang())}", icon="📜")

cells = lesson.cells
if presenting():
    index = pictures.stepper([f"{n} / {len(cells)}" for n in range(1, len(cells) + 1)],
                             f"cell_{chosen}", tr("lessons.cell"), tr("lessons.previous"),
                             tr("lessons.next"))      # remembered per lesson
    cells = cells[index:index + 1]
for cell in cells:
    show_cell(lesson, cell)
exercise(lesson)

st.sidebar.caption(tr("lessons.practice.progress", done=len(done), total=len(ORDER)))
to_url(DONE, format_done(ORDER, done), "")
following = next_lesson(ORDER, chosen)
st.divider()
if following is None:
    st.caption(tr("lessons.practice.last"))
else:
    st.button(tr("lessons.practice.next", title=get_lesson(following).title(lang())),
              key="next_lesson", on_click=go_to, args=(following,), type="primary")
