"""Fixtures the browser tests share: one `streamlit run` and one headless Chromium per test
module (Chromium comes from Debian's package; see e2e_server.py)."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from e2e_server import chromium_browser, streamlit_server


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    """The base URL of a real Streamlit server running the app on loopback."""
    with streamlit_server() as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium through Playwright."""
    with chromium_browser() as chromium:
        yield chromium
