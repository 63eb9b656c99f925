"""Every test under tests/browser drives a real Chromium: marked ``browser``, so that
``pytest -m "not browser"`` is the quick local loop."""

import pytest


def pytest_collection_modifyitems(items):
    here = __file__.rsplit("/", 1)[0]
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.browser)
