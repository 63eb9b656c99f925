"""Shared fixtures: temporary databases built by code, and AppTest through the real entry point.

The databases are SQLite files, or, when ``ESSDASH_TEST_DATABASE`` names a PostgreSQL server
(``postgresql+psycopg://user@host/postgres``, password in ``PGPASSWORD``), fresh databases created
on that server: the demo and the empty base are built once as templates, and every test that may
write gets its own ``CREATE DATABASE … TEMPLATE`` copy, dropped afterwards.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from essdash.store import server
from essdash.store.db import init_db, make_engine, sqlite_path
from tests.fixtures.stores import SERVER, drop, new_database

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def pytest_report_header() -> str:
    return f"essdash store: {'PostgreSQL ' + SERVER if SERVER else 'SQLite'}"


@pytest.fixture
def fresh_url(tmp_path, monkeypatch):
    """A factory of URLs of new, empty databases for the test (SQLite files, or server databases)."""
    made: list[str] = []
    if SERVER:
        monkeypatch.setenv("ESSDASH_BACKUP_DIR", str(tmp_path / "backups"))

    def make(name: str = "base") -> str:
        if not SERVER:
            return f"sqlite:///{tmp_path / f'{name}.db'}"
        made.append(new_database(name))
        return made[-1]

    yield make
    for url in made:
        drop(url)


@pytest.fixture(scope="session")
def _templates(tmp_path_factory):
    """On the server: template databases of the demo and of the empty base, built once, never connected to after."""
    if not SERVER:
        yield {}
        return
    built = {}
    for dataset in ("demo", "empty"):
        url = new_database(f"{dataset}_modele")
        init_db(url, dataset=dataset).dispose()
        built[dataset] = url.rsplit("/", 1)[1]
    yield built
    for name in built.values():
        server.drop_database(SERVER, name)


@pytest.fixture(scope="session")
def demo_url(tmp_path_factory, _templates) -> str:
    if SERVER:
        url = new_database("demo", template=_templates["demo"])
        yield url
        drop(url)
        return
    yield f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"


@pytest.fixture(scope="session")
def demo_engine(demo_url):
    """The demo dataset at scale 1, built once for the session; tests must not write to it."""
    engine = make_engine(demo_url) if SERVER else init_db(demo_url, dataset="demo")
    yield engine
    engine.dispose()


@pytest.fixture
def empty_engine(tmp_path, _templates, monkeypatch):
    """A database with the reference data and the plan, and no projects: tests may write to it.

    On the server, its backups go to ``backups/`` in the test's folder, as a SQLite file's do."""
    if SERVER:
        monkeypatch.setenv("ESSDASH_BACKUP_DIR", str(tmp_path / "backups"))
        url = new_database("empty", template=_templates["empty"])
        engine = make_engine(url)
        yield engine
        engine.dispose()
        drop(url)
        return
    engine = init_db(f"sqlite:///{tmp_path / 'empty.db'}", dataset="empty")
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_engine(tmp_path):
    """An empty base in a SQLite file whatever the store under test, for what only SQLite has
    (its file format, its journal, the files an interrupted copy leaves)."""
    engine = init_db(f"sqlite:///{tmp_path / 'empty.db'}", dataset="empty")
    yield engine
    engine.dispose()


def open_app(page: str | None = None, *, state: dict | None = None, prepare=None, **params) -> AppTest:
    """A new AppTest session of ``app.py``, run once on ``page``: ``params`` go to the URL; ``state`` to
    the session before the first run (the open tab of a lazy tab set, an unfolded expander:
    ``{"e_tab": "Lorenz"}``); ``prepare(at)`` sets what else the session needs (secrets, a user)."""
    at = AppTest.from_file(APP, default_timeout=60)
    if prepare is not None:
        prepare(at)
    for key, value in params.items():
        at.query_params[key] = value
    for key, value in (state or {}).items():
        at.session_state[key] = value
    if page:
        at.switch_page(page)
    return at.run()


def _app_factory(url: str, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", url)
    st.cache_data.clear()
    return open_app


@pytest.fixture
def app(demo_engine, demo_url, monkeypatch):
    """A factory of AppTest sessions of ``app.py`` on the demo database, with fresh caches."""
    return _app_factory(demo_url, monkeypatch)


@pytest.fixture
def demo_copy(demo_engine, demo_url, tmp_path, monkeypatch, _templates):
    """The URL of a private copy of the demo database that the test may change (backups in ``tmp_path``)."""
    if SERVER:
        monkeypatch.setenv("ESSDASH_BACKUP_DIR", str(tmp_path / "backups"))
        url = new_database("copie", template=_templates["demo"])
        yield url
        drop(url)
        return
    copy = tmp_path / "copie.db"
    shutil.copyfile(sqlite_path(demo_url), copy)
    yield f"sqlite:///{copy}"


@pytest.fixture
def writable_app(demo_copy, monkeypatch):
    """Like ``app``, on a private copy of the demo database that the test may change.

    Yields ``(make, engine)``; the engine reads the copy."""
    engine = make_engine(demo_copy)
    yield _app_factory(demo_copy, monkeypatch), engine
    engine.dispose()
