"""Every test under tests/browser drives a real Chromium: marked ``browser``, so that
``pytest -m "not browser"`` is the quick local loop.

The fixtures the browser test modules share: Debian's chromium, a fresh ``streamlit run app.py``
per module on a database file that does not exist yet, and the Playwright browser.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.servers import streamlit_server

PROJECT_DIR = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def chromium_path() -> str:
    if not os.path.exists(CHROMIUM):
        message = f"chromium not found at {CHROMIUM}: browser tests need Debian's chromium package"
        if os.environ.get("CI"):
            pytest.fail(message + " (CI is set, so this is an error, not a skip)")
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="module")
def server(tmp_path_factory, chromium_path):
    """A fresh Streamlit server on a free port and a not-yet-existing SQLite file.

    Yields ``(base_url, db_path)``. Only /_stcore/health is polled before the tests, so the
    first *page* request is the one test A makes.
    """
    db_path = tmp_path_factory.mktemp("essdash-browser") / "essdash.db"
    assert not db_path.exists()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db_path}", "PYTHONUNBUFFERED": "1"}
    env.pop("ESSDASH_SEED", None)
    with streamlit_server("app.py", PROJECT_DIR, env, db_path.parent / "streamlit.log") as base_url:
        yield base_url, db_path


@pytest.fixture(scope="module")
def browser(chromium_path):
    try:
        from playwright import sync_api
    except ImportError:  # pragma: no cover - playwright is in requirements-dev.txt
        if os.environ.get("CI"):
            raise
        pytest.skip("playwright is not installed (pip install -r requirements-dev.txt)")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def page(browser):
    """A French browser page of 1400×1000, shared by a module's tests."""
    from tests.browser.support import WAIT_MS

    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def pytest_collection_modifyitems(items):
    here = __file__.rsplit("/", 1)[0]
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.browser)
