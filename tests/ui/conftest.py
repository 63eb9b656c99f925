"""Fixtures of the page tests: what a page hands to its download buttons; the keys of the pages'
lazy tab sets and folded forms."""

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager

# The key of each page's lazy tab set (:func:`essdash.ui.lazy.tabs`).
TAB_KEYS = {
    "pages/comite.py": "c_tab",
    "pages/donnees.py": "d_tab",
    "pages/equite.py": "e_tab",
    "pages/financements.py": "f_tab",
    "pages/indicateurs.py": "i_tab",
}
# The folded forms of each page (:func:`essdash.ui.lazy.folded`), unfolded.
UNFOLDED = {
    "pages/comite.py": {"c_new_meeting_open": True},
    "pages/plan.py": {"co_open": True},
    "pages/projets.py": {"p_new_open": True},
}


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
