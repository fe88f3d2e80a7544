"""Hostile share links and forged probes (the fourteenth outside attack, F5 and F6): a URL's
number that is no number the page can use falls back to the default, as an out-of-range one
always did; a gradient-check probe naming a sentence the app does not have is refused where it
is decoded, and never shown or kept."""
from __future__ import annotations

import ast
import pathlib

import pytest
from streamlit.testing.v1 import AppTest

from explorer import wire
from explorer.gradcheck import PROBE_NOTES, Probe, gradient_check, lasting
from explorer.sandbox.limits import DEFAULT
from explorer.texts import LANGUAGES
from explorer.views.gradcheck import gradcheck_message

ROOT = pathlib.Path(__file__).resolve().parents[1]
ENTRY = str(ROOT / "streamlit_app.py")
CODE = "import torch\nprint(torch.rand(1))\n"


def playground(**params: str) -> AppTest:
    app = AppTest.from_file(ENTRY, default_timeout=90)
    for key, value in params.items():
        app.query_params[key] = value
    return app.run()


# ---- F5: a URL's seed that is no whole number in range ------------------------------------------
@pytest.mark.parametrize("seed", ["1e400", "-1e400", "inf", "-Infinity", "nan", "-5",
                                  "99999999999999999999", "2147483648", "seven"])
def test_a_share_links_unusable_seed_falls_back_to_0(seed):
    """?seed=1e400 ended the Playground in an uncaught OverflowError: Streamlit's query-param
    binding (1.67) turns it into float('inf') and then fails to make it an int."""
    app = playground(code=CODE, seed=seed)
    assert not app.exception, [e.value for e in app.exception]
    assert app.number_input(key="seed").value == 0
    assert "seed" not in app.query_params


@pytest.mark.parametrize("seed", ["7", "2147483647", "3.0"])
def test_a_share_links_seed_is_the_runs_seed(seed):
    app = playground(code=CODE, seed=seed)
    assert not app.exception
    assert app.number_input(key="seed").value == int(float(seed))
    assert app.query_params["seed"] == str(int(float(seed)))


def test_a_seed_typed_in_goes_into_the_url_and_back_to_0_leaves_it():
    app = playground(code=CODE)
    app.number_input(key="seed").set_value(12).run()
    assert app.query_params["seed"] == "12"
    app.number_input(key="seed").set_value(0).run()
    assert not app.exception and "seed" not in app.query_params


def test_no_number_input_on_any_page_is_bound_to_the_url():
    """Streamlit's own query-param binding lets infinity through to an OverflowError, so a
    number the URL carries is read by common.number_from_url instead (the Playground's seed)."""
    bound = []
    for path in [pathlib.Path(ENTRY), *sorted((ROOT / "app_pages").glob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "number_input" \
                    and any(k.arg == "bind" for k in node.keywords):
                bound.append(f"{path.name}:{node.lineno}")
    assert not bound


# ---- F6: a probe's note is one of the sentences a probe can mean ----------------------------------
FORGED = Probe(root="loss", note="no such key")
CHECKED = "import torch\nx = torch.ones(2, requires_grad=True)\nloss = (x * x).sum()\n"


def through_wire(probe: Probe):
    """What the server decodes when a run process sends `probe` (any run process may forge)."""
    return wire.decode(wire.encode(probe)[wire.HEADER.size:], Probe)


def test_a_probe_noting_a_sentence_the_app_does_not_have_is_refused_at_the_wire():
    with pytest.raises(wire.WireError, match="note"):
        through_wire(FORGED)
    for note in PROBE_NOTES:
        assert through_wire(Probe(root="loss", note=note)).note == note


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_note_a_probe_may_send_is_a_sentence_in_every_language(lang):
    for note in PROBE_NOTES - {""}:
        check = gradient_check(Answering(Probe(root="loss", note=note)), CHECKED,
                               limits=DEFAULT, time_budget=60)
        assert check.message_key == note and gradcheck_message(check, lang)


class Answering:
    """A pool whose run process answers every probe with `probe`, past the wire (a test pool,
    or a decoder that let it through)."""
    size = 2

    def __init__(self, probe) -> None:
        self.probe = probe

    def call(self, *args, **kwargs):
        return self.probe


def test_a_forged_note_past_the_wire_is_a_garbled_run_and_not_kept():
    """gradient_check passed the note on as the check's message key before it looked at the
    probe: the Gradient check tab raised KeyError, and the check was kept as lasting."""
    check = gradient_check(Answering(FORGED), CHECKED, limits=DEFAULT, time_budget=60)
    assert check.error is not None and check.message_key == "stopped"
    assert gradcheck_message(check) and not lasting(check)


def test_the_gradient_check_tab_of_a_forged_probe_says_so_and_keeps_nothing(monkeypatch):
    import app_pages.pictures as pictures
    monkeypatch.setattr(pictures, "check_gradients", lambda source, seed=0, **kwargs:
                        gradient_check(Answering(FORGED), source, seed=seed, limits=DEFAULT,
                                       time_budget=60))
    app = playground(code=CHECKED + "# forged probe\n", view="gradcheck")
    assert not app.exception, [e.value for e in app.exception]
    assert any("stopped with `RuntimeError`" in c.value for c in app.caption), [c.value for c in app.caption]
    assert (CHECKED + "# forged probe\n", 0) not in pictures.gradient_checks()
