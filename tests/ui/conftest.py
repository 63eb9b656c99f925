"""Fixtures of the page tests: what a page hands to its download buttons."""

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager


@pytest.fixture
def downloads(monkeypatch):
    """What the page hands to its download buttons, by file name (deferred ones are generated on demand)."""
    sent = {}
    add, add_deferred = MediaFileManager.add, MediaFileManager.add_deferred

    def eager(self, data, mimetype, coordinates, file_name=None, is_for_static_download=False):
        sent[file_name] = lambda: data
        return add(
            self, data, mimetype, coordinates, file_name=file_name, is_for_static_download=is_for_static_download
        )

    def deferred(self, callable_, mimetype, coordinates, file_name=None, element_id=""):
        sent[file_name] = callable_
        return add_deferred(self, callable_, mimetype, coordinates, file_name=file_name, element_id=element_id)

    monkeypatch.setattr(MediaFileManager, "add", eager)
    monkeypatch.setattr(MediaFileManager, "add_deferred", deferred)
    return sent
