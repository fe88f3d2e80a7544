"""The pictures of a Run laid out with Streamlit widgets; every picture itself comes from explorer.views.

Playground tabs and lesson cells both call `show`, so a lesson draws exactly what the Playground
would draw for the same code.

Everything a run carries is the learner's text (a share link's author chose it): it reaches a
widget only through explorer.markup: `code()` or `escape()` inside Markdown, `clean()` in code
blocks, tables, options and charts."""
from __future__ import annotations

import dataclasses

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from app_pages.code_box import code_box
from app_pages.common import lang, presenting, tr
from app_pages.graph_viewer.details import graph_with_details
from explorer import GradCheck, Run, check_gradients
from explorer.explain import explain
from explorer.gradcheck import check_bytes
from explorer.gradcheck import lasting as lasting_check
from explorer.markup import clean, clean_rows, clean_tree, code, escape
from explorer.model import VariableInfo
from explorer.run_cache import RunCache
from explorer.texts import LANGUAGES, t
from explorer.views.broadcast import (
    MAX_FAILURE_FIGURES,
    broadcast_failures,
    broadcast_steps,
    expansion_figure,
    failure_figure,
    failures_not_drawn,
    gradient_sums,
)
from explorer.views.chain import chain_text, grad_fn_chain
from explorer.views.dtypes import op_dtypes, op_table, tensor_table
from explorer.views.export import dot_to_png, dot_to_svg, torch_script
from explorer.views.gradcheck import (
    gradcheck_figure,
    gradcheck_message,
    gradcheck_table,
)
from explorer.views.graph import (
    MAX_PATH_OPTIONS,
    GraphPicture,
    graph_of,
    graph_picture,
    module_paths,
    scoped,
)
from explorer.views.memory import (
    layout_summary,
    memory_figure,
    order_figure,
    sharers,
    version_steps,
    version_table,
    view_check,
    view_figure,
)
from explorer.views.steps import (
    backward_steps,
    freed_nodes,
    steps_table,
    zero_grad_clears,
)

CHECKS_BYTES = 16 * 2**20   # finished gradient checks kept for every session
KINDS = ("graph", "chain", "steps", "broadcast", "memory", "gradcheck")


def kind_named(value: str | None) -> str | None:
    """The picture a URL's `view=` names: its id ("steps"), or its tab label in any language
    ("Backward steps", as links made before the ids carried); None if it names none."""
    wanted = (value or "").strip().casefold()
    for kind in KINDS:
        if wanted == kind or any(wanted == t(f"views.{kind}", lang).casefold()
                                 for lang in LANGUAGES):
            return kind
    return None


def show_outcome(run: Run, source: str) -> None:
    """The error panel (PyTorch's first line, the learner's line, why), printed output, result."""
    if run.error is not None:
        where = tr("error.at_line", line=run.error.line) if run.error.line else ""
        st.error(f"**{escape(run.error.type)}**{where}: {code(run.error.message)}")
        lines = source.splitlines()
        if run.error.line and 0 < run.error.line <= len(lines):
            code_box(clean(f"{run.error.line:>3} | {lines[run.error.line - 1]}"))
        why = explain(run.error.type, run.error.message, lang())   # in the learner's language
        if why:
            st.info(why)
    if run.stdout:
        code_box(clean(run.stdout), language=None)
    if run.warnings:
        st.caption(tr("output.warnings"))
        code_box(clean("\n".join(run.warnings)), language=None)
    if run.output_truncated:
        st.caption(tr("output.truncated"))
    if run.trimmed_from:
        st.caption(tr("output.trimmed", mb=f"{run.trimmed_from / 1e6:,.0f}"))
    if run.result is not None:
        code_box(clean(run.result), language=None)


def chart(figure: go.Figure, **kwargs) -> None:
    """st.plotly_chart, for figures that hold the learner's names: a name with a lone surrogate
    cannot be encoded, so such a figure is drawn again with its text cleaned."""
    try:
        st.plotly_chart(figure, **kwargs)
    except (TypeError, UnicodeError):       # orjson's JSONEncodeError is a TypeError
        st.plotly_chart(go.Figure(clean_tree(figure.to_plotly_json())), **kwargs)


