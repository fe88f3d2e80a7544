"""Regenerate the pictures in docs/pictures from the course examples and the gallery of real
programs (tests/gallery): `python docs/make_pictures.py`.

Each PNG is drawn by the same explorer view the app calls, from a real run_code of a course
example, so the README shows exactly what the app shows. Graphviz draws the graphs; Plotly's
kaleido draws the figures through the system Chromium (BROWSER_PATH)."""
from __future__ import annotations

import os
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("BROWSER_PATH", "/usr/bin/chromium")

from explorer import check_gradients, run_code
from explorer.training import TrainConfig, make_dataset, step_source, train
from explorer.views.broadcast import (
    broadcast_failures,
    broadcast_steps,
    expansion_figure,
    failure_figure,
)
from explorer.views.export import dot_to_png
from explorer.views.gradcheck import gradcheck_figure
from explorer.views.graph import graph_picture, module_paths, scoped
from explorer.views.memory import (
    memory_figure,
    order_figure,
    tensor_named,
    view_check,
    view_figure,
)
from explorer.views.training import boundary_figure, grad_norm_figure, loss_figure

EXAMPLES = ROOT / "tests" / "course_examples"
GALLERY = ("mlp_training", "cnn_batchnorm_dropout", "rnn_by_hand", "long_loop", "attention",
           "failing_program", "linear_regression")
OUT = ROOT / "docs" / "pictures"


def example(name: str):
    return run_code((EXAMPLES / f"{name}.py").read_text())


def save_graph(name: str, dot: str) -> None:
    (OUT / f"{name}.png").write_bytes(dot_to_png(dot, dpi=110))


def save_figure(name: str, figure, width: int = 1100) -> None:
    figure.write_image(OUT / f"{name}.png", width=width, scale=1)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    graph = example("22_computation_graph")
    save_graph("graph_forward", graph_picture(graph, show_values=True).dot)
    save_graph("graph_backward_step", graph_picture(graph, direction="backward", step=2).dot)
    save_graph("graph_modules", graph_picture(run_code(step_source(TrainConfig())),
                                              collapse=True, show_values=True).dot)

    for name in GALLERY:        # real programs, drawn as the Graph tab draws them by default
        run = run_code((ROOT / "tests" / "gallery" / f"{name}.py").read_text())
        scope = scoped(run, len(run.backward) - 1 if run.backward else None)
        save_graph(f"gallery_{name}", graph_picture(scope, show_values=True,
                                                    collapse=bool(module_paths(scope))).dot)

    broadcasting = example("18_broadcasting")
    save_figure("broadcast_expansion", expansion_figure(broadcasting,
                                                        broadcast_steps(broadcasting)[0]))
    mismatch = example("19_mistake_broadcast_mismatch")
    save_figure("broadcast_failure", failure_figure(broadcast_failures(mismatch)[0]))

    views = run_code("import torch\nx = torch.arange(6).view(2, 3)\nt = x.t()\n")
    t = tensor_named(views, "t")
    save_figure("memory_storage", memory_figure(views, t.storage_id))
    save_figure("memory_view_fails", view_figure(view_check(t), "t"))
    layout = example("14_nchw_nhwc_layout")
    save_figure("memory_nchw_channels_last", order_figure(layout, ["x", "cl"], colour_dim=1))

    save_figure("gradcheck", gradcheck_figure(check_gradients(
        (EXAMPLES / "21_autograd_basics.py").read_text())))

    config = TrainConfig(steps=300, boundary_every=299)
    records = list(train(config))
    save_figure("training_loss", loss_figure(records))
    save_figure("training_grad_norms", grad_norm_figure(records))
    save_figure("training_boundary", boundary_figure(records[-1].boundary, *make_dataset(
        config.dataset, config.n_points, config.noise, config.seed), step=records[-1].step),
        width=800)
    print("\n".join(sorted(p.name for p in OUT.glob("*.png"))))


if __name__ == "__main__":
    main()
