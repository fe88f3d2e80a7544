"""The gradient-check picture: autograd's gradient beside the finite-difference estimate, element
by element, with the error against the tolerance, so a wrong backward stands out in red.

Pure functions of a GradCheck (explorer.gradcheck): a table of rows and a Plotly figure."""
from __future__ import annotations

import dataclasses

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..gradcheck import ElementCheck, GradCheck, LeafCheck
from ..markup import plotly
from ..texts import DEFAULT_LANGUAGE, t

__all__ = ["element_label", "gradcheck_figure", "gradcheck_message", "gradcheck_table"]

PASS, FAIL, UNKNOWN = "#2e7d32", "#c62828", "#9e9e9e"


def element_label(check: GradCheck, element: ElementCheck) -> str:
    """e.g. "w[0, 1]", or "loss" for a one-element leaf of shape ()."""
    return _label(_leaves(check)[element.leaf], element)


def _label(leaf: LeafCheck, element: ElementCheck) -> str:
    return leaf.name + (f"[{', '.join(map(str, element.index))}]" if element.index else "")


def _leaves(check: GradCheck) -> dict:
    """leaf index -> its LeafCheck, built once per picture (not looked up once per element)."""
    return {leaf.index: leaf for leaf in check.leaves}


def gradcheck_message(check: GradCheck, lang: str = DEFAULT_LANGUAGE) -> str:
    """The one sentence summing up the check, in `lang` ("" when there is nothing to say);
    the check itself stays free of language, so one cached check serves every learner."""
    if not check.message_key:
        return ""
    text = t(f"view.gradcheck.message.{check.message_key}", lang, **dict(check.message_fields))
    if check.skipped:
        text += " " + t("view.gradcheck.message.skipped", lang, n=check.skipped)
    return text


def gradcheck_table(check: GradCheck, lang: str = DEFAULT_LANGUAGE) -> list[dict]:
    """One row per checked element, ready for st.dataframe; columns named in `lang`."""
    def word(key: str) -> str:
        return t(f"view.gradcheck.{key}", lang)

    rows, leaves = [], _leaves(check)
    for e in check.elements:
        leaf = leaves[e.leaf]
        rows.append({word("element"): _label(leaf, e), "dtype": leaf.dtype,
                     word("autograd"): e.autograd, word("finite_difference"): e.numeric,
                     word("abs_error"): e.abs_error, word("rel_error"): e.rel_error,
                     word("tolerance"): None if e.numeric is None else
                     leaf.atol + leaf.rtol * abs(e.numeric),
                     word("ok"): {True: "✓", False: "✗", None: "?"}[e.ok],
                     word("note"): word(f"notes.{e.note}") if e.note else ""})
    return rows


def gradcheck_figure(check: GradCheck, lang: str = DEFAULT_LANGUAGE, *,
                     verdict: bool = True) -> go.Figure:
    """Top: autograd and finite difference per element (they should sit on each other).
    Bottom: the absolute error beside the tolerance, on a log scale. `verdict` puts the
    check's message in the title (a page that already shows it beside the figure passes
    False). The legend sits above the plots, where no axis label can be under it. The
    learner's words (the root's text, the leaves' names) are drawn literally, never as
    Plotly's HTML."""
    check = _literal(check)
    leaves = _leaves(check)
    labels = [_label(leaves[e.leaf], e) for e in check.elements]
    colors = [{True: PASS, False: FAIL, None: UNKNOWN}[e.ok] for e in check.elements]
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                        subplot_titles=(t("view.gradcheck.derivative", lang, root=check.root),
                                        t("view.gradcheck.error_title", lang)))
    fig.add_trace(go.Bar(x=labels, y=[e.autograd for e in check.elements],
                         name=t("view.gradcheck.autograd", lang),
                         marker_color="#1f77b4", opacity=0.75), row=1, col=1)
    fig.add_trace(go.Scatter(x=labels, y=[e.numeric for e in check.elements],
                             name=t("view.gradcheck.finite_difference", lang), mode="markers",
                             marker={"symbol": "diamond", "size": 11, "color": colors,
                                     "line": {"width": 1, "color": "black"}}), row=1, col=1)
    errors = [None if e.abs_error is None else max(e.abs_error, 1e-16) for e in check.elements]
    tolerance = [None if e.numeric is None else
                 leaves[e.leaf].atol + leaves[e.leaf].rtol * abs(e.numeric)
                 for e in check.elements]
    fig.add_trace(go.Bar(x=labels, y=errors, name=t("view.gradcheck.abs_error", lang),
                         marker_color=colors),
                  row=2, col=1)
    fig.add_trace(go.Scatter(x=labels, y=tolerance, name=t("view.gradcheck.tolerance", lang),
                             mode="lines+markers",
                             line={"dash": "dash", "color": "black"}, marker={"size": 5}),
                  row=2, col=1)
    fig.update_yaxes(type="log", row=2, col=1)
    title = gradcheck_message(check, lang) if verdict else None
    fig.update_layout(barmode="overlay", height=560 if verdict else 520, font={"size": 16},
                      title={"text": title, "font": {"size": 15}, "y": 0.98, "yanchor": "top"},
                      legend={"orientation": "h", "yref": "container", "y": 0.9 if verdict else 1,
                              "yanchor": "top", "x": 0, "xanchor": "left"},
                      margin={"t": 150 if verdict else 90})
    return fig


def _literal(check: GradCheck) -> GradCheck:
    """The check with every text the learner chose made Plotly-safe."""
    leaves = tuple(dataclasses.replace(leaf, name=plotly(leaf.name)) for leaf in check.leaves)
    fields = tuple((name, plotly(value) if isinstance(value, str) else value)
                   for name, value in check.message_fields)
    return dataclasses.replace(check, root=plotly(check.root), leaves=leaves,
                               message_fields=fields)
