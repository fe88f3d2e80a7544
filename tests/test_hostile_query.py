"""Hostile share links (the fourteenth outside attack, F5): a URL's number that is no number the
page can use falls back to the default, as an out-of-range one always did."""
from __future__ import annotations

import ast
import pathlib

import pytest
from streamlit.testing.v1 import AppTest

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
