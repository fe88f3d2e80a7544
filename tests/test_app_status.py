"""The sidebar's sandbox status line says which kernel walls the run processes raised, as the
runs themselves report it (AppTest through the real entry point)."""
from __future__ import annotations

import os
import pathlib

from streamlit.testing.v1 import AppTest

from explorer import sandbox_layers
from explorer.texts import t

ENTRY = str(pathlib.Path(__file__).resolve().parents[1] / "streamlit_app.py")


def test_the_status_line_names_the_layers_that_are_off():
    app = AppTest.from_file(ENTRY, default_timeout=90)
    app.query_params["code"] = "print(1)"
    app.run()
    app.run()          # the sidebar is drawn before the page's first run reports its layers
    layers = sandbox_layers()
    assert layers, "no run reported its sandbox layers"
    off = [name for name, state in layers.items() if state != "on"]
    if os.geteuid() == 0:
        assert off == []
    else:
        assert "uid" in off
    expected = t("app.sandbox_off", "en", layers=", ".join(off)) if off else \
        t("app.sandbox_on", "en")
    assert expected in [c.value for c in app.sidebar.caption]
