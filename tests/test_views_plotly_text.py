"""Plotly reads a subset of HTML in every text it draws (`<a href>` makes a link, a style can
fetch a URL), so learner text reaches a figure as entities: shown literally, never as markup."""
from __future__ import annotations

import json

from explorer.gradcheck import ElementCheck, GradCheck, LeafCheck
from explorer.views.gradcheck import gradcheck_figure

HOSTILE = "<a href='http://127.0.0.1:9/x'>x</a><span style='fill:url(http://127.0.0.1:9/y)'>"


def test_the_gradient_check_figure_draws_learner_text_literally():
    leaf = LeafCheck(0, HOSTILE, (1,), "torch.float32", 1, 1, 1e-3, 1e-2, 1e-2)
    element = ElementCheck(0, (0,), 1.0, 1.0, 0.0, 0.0, True)
    check = GradCheck("s", 0, HOSTILE, 3, 1.0, (leaf,), (element,),
                      message_key="agree", message_fields=(("total", 1), ("root", HOSTILE)))
    text = json.dumps(gradcheck_figure(check).to_plotly_json())
    assert "<a " not in text and "<span" not in text
    assert "&lt;a href='http://127.0.0.1:9/x'&gt;" in text


def test_a_broadcast_failure_draws_its_message_literally():
    from explorer.views.broadcast import BroadcastFailure, failure_figure
    message = ("The size of tensor a (5) must match the size of tensor b (4) at non-singleton "
               "dimension 1 " + HOSTILE)
    failure = BroadcastFailure("add", 3, ((4, 5), (4,)), ((4, 5), (1, 4)), (1,), 1, False, None,
                               message, "")
    text = json.dumps(failure_figure(failure).to_plotly_json())
    assert "<a " not in text and "<span style='fill" not in text
    assert "&lt;a href='http://127.0.0.1:9/x'&gt;" in text.replace("<br>", " ")
