"""Shared fixtures: temporary databases built by code, and AppTest through the real entry point."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from essdash.store.db import init_db, make_engine, sqlite_path

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


def _app_factory(url: str, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", url)
    st.cache_data.clear()

    def make(page: str | None = None, **params) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=60)
        for key, value in params.items():
            at.query_params[key] = value
        if page:
            at.switch_page(page)
        return at.run()

    return make


@pytest.fixture
def app(demo_engine, demo_url, monkeypatch):
    """A factory of AppTest sessions of ``app.py`` on the demo database, with fresh caches."""
    return _app_factory(demo_url, monkeypatch)


@pytest.fixture
def writable_app(demo_engine, demo_url, tmp_path, monkeypatch):
    """Like ``app``, on a private copy of the demo database that the test may change.

    Yields ``(make, engine)``; the engine reads the copy."""
    copy = tmp_path / "copie.db"
    shutil.copyfile(sqlite_path(demo_url), copy)
    url = f"sqlite:///{copy}"
    engine = make_engine(url)
    yield _app_factory(url, monkeypatch), engine
    engine.dispose()
