"""The page frame reads little before a page reads its own data: the dataset's description and one
« selection context » (territories, communes, reference days, plans), counted by wrapping the data
cache's reads while :func:`essdash.ui.frame.page_frame` runs, whatever the URL names."""

from __future__ import annotations

import pytest

from essdash.ui import cache, frame

# The cached reads the frame makes: queries.dataset_info and selection.choices.
FRAME_READS = 2


@pytest.fixture
def frame_reads(monkeypatch):
    """The (module, function) of every cached read made while a page's frame runs."""
    seen: list[tuple[str, str]] = []
    inside = [False]
    cached, page_frame = cache._cached, frame.page_frame

    def counting(module, name, *args, **kwargs):
        if inside[0]:
            seen.append((module, name))
        return cached(module, name, *args, **kwargs)

    def framed(*args, **kwargs):
        inside[0] = True
        try:
            return page_frame(*args, **kwargs)
        finally:
            inside[0] = False

    monkeypatch.setattr(cache, "_cached", counting)
    monkeypatch.setattr(frame, "page_frame", framed)
    return seen


@pytest.mark.parametrize(
    "params",
    [{}, {"territoire": "roubaisien", "commune": "59512"}, {"au": "2013-12-31", "plan": "INCONNU"}],
    ids=["default", "place", "past-day-unknown-plan"],
)
def test_a_page_run_makes_few_metadata_reads_before_its_data(app, frame_reads, params):
    at = app("pages/synthese.py", **params)
    assert not at.exception
    assert len(frame_reads) <= FRAME_READS, frame_reads
    assert ("essdash.read.selection", "choices") in frame_reads
