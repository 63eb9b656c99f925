"""Shared fixtures: temporary databases built by code, and AppTest through the real entry point."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from essdash.db import init_db

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture(scope="session")
def demo_url(tmp_path_factory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"


@pytest.fixture(scope="session")
def demo_engine(demo_url):
    """The demo dataset at scale 1, built once for the session; tests must not write to it."""
    engine = init_db(demo_url, dataset="demo")
    yield engine
    engine.dispose()


@pytest.fixture
def empty_engine(tmp_path):
    """A database with the reference data and the plan, and no projects: tests may write to it."""
    engine = init_db(f"sqlite:///{tmp_path / 'empty.db'}", dataset="empty")
    yield engine
    engine.dispose()


@pytest.fixture
def app(demo_engine, demo_url, monkeypatch):
    """A factory of AppTest sessions of ``app.py`` on the demo database, with fresh caches."""
    monkeypatch.setenv("DATABASE_URL", demo_url)
    st.cache_data.clear()

    def make(page: str | None = None, **params) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=60)
        for key, value in params.items():
            at.query_params[key] = value
        if page:
            at.switch_page(page)
        return at.run()

    return make
