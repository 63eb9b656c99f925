"""The tests of deploy/: nginx's configuration (any run; Debian's nginx is needed) and the deployment
itself (``test_proxy.py``, marked ``proxy`` and ``browser``): nginx in front of several app processes
on one PostgreSQL base, driven in Chromium.

The deployment needs a base that several processes share, so it belongs to the PostgreSQL run
(``ESSDASH_TEST_DATABASE`` set; ``.ci/run``'s second pass, ``-m "not browser or proxy"``); a run on
SQLite deselects it at collection (counted in pytest's « deselected »). A missing nginx is a failure.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import browser, chromium_path  # noqa: F401 (the browser tests' fixtures)
from tests.deploy.proxy import nginx_path
from tests.fixtures.stores import on_server


@pytest.fixture(scope="module")
def nginx() -> str:
    path = nginx_path()
    if path is None:
        pytest.fail("nginx not found: the deploy tests need Debian's nginx package (.ci/run installs it)")
    return path


def pytest_collection_modifyitems(config, items):
    """On SQLite, deselect the deployment's tests (marked ``proxy``): they need a shared server base."""
    deployment = [item for item in items if item.get_closest_marker("proxy")]
    if deployment and not on_server():
        config.hook.pytest_deselected(items=deployment)
        items[:] = [item for item in items if item not in deployment]
