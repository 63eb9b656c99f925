"""``python -m essdash load``'s core against a real ``streamlit run app.py``: a few Streamlit sessions
over websockets (no browser) on a copy of the demo database, every page run timed and none failing.

It starts a Streamlit server, so it lives here with the browser tests (marked ``browser``); it
asserts nothing about speed.
"""

from __future__ import annotations

import os
import statistics
from pathlib import Path

from essdash.tools import load
from tests.browser.servers import streamlit_server

PROJECT_DIR = Path(__file__).resolve().parents[2]
PAGES = ("projets", "carte", "indicateurs")


def test_a_few_sessions_run_pages_with_filters_without_error(demo_copy, tmp_path):
    env = {**os.environ, "DATABASE_URL": demo_copy, "ESSDASH_MODE": "local"}
    with streamlit_server("app.py", PROJECT_DIR, env, tmp_path / "streamlit.log") as base_url:
        figures = load.measure(base_url, sessions=3, seconds=5, pause=0.2, pages=PAGES)

    assert figures.errors == []
    assert figures.single and figures.crowd
    assert {run.session for run in figures.single} == {0}
    assert {run.session for run in figures.crowd} == {1, 2, 3}
    for run in figures.single + figures.crowd:
        assert run.page in PAGES
        assert run.query in load.FILTERS
        assert run.seconds > 0
    durations = [run.seconds for run in figures.crowd]
    assert figures.median == statistics.median(durations)  # the figures are those of the timed runs
    assert figures.p95 in durations  # nearest rank: one of the runs
    assert figures.ratio == figures.p95 / figures.single_median
    report = figures.report()
    assert "3 sessions simultanées" in report
    assert "0 erreur" in report