def tensor_variables(run: Run) -> list[VariableInfo]:
    return [v for v in run.variables if v.tensor is not None]


def variables_frame(run: Run) -> pd.DataFrame:
    """One row per tensor variable: name, shape, dtype, strides, grad_fn (as text, cleaned)."""
    rows = []
    for var in tensor_variables(run):
        info = var.tensor
        rows.append({
            tr("vars.name"): var.name, "shape": str(tuple(info.shape)),
            "dtype": info.dtype.replace("torch.", ""), "stride": str(tuple(info.stride)),
            "requires_grad": info.requires_grad, "is_leaf": info.is_leaf,
            "grad_fn": info.grad_fn or "", "contiguous": info.is_contiguous,
        })
    return pd.DataFrame(clean_rows(rows))


def focused(run: Run, name: str | None) -> VariableInfo | None:
    """The variable the pictures focus on: the chosen one, else the last tensor defined."""
    candidates = tensor_variables(run)
    for var in candidates:
        if var.name == name:
            return var
    return candidates[-1] if candidates else None


def show(kind: str, run: Run, focus: VariableInfo | None, *, key: str) -> None:
    """Draw one picture of the run; `key` keeps widget keys apart when several are on a page."""
    {"graph": _graph, "chain": _chain, "steps": _steps, "broadcast": _broadcast,
     "memory": _memory, "gradcheck": _gradcheck}[kind](run, focus, key)


def backward_call(run: Run, key: str, more: dict | None = None) -> int | str | None:
    """Which backward() call to draw: the last by default. `more` adds choices (value: label)
    after the calls; without calls the first of them is the default."""
    calls = list(range(len(run.backward)))
    names = {call: tr("graph.scope_call", n=call + 1, total=len(calls),
                      line=run.backward[call].line or "?") for call in calls}
    names.update(more or {})
    if len(names) <= 1:
        return next(iter(names), None)
    return st.selectbox(tr("graph.scope"), list(names), index=max(len(calls) - 1, 0),
                        format_func=names.get, key=key)


def graph_scope(run: Run, focus: VariableInfo | None, key: str) -> Run:
    """The part of the run the graph tab draws: a backward() call's graph (the last by
    default), the focused variable's graph, or everything."""
    more = {None: tr("graph.scope_all")}
    if focus is not None and focus.tensor is not None and focus.tensor.grad_fn:
        more["focus"] = tr("graph.scope_focus", name=focus.name)
    choice = backward_call(run, key, more)
    return graph_of(run, focus.tensor.id) if choice == "focus" else scoped(run, choice)


def _graph(run: Run, focus: VariableInfo | None, key: str) -> None:
    if not run.graph.ops:
        st.caption(tr("graph.empty"))
        return
    run = graph_scope(run, focus, f"{key}_scope")
    modules = module_paths(run)
    # One row that wraps: each control keeps its whole label on any screen (five columns
    # squeezed them to 175 px and cut "backward (grad_fn chain)" off at 1400 px).
    with st.container(horizontal=True, vertical_alignment="bottom", gap="medium"):
        direction = st.segmented_control(
            tr("graph.direction"), ["forward", "backward"], default="forward", required=True,
            format_func=lambda d: tr(f"graph.{d}"), key=f"{key}_direction", wrap=True)
        show_values = st.toggle(tr("graph.values"), value=True, key=f"{key}_values", wrap=True)
        show_saved = st.toggle(tr("graph.saved"), key=f"{key}_saved", wrap=True)
        fold = st.toggle(tr("graph.fold"), value=True, key=f"{key}_fold", wrap=True)
        collapse = bool(modules) and st.toggle(tr("graph.collapse"), value=True,
                                               key=f"{key}_collapse", wrap=True)
    # the first paths, and any opened by a click on a box further on (a multiselect's value
    # must be among its options); 150 nested calls once offered 559 M characters of paths
    known = set(modules)
    opened = [p for p in st.session_state.get(f"{key}_expanded") or () if p in known]
    options = list(dict.fromkeys(modules[:MAX_PATH_OPTIONS] + opened))
    expanded = st.multiselect(tr("graph.expand"), options, format_func=clean,
                              key=f"{key}_expanded") if collapse else ()
    picture = graph_picture(run, direction=direction, show_values=show_values,
                            show_saved=show_saved, collapse=collapse, expanded=frozenset(expanded),
                            fold=fold, unrolled=unrolled_boxes(run, key),
                            focus=focus.tensor.id if focus else None, lang=lang())
    draw_graph(picture, run, key, unroll=True)


