"""Fixtures tests share: one `streamlit run` and one headless Chromium per test module
(Chromium comes from Debian's package; see e2e_server.py), and a pool of workers running real
PyTorch (compare mode)."""
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


@pytest.fixture(scope="module")
def torch_pool():
    """Workers whose snapshot task runs real PyTorch (their run task is the engine's)."""
    pytest.importorskip("torch")
    from explorer.sandbox.pool import WorkerPool
    workers = WorkerPool(size=1, backend="torch")
    yield workers
    workers.close()
