"""Training curves, drawn from the StepRecords `explorer.training.train` yields: the loss (and
accuracy) per step, each layer's gradient norm per step, and the decision boundary with the
points. Colour carries the class and the layer; the type is large enough to project."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ..texts import DEFAULT_LANGUAGE, t
from ..training import Boundary, StepRecord

__all__ = [
    "CLASS_COLOURS",
    "boundary_colourscale",
    "boundary_figure",
    "grad_norm_figure",
    "loss_figure",
]

CLASS_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e")
LAYER_COLOURS = ("#636efa", "#ef553b", "#00cc96", "#ab63fa", "#ffa15a", "#19d3f3")
FONT = {"size": 18}
ACCURACY_TICKS = (0.0, 0.25, 0.5, 0.75, 1.0)
LOSS_COLOUR, ACCURACY_COLOUR = "#d62728", "#2ca02c"


def _style(figure: go.Figure, title: str, x_title: str, y_title: str) -> go.Figure:
    figure.update_layout(title=title, font=FONT, height=420, legend={"font": FONT},
                         margin={"l": 10, "r": 10, "t": 60, "b": 10},
                         xaxis_title_text=x_title, yaxis_title_text=y_title)
    return figure


def loss_figure(records: list[StepRecord], lang: str = DEFAULT_LANGUAGE) -> go.Figure:
    """Loss per step (left axis) and training accuracy (right axis, dotted)."""
    steps = [r.step for r in records]
    figure = go.Figure([
        go.Scatter(x=steps, y=[r.loss for r in records], name=t("figures.loss", lang),
                   line={"color": LOSS_COLOUR, "width": 4}),
        go.Scatter(x=steps, y=[r.accuracy for r in records], name=t("figures.accuracy", lang),
                   yaxis="y2", hovertemplate="%{y:.1%}",
                   line={"color": ACCURACY_COLOUR, "width": 3, "dash": "dot"})])
    _style(figure, t("figures.loss_title", lang), t("figures.step", lang),
           t("figures.cross_entropy", lang))
    # Accuracy in percent, 0 % to 100 % in quarters: left to itself the right axis took its
    # ticks from the loss axis (0.021, 0.195, ...). Each axis names its line in the line's
    # colour, so no legend is needed: on the right it covered the accuracy axis ("10"), above
    # the plot it ran into the title on a phone.
    figure.update_layout(
        showlegend=False, yaxis_title_font_color=LOSS_COLOUR,
        yaxis2={"title": {"text": t("figures.accuracy", lang),
                          "font": {"color": ACCURACY_COLOUR}},
                "overlaying": "y", "side": "right", "range": [0, 1.02], "tickmode": "array",
                "tickvals": ACCURACY_TICKS, "tickformat": ".0%", "showgrid": False})
    return figure


def grad_norm_figure(records: list[StepRecord], lang: str = DEFAULT_LANGUAGE) -> go.Figure:
    """One line per layer: the L2 norm of its gradients at each step (log scale, since early
    layers' gradients can be orders of magnitude smaller)."""
    figure = go.Figure()
    names = list(records[0].grad_norms) if records else []
    steps = [r.step for r in records]
    for k, name in enumerate(names):
        colour = LAYER_COLOURS[k % len(LAYER_COLOURS)]
        figure.add_trace(go.Scatter(x=steps, y=[r.grad_norms[name] for r in records], name=name,
                                    line={"color": colour, "width": 3}))
    _style(figure, t("figures.grad_norm_title", lang), t("figures.step", lang), "‖grad‖")
    figure.update_layout(yaxis_type="log", yaxis_dtick=1)   # label powers of ten only
    return figure


def _lighten(colour: str, amount: float) -> str:
    rgb = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)], dtype=float)
    mixed = rgb + (255 - rgb) * amount
    return "rgb({:.0f},{:.0f},{:.0f})".format(*mixed)


def boundary_colourscale(classes: int) -> list:
    """Class k owns the band [k, k+1) of z: near white where the model is unsure, its own
    (light) colour where it is certain."""
    scale = []
    for k in range(classes):
        colour = CLASS_COLOURS[k % len(CLASS_COLOURS)]
        scale += [[k / classes, _lighten(colour, 0.92)],
                  [(k + 0.999) / classes, _lighten(colour, 0.45)]]
    scale[-1][0] = 1.0
    return scale


def boundary_figure(boundary: Boundary, x: np.ndarray, y: np.ndarray,
                    step: int | None = None, lang: str = DEFAULT_LANGUAGE) -> go.Figure:
    """The predicted class over the plane (shaded by confidence), with the data points on top
    in their true class's colour."""
    classes = int(max(y.max(), boundary.label.max())) + 1
    floor = 1.0 / classes                 # the least confidence a prediction can have
    shade = (boundary.confidence - floor) / (1.0 - floor)
    z = boundary.label + np.clip(shade, 0.0, 0.999)
    figure = go.Figure(go.Heatmap(x=boundary.xs, y=boundary.ys, z=z, zmin=0, zmax=classes,
                                  colorscale=boundary_colourscale(classes), showscale=False,
                                  customdata=boundary.confidence,
                                  hovertemplate="class %{z:d}, p=%{customdata:.2f}"
                                                "<extra></extra>"))
    for k in range(classes):
        mine = y == k
        marker = {"color": CLASS_COLOURS[k % len(CLASS_COLOURS)], "size": 9,
                  "line": {"color": "white", "width": 1}}
        figure.add_trace(go.Scatter(x=x[mine, 0], y=x[mine, 1], mode="markers",
                                    name=t("figures.class", lang, k=k), marker=marker))
    title = t("figures.boundary_title", lang) if step is None else \
        t("figures.boundary_at", lang, step=step)
    _style(figure, title, "x₁", "x₂")
    figure.update_layout(height=560, yaxis_scaleanchor="x", yaxis_scaleratio=1)
    return figure
