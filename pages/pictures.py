"""The pictures of a Run laid out with Streamlit widgets; every picture itself comes from explorer.views.

Playground tabs and lesson cells both call `show`, so a lesson draws exactly what the Playground
would draw for the same code."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from explorer import GradCheck, Run, check_gradients
from explorer.model import VariableInfo
from explorer.views.broadcast import (
    broadcast_failures,
    broadcast_steps,
    expansion_figure,
    failure_figure,
    gradient_sums,
)
from explorer.views.chain import chain_text, grad_fn_chain
from explorer.views.gradcheck import gradcheck_figure, gradcheck_table
from explorer.views.graph import graph_dot
from explorer.views.memory import layout_summary, memory_figure
from explorer.views.steps import backward_steps, steps_table
from pages.common import presenting, tr

KINDS = ("graph", "chain", "steps", "broadcast", "memory", "gradcheck")


def show_outcome(run: Run, source: str) -> None:
    """The error panel (PyTorch's first line, the learner's line, why), printed output, result."""
    if run.error is not None:
        where = tr("error.at_line", line=run.error.line) if run.error.line else ""
        st.error(f"**{run.error.type}**{where}: {run.error.message}")
        lines = source.splitlines()
        if run.error.line and 0 < run.error.line <= len(lines):
            st.code(f"{run.error.line:>3} | {lines[run.error.line - 1]}", language="python")
        if run.error.explanation:
            st.info(run.error.explanation)
    if run.stdout:
        st.code(run.stdout, language="text")
    if run.output_truncated:
        st.caption(tr("output.truncated"))
    if run.result is not None:
        st.code(run.result, language="text")


def tensor_variables(run: Run) -> list[VariableInfo]:
    return [v for v in run.variables if v.tensor is not None]


def variables_frame(run: Run) -> pd.DataFrame:
    rows = []
    for var in tensor_variables(run):
        info = var.tensor
        rows.append({
            tr("vars.name"): var.name, "shape": str(tuple(info.shape)),
            "dtype": info.dtype.replace("torch.", ""), "stride": str(tuple(info.stride)),
            "requires_grad": info.requires_grad, "is_leaf": info.is_leaf,
            "grad_fn": info.grad_fn or "", "contiguous": info.is_contiguous,
        })
    return pd.DataFrame(rows)


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


def _graph(run: Run, focus: VariableInfo | None, key: str) -> None:
    if not run.graph.ops:
        st.caption(tr("graph.empty"))
        return
    left, right = st.columns(2)
    direction = left.segmented_control(
        tr("graph.direction"), ["forward", "backward"], default="forward", required=True,
        format_func=lambda d: tr(f"graph.{d}"), key=f"{key}_direction")
    show_values = right.toggle(tr("graph.values"), value=True, key=f"{key}_values")
    dot = graph_dot(run, direction=direction, show_values=show_values)
    st.graphviz_chart(dot, height=720 if presenting() else 480)


def _chain(run: Run, focus: VariableInfo | None, key: str) -> None:
    if focus is None or not focus.tensor.grad_fn:
        st.caption(tr("chain.none", name=focus.name if focus else "—"))
        return
    st.caption(tr("chain.of", name=focus.name))
    st.code(chain_text(grad_fn_chain(run, focus.tensor.id)), language="text")


def _steps(run: Run, focus: VariableInfo | None, key: str) -> None:
    if not run.backward:
        st.caption(tr("steps.none"))
        return
    st.dataframe(steps_table(backward_steps(run)), hide_index=True, width="stretch")


def _broadcast(run: Run, focus: VariableInfo | None, key: str) -> None:
    failures, stretched = broadcast_failures(run), broadcast_steps(run)
    for n, failure in enumerate(failures):
        st.plotly_chart(failure_figure(failure), key=f"{key}_failure_{n}")
        st.caption(failure.explanation)
    if not stretched and not failures:
        st.caption(tr("broadcast.none"))
    for n, step in enumerate(stretched):
        shapes = "  ".join(f"{o.name}: {o.shape} → {o.padded}" for o in step.operands)
        st.caption(tr("broadcast.step", line=step.line, shapes=shapes, result=step.result_shape))
        st.plotly_chart(expansion_figure(run, step), key=f"{key}_broadcast_{n}")
    for row in gradient_sums(run):
        st.caption(tr("broadcast.summed", node=row["node"], operand=row["operand"],
                      before=row["from"], after=row["to"]))


def _memory(run: Run, focus: VariableInfo | None, key: str) -> None:
    if focus is None:
        st.caption(tr("memory.none"))
        return
    st.caption(layout_summary(focus.tensor))
    st.plotly_chart(memory_figure(run, focus.tensor.storage_id), key=f"{key}_memory")


@st.cache_data(show_spinner=False, max_entries=128)
def cached_gradient_check(source: str, seed: int) -> GradCheck:
    return check_gradients(source, seed=seed)


def _gradcheck(run: Run, focus: VariableInfo | None, key: str) -> None:
    with st.spinner(tr("gradcheck.running")):
        check = cached_gradient_check(run.source, run.seed)
    if check.error is not None or not check.elements:
        st.caption(check.message or tr("gradcheck.nothing"))
        return
    verdict = st.success if check.passed else st.error if check.failures else st.warning
    verdict(check.message)          # warning: nothing disagreed, but not every element ran
    st.plotly_chart(gradcheck_figure(check), key=f"{key}_gradcheck")
    st.dataframe(gradcheck_table(check), hide_index=True, width="stretch")