def unrolled_boxes(run: Run, key: str) -> frozenset:
    """The ×N boxes the learner opened in place in this run's graph (by their first op's id),
    kept in st.session_state[f"{key}_unrolled"] with the run they belong to."""
    kept = st.session_state.get(f"{key}_unrolled") or {}
    return frozenset(kept.get("ids", ())) if kept.get("run") == (run.source, run.seed) \
        else frozenset()


def draw_graph(picture: GraphPicture, run: Run, key: str, unroll: bool = False) -> None:
    """The graph in the graph viewer (pan, zoom, search; a click on a node shows its details
    below it, a click on a Module box opens it in place, and with `unroll` so does a click on
    a ×N box), the notes on how it was drawn, and its export buttons."""
    dot = clean(picture.dot)        # names in it are escaped by the view; surrogates are not
    rolled = f"{key}_unrolled"

    def unroll_box(first_op: int | None) -> None:
        ids = unrolled_boxes(run, key)
        st.session_state[rolled] = {"run": (run.source, run.seed),
                                    "ids": [*ids, first_op] if first_op is not None else []}

    graph_with_details(picture, dot, run, key, unroll_box if unroll else None)
    if unroll and unrolled_boxes(run, key):
        st.button(tr("graph.roll_up"), key=f"{key}_roll_up", on_click=unroll_box, args=(None,))
    for note in picture.notes:
        st.caption(note)
    with st.popover(tr("export.title"), icon="⬇️"):
        st.download_button(tr("export.dot"), dot, "graph.dot", "text/vnd.graphviz",
                           key=f"{key}_dot")
        st.download_button(tr("export.svg"), lambda: dot_to_svg(dot), "graph.svg",
                           "image/svg+xml", key=f"{key}_svg")
        st.download_button(tr("export.png"), lambda: dot_to_png(dot), "graph.png",
                           "image/png", key=f"{key}_png")
        st.download_button(tr("export.script"), clean(torch_script(run.source, run.seed)),
                           "autograd_explorer.py", "text/x-python", key=f"{key}_script")


def _chain(run: Run, focus: VariableInfo | None, key: str) -> None:
    if focus is None or not focus.tensor.grad_fn:
        st.caption(tr("chain.none", name=code(focus.name) if focus else "—"))
        return
    st.caption(tr("chain.of", name=code(focus.name)))
    rows = grad_fn_chain(run, focus.tensor.id, lang())
    code_box(clean(chain_text(rows, lang())), language=None)


# The steps table's columns (step, node, formula, grad in, sent) sized to fit the page at
# 1280 px, each growing alike on wider screens, and rows taller than the grid's 4rem, which is
# what lets it wrap a cell onto several lines: on one line the formula and "sent" columns were
# cut off. Presentation type is larger (4rem is 88 px). A click on a cell shows all of it.
STEPS_COLUMNS = {False: (48, 150, 230, 120, 160), True: (56, 210, 220, 110, 160)}
STEPS_ROW_HEIGHT = {False: 96, True: 150}


def steps_frame(rows: list[dict]) -> None:
    """The steps table, its long cells wrapped; about four rows show, the rest scroll."""
    present = presenting()
    st.dataframe(rows, hide_index=True, width="stretch", row_height=STEPS_ROW_HEIGHT[present],
                 height=4 * STEPS_ROW_HEIGHT[present] + 40 if len(rows) > 4 else "auto",
                 column_config={name: st.column_config.Column(width=width)
                                for name, width in zip(rows[0], STEPS_COLUMNS[present])}
                 if rows else None)


