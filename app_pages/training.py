"""Training: a small MLP learns a toy 2-D data set while the loss, the gradient norms and the
decision boundary are drawn live; below, the graph of one training step, collapsed by module."""
from __future__ import annotations

import contextlib
import math
import time

import streamlit as st

from app_pages import pictures
from app_pages.code_box import code_box
from app_pages.common import apply_page_style, cached_run, finished_runs, lang, tr
import explorer.training
from explorer.training import (
    ACTIVATIONS,
    DATASETS,
    OPTIMIZERS,
    TrainConfig,
    Training,
    claim_training,
    make_dataset,
    release_training,
    step_source,
    train,
)
from explorer.views.training import boundary_figure, grad_norm_figure, loss_figure

LEARNING_RATES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
REDRAWS = 20            # decision boundaries per training run
REDRAW_SECONDS = 0.4    # at most one live redraw this often
SLOT_WAIT = 60.0        # seconds a learner waits for another learner's training to end
REPLAY_SECONDS = 2.0    # a finished training, trained again with the same settings, replays

apply_page_style()
st.title(tr("training.title"))
st.markdown(tr("training.intro"))


def page_config(dataset: str, n_points: int, noise: float, depth: int, width: int,
                activation: str, optimizer: str, lr: float, steps: int, seed: int) -> TrainConfig:
    return TrainConfig(dataset=dataset, n_points=n_points, noise=noise, hidden=(width,) * depth,
                       activation=activation, optimizer=optimizer, lr=lr, steps=steps,
                       seed=int(seed), boundary_every=max(1, steps // REDRAWS))


# What the page opens on, and every visitor sees first: the form's defaults, and the one
# finished training never pushed out of the replay store by other settings.
DEFAULT = page_config("spiral", 300, 0.1, 2, 16, "tanh", "adam", 0.01, 300, 0)

with st.form("training"):
    data_col, model_col, optim_col = st.columns(3)
    dataset = data_col.selectbox(tr("training.dataset"), list(DATASETS),
                                 index=list(DATASETS).index(DEFAULT.dataset),
                                 format_func=lambda d: tr(f"training.datasets.{d}"))
    n_points = data_col.slider(tr("training.points"), 60, 600, DEFAULT.n_points, step=30)
    noise = data_col.slider(tr("training.noise"), 0.0, 0.5, DEFAULT.noise, step=0.05)
    depth = model_col.slider(tr("training.layers"), 1, 3, len(DEFAULT.hidden))
    width = model_col.select_slider(tr("training.width"), [4, 8, 16, 32, 64],
                                    value=DEFAULT.hidden[0])
    activation = model_col.selectbox(tr("training.activation"), list(ACTIVATIONS),
                                     index=list(ACTIVATIONS).index(DEFAULT.activation))
    optimizer = optim_col.selectbox(tr("training.optimizer"), OPTIMIZERS,
                                    index=OPTIMIZERS.index(DEFAULT.optimizer),
                                    format_func=lambda o: tr(f"training.optimizers.{o}"))
    lr = optim_col.select_slider(tr("training.lr"), LEARNING_RATES, value=DEFAULT.lr)
    steps = optim_col.slider(tr("training.steps"), 50, 2000, DEFAULT.steps, step=50)
    seed = optim_col.number_input(tr("training.seed"), 0, 2**31 - 1, DEFAULT.seed)
    submitted = st.form_submit_button(tr("training.train"), type="primary")

config = page_config(dataset, n_points, noise, depth, width, activation, optimizer, lr, steps,
                     seed)


def chart_slots() -> tuple:
    """Where the loss, the gradient norms (side by side) and the boundary (below) are drawn."""
    curves = st.columns(2)
    return curves[0].empty(), curves[1].empty(), st.empty()


def draw_charts(slots: tuple, records: list, boundary, data: tuple) -> None:
    loss_slot, norm_slot, boundary_slot = slots
    loss_slot.plotly_chart(loss_figure(records, lang()))
    norm_slot.plotly_chart(grad_norm_figure(records, lang()))
    boundary_slot.plotly_chart(boundary_figure(boundary, *data, step=records[-1].step,
                                               lang=lang()))


def train_live(config: TrainConfig, finished: Training | None = None) -> Training:
    """Train while drawing the curves and the boundary as they grow, at most one redraw per
    REDRAW_SECONDS (each redraw makes the browser lay out three Plotly charts again); a
    `finished` training of the same config is replayed the same way, without computing."""
    data = finished.data if finished else make_dataset(config.dataset, config.n_points,
                                                         config.noise, config.seed)
    progress = st.progress(0.0, text=tr("training.progress", step=0, steps=config.steps))
    slots = chart_slots()
    records, boundary, drawn, shown = [], None, -math.inf, 0
    # closed here, in the training slot, when the page is stopped mid-training: not later by
    # the garbage collector, when giving BLAS back its threads would lift the next training's
    # one-thread limit
    steps = contextlib.nullcontext(finished.records) if finished else \
        contextlib.closing(train(config, data))
    with steps as records_in_turn:
        for record in records_in_turn:
            records.append(record)
            boundary = record.boundary or boundary
            if record.boundary is not None and time.monotonic() - drawn > REDRAW_SECONDS:
                progress.progress((record.step + 1) / config.steps,
                                  text=tr("training.progress", step=record.step + 1,
                                          steps=config.steps))
                draw_charts(slots, records, boundary, data)
                drawn, shown = time.monotonic(), len(records)
            if finished and record.boundary is not None:
                time.sleep(REPLAY_SECONDS / (REDRAWS + 1))
    if shown < len(records):        # the last step, when it came too soon after a redraw
        draw_charts(slots, records, boundary, data)
    progress.empty()
    cut = records[-1].step < config.steps - 1
    return finished or Training(tuple(records), boundary, data, cut=cut)


training = finished_runs().get(config)
if training is None:
    if not claim_training(0):
        with st.spinner(tr("training.waiting")):
            if not claim_training(SLOT_WAIT):
                st.warning(tr("training.busy"))
                st.stop()
    try:
        training = train_live(config)
    finally:
        release_training()
    # a cut one too: not computed again per rerun; but a cut default (a busy server) is not
    # kept for good
    finished_runs().put(config, training, keep=config == DEFAULT and not training.cut)
elif submitted:
    train_live(config, training)      # the same config trains the same way: replay it
else:
    draw_charts(chart_slots(), list(training.records), training.boundary, training.data)

last = training.records[-1]
if training.cut:
    st.warning(tr("training.cut", step=last.step + 1, steps=config.steps,
                  seconds=f"{explorer.training.CPU_SECONDS:g}"))
st.caption(tr("training.final", loss=f"{last.loss:.4f}", accuracy=f"{last.accuracy:.1%}"))

st.subheader(tr("training.one_step"))
source = step_source(config)
with st.expander(tr("training.step_code")):
    code_box(source)
run = cached_run(source, 0)
pictures.show("graph", run, pictures.focused(run, "loss"), key="training_step")
