"""The tests of deploy/ (marked ``proxy``): nginx in front of several app processes on one PostgreSQL
base, driven in Chromium (those are marked ``browser`` too, so the quick loop ``-m "not browser"``
leaves them out).

They need PostgreSQL (``ESSDASH_TEST_DATABASE``: several processes share one base) and nginx; without
them they are skipped with the reason, and are a failure when ``CI`` is set. ``.ci/run`` runs them in
its PostgreSQL pass (``-m "not browser or proxy"``) and leaves them out of its SQLite pass
(``-m "not proxy"``), so neither pass skips them silently.
"""

from __future__ import annotations

import os

import pytest

from tests.browser.conftest import browser, chromium_path  # noqa: F401 (the browser tests' fixtures)
from tests.deploy.proxy import nginx_path
from tests.fixtures.stores import on_server


def _missing(message: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(message + " (CI is set, so this is an error, not a skip)")
    pytest.skip(message)


@pytest.fixture(scope="module")
def nginx() -> str:
    path = nginx_path()
    if path is None:
        _missing("nginx not found: the proxy tests need Debian's nginx package")
    return path


@pytest.fixture(scope="module")
def postgresql() -> None:
    if not on_server():
        _missing("the proxy test needs PostgreSQL: set ESSDASH_TEST_DATABASE (as .ci/run's PostgreSQL pass does)")


def pytest_collection_modifyitems(items):
    here = __file__.rsplit("/", 1)[0]
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.proxy)