def _steps(run: Run, focus: VariableInfo | None, key: str) -> None:
    if not run.backward:
        st.caption(tr("steps.none"))
        return
    call = backward_call(run, f"{key}_call")
    views = backward_steps(run, call, lang())
    step = stepper([clean(f"{i + 1}. {v.name}") for i, v in enumerate(views)], f"{key}_step",
                   tr("graph.step"), tr("graph.previous"), tr("graph.next"))
    scope = scoped(run, call)
    collapse = bool(module_paths(scope)) and st.toggle(tr("graph.collapse"), value=True,
                                                       key=f"{key}_steps_collapse")
    picture = graph_picture(scope, direction="backward", show_values=True, step=step,
                            call=call, collapse=collapse, lang=lang())
    current = views[step]
    st.markdown(tr("steps.current", n=step + 1, total=len(views), name=code(current.name)))
    if current.formulas:
        code_box(clean("\n".join(f"grad_{name} = {formula}" for name, formula in current.formulas)),
                 language=None, wrap=True)       # whole on a phone and when presenting
    draw_graph(picture, run, key)
    steps_frame(clean_rows(steps_table(views, lang())))
    freed = freed_nodes(run, call, step=step + 1)
    if freed:
        st.caption(tr("steps.freed", nodes=", ".join(code(f"{f.name} ({', '.join(f.saved)})")
                                                     for f in freed)))
    cleared = zero_grad_clears(run)
    if cleared:
        st.caption(tr("steps.zero_grad", leaves=", ".join(
            f"{code(leaf.name)} {escape(tuple(leaf.shape))}" for leaf in cleared)))


def stepper(labels: list[str], state: str, title: str, back: str, forward: str) -> int:
    """Previous / next buttons and a slider over `labels`; the chosen index, kept in
    st.session_state[state]. Backward steps and presented lesson cells both use it."""
    last = len(labels) - 1
    st.session_state[state] = min(st.session_state.get(state, 0), last)

    def move(by: int) -> None:
        st.session_state[state] = max(0, min(last, st.session_state[state] + by))

    # The slider across the page, the buttons in a row of their own under it: they stay where
    # a lecturer clicks whatever the step's label, and wrap rather than clip on a phone.
    if last > 0:
        st.select_slider(title, range(last + 1), key=state, format_func=labels.__getitem__)
    with st.container(horizontal=True, horizontal_alignment="distribute"):
        st.button(back, on_click=move, args=(-1,), key=f"{state}_back", wrap=True,
                  disabled=st.session_state[state] == 0)
        st.button(forward, on_click=move, args=(1,), key=f"{state}_forward", wrap=True,
                  disabled=st.session_state[state] == last)
    return st.session_state[state]


MAX_BROADCASTS = 6      # broadcasting ops (and gradients summed back) shown; the rest counted


def _broadcast(run: Run, focus: VariableInfo | None, key: str) -> None:
    failures, stretched = broadcast_failures(run), broadcast_steps(run)
    for n, failure in enumerate(failures[:MAX_FAILURE_FIGURES]):
        chart(failure_figure(failure, lang=lang()), key=f"{key}_failure_{n}")
        st.caption(explain("RuntimeError", failure.message, lang()))
    if more := failures_not_drawn(run, failures, lang()):    # numbers only: no learner text
        st.caption(more)
    if not stretched and not failures:
        st.caption(tr("broadcast.none"))
    for n, step in enumerate(stretched[:MAX_BROADCASTS]):
        shapes = "  ".join(f"{code(o.name)}: {escape(o.shape)} → {escape(o.padded)}"
                           for o in step.operands)
        times = tr("broadcast.times", n=step.count) if step.count > 1 else ""
        st.caption(tr("broadcast.step", line=step.line, shapes=shapes,
                      result=escape(step.result_shape)) + times)
        chart(expansion_figure(run, step, lang=lang()), key=f"{key}_broadcast_{n}")
    if len(stretched) > MAX_BROADCASTS:        # a loop over 5,000 shapes: counted, not listed
        st.caption(tr("broadcast.more", n=f"{len(stretched) - MAX_BROADCASTS:,}"))
    sums = gradient_sums(run, max(len(run.backward) - 1, 0))     # the last backward()
    for row in sums[:MAX_BROADCASTS]:
        st.caption(tr("broadcast.summed", node=code(row["node"]), operand=code(row["operand"]),
                      before=escape(row["from"]), after=escape(row["to"])))
    if len(sums) > MAX_BROADCASTS:
        st.caption(tr("broadcast.summed_more", n=f"{len(sums) - MAX_BROADCASTS:,}"))


