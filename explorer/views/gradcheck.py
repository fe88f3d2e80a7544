"""The gradient-check picture: autograd's gradient beside the finite-difference estimate, element
by element, with the error against the tolerance, so a wrong backward stands out in red.

Pure functions of a GradCheck (explorer.gradcheck): a table of rows and a Plotly figure."""
from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..gradcheck import ElementCheck, GradCheck

__all__ = ["element_label", "gradcheck_figure", "gradcheck_table"]

PASS, FAIL, UNKNOWN = "#2e7d32", "#c62828", "#9e9e9e"


def element_label(check: GradCheck, element: ElementCheck) -> str:
    """e.g. "w[0, 1]", or "loss" for a one-element leaf of shape ()."""
    leaf = _leaf(check, element)
    return leaf.name + (f"[{', '.join(map(str, element.index))}]" if element.index else "")


def _leaf(check: GradCheck, element: ElementCheck):
    return next(leaf for leaf in check.leaves if leaf.index == element.leaf)


def gradcheck_table(check: GradCheck) -> list[dict]:
    """One row per checked element, ready for st.dataframe."""
    rows = []
    for e in check.elements:
        leaf = _leaf(check, e)
        rows.append({"element": element_label(check, e), "dtype": leaf.dtype,
                     "autograd": e.autograd, "finite difference": e.numeric,
                     "abs error": e.abs_error, "rel error": e.rel_error,
                     "tolerance": None if e.numeric is None else
                     leaf.atol + leaf.rtol * abs(e.numeric),
                     "ok": {True: "✓", False: "✗", None: "?"}[e.ok], "note": e.note})
    return rows


def gradcheck_figure(check: GradCheck) -> go.Figure:
    """Top: autograd and finite difference per element (they should sit on each other).
    Bottom: the absolute error beside the tolerance, on a log scale."""
    labels = [element_label(check, e) for e in check.elements]
    colors = [{True: PASS, False: FAIL, None: UNKNOWN}[e.ok] for e in check.elements]
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                        subplot_titles=(f"d {check.root} / d element",
                                        "|autograd − finite difference|"))
    fig.add_trace(go.Bar(x=labels, y=[e.autograd for e in check.elements], name="autograd",
                         marker_color="#1f77b4", opacity=0.75), row=1, col=1)
    fig.add_trace(go.Scatter(x=labels, y=[e.numeric for e in check.elements],
                             name="finite difference", mode="markers",
                             marker={"symbol": "diamond", "size": 11, "color": colors,
                                     "line": {"width": 1, "color": "black"}}), row=1, col=1)
    errors = [None if e.abs_error is None else max(e.abs_error, 1e-16) for e in check.elements]
    tolerance = [None if e.numeric is None else
                 _leaf(check, e).atol + _leaf(check, e).rtol * abs(e.numeric)
                 for e in check.elements]
    fig.add_trace(go.Bar(x=labels, y=errors, name="abs error", marker_color=colors),
                  row=2, col=1)
    fig.add_trace(go.Scatter(x=labels, y=tolerance, name="tolerance", mode="lines+markers",
                             line={"dash": "dash", "color": "black"}, marker={"size": 5}),
                  row=2, col=1)
    fig.update_yaxes(type="log", row=2, col=1)
    fig.update_layout(barmode="overlay", height=520, font={"size": 16},
                      title=check.message, title_font={"size": 15},
                      legend={"orientation": "h", "y": -0.15}, margin={"t": 90})
    return fig