def _memory(run: Run, focus: VariableInfo | None, key: str) -> None:
    if focus is None:
        st.caption(tr("memory.none"))
        return
    info = focus.tensor
    st.caption(layout_summary(info, lang=lang()))
    st.caption(tr("memory.shared", name=code(focus.name)))
    chart(memory_figure(run, info.storage_id, lang=lang(), focus=info.id), key=f"{key}_memory")
    arrays = [r.name for r in sharers(run, info.storage_id, info.id) if r.kind == "ndarray"]
    if arrays:
        st.caption(tr("memory.numpy", arrays=", ".join(map(code, arrays))))
    steps = version_steps(run, info)
    st.caption(tr("memory.version" if steps else "memory.version_none", name=code(focus.name),
                  version=info.version))
    if steps:
        st.dataframe(clean_rows(version_table(steps, lang())), hide_index=True, width="stretch")
    if len(info.shape) > 1 and not info.is_contiguous:
        check = view_check(info)
        st.markdown(tr("memory.view_fits" if check.fits else "memory.view_fails",
                       view=code(f"{focus.name}.view(-1)"),
                       reshape=code(f"{focus.name}.reshape(-1)"),
                       contiguous=code(f"{focus.name}.contiguous()")))
        chart(view_figure(check, focus.name, lang=lang()), key=f"{key}_view")
    same_shape = [v.name for v in tensor_variables(run)
                  if v.name != focus.name and tuple(v.tensor.shape) == tuple(info.shape)]
    if same_shape:
        others = st.multiselect(tr("memory.compare", name=code(focus.name)), same_shape,
                                format_func=clean, key=f"{key}_order_with")
        if others:
            channels = 1 if len(info.shape) == 4 else None     # NCHW: colour by channel
            chart(order_figure(run, [focus.name, *others], channels, lang=lang()),
                  key=f"{key}_order")


def dtype_tables(run: Run) -> None:
    """The dtype table: the named tensors' dtypes, then each op's dtypes in and out."""
    for caption, rows in (("lessons.practice.dtype_tensors", tensor_table(run, lang())),
                          ("lessons.practice.dtype_ops", op_table(op_dtypes(run, lang()), lang()))):
        if rows:
            st.caption(tr(caption))
            st.dataframe(clean_rows(rows), hide_index=True, width="stretch")


@st.cache_resource(show_spinner=False)
def gradient_checks() -> RunCache:
    """The server's finished gradient checks, bounded in bytes; only lasting ones are kept."""
    return RunCache(CHECKS_BYTES, weigh=check_bytes, keep=lasting_check)


def cached_gradient_check(source: str, seed: int) -> GradCheck:
    return gradient_checks().get((source, seed), lambda: check_gradients(source, seed=seed))


def _gradcheck(run: Run, focus: VariableInfo | None, key: str) -> None:
    with st.spinner(tr("gradcheck.running")):
        check = cached_gradient_check(run.source, run.seed)
    message = gradcheck_message(_as_code(check), lang())
    if check.error is not None or not check.elements:
        st.caption(message or tr("gradcheck.nothing"))
        return
    verdict = st.success if check.passed else st.error if check.failures else st.warning
    verdict(message)                # warning: nothing disagreed, but not every element ran
    chart(gradcheck_figure(check, lang(), verdict=False), key=f"{key}_gradcheck")   # said once
    st.dataframe(clean_rows(gradcheck_table(check, lang())), hide_index=True, width="stretch")


def _as_code(check: GradCheck) -> GradCheck:
    """The check with the learner's words in its message (the root's name, the error's type)
    as code spans, for the Markdown the message is shown in."""
    fields = tuple((name, code(value) if isinstance(value, str) else value)
                   for name, value in check.message_fields)
    return dataclasses.replace(check, message_fields=fields)
