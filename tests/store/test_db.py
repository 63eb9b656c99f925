"""Database set-up: pragmas, constraints, atomic builds, and clear French errors."""

import sqlite3
from datetime import date, datetime

import pytest
from sqlalchemy import insert, text
from sqlalchemy.exc import IntegrityError

from essdash.domain import models as m
from essdash.domain.errors import DatabaseError, EssdashError
from essdash.store import db, demo
from essdash.store.config import Settings
from tests.fixtures.samples import dump
from tests.fixtures.stores import leftovers


def test_pragmas_wal_and_foreign_keys(sqlite_engine):
    with sqlite_engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def _project(**overrides):
    row = {
        "title": "Projet test",
        "carrier_id": 1,
        "commune_code": "59512",
        "intervention_mode": "intervention_directe",
        "sector": "insertion",
        "status": "propose",
        "proposed_on": date(2012, 1, 1),
        "updated_at": datetime(2012, 1, 1),
    }
    row.update(overrides)
    return row


def test_constraints_refuse_bad_rows(empty_engine):
    with empty_engine.begin() as conn:
        conn.execute(insert(m.Organisation).values(id=1, name="Asso", legal_form="association"))
    for bad in (
        _project(commune_code="99999"),
        _project(status="termine"),
        _project(jobs_created=-1),
        _project(start_date=date(2013, 1, 1), end_date=date(2012, 1, 1)),
    ):
        with pytest.raises(IntegrityError), empty_engine.begin() as conn:
            conn.execute(insert(m.Project).values(**bad))
    with empty_engine.begin() as conn:
        conn.execute(insert(m.Project).values(**_project()))


def test_database_url_must_be_sqlite_or_postgresql():
    with pytest.raises(DatabaseError, match="Seuls SQLite et PostgreSQL"):
        db.make_engine("mysql://user@host/base")
    with pytest.raises(DatabaseError, match="DATABASE_URL invalide"):
        db.sqlite_path("::pas une url::")


def test_a_file_that_is_not_a_database_gives_a_french_error(tmp_path):
    path = tmp_path / "notes.db"
    path.write_bytes(b"ceci n'est pas une base SQLite" * 100)
    with pytest.raises(DatabaseError, match="illisible"):
        db.open_database(Settings(database_url=f"sqlite:///{path}"))


def test_a_sqlite_file_without_essdash_tables_is_refused(tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (x)")
    with pytest.raises(DatabaseError, match="n'est pas une base essdash"):
        db.open_database(Settings(database_url=f"sqlite:///{path}"))


def test_missing_database_is_built_with_demo_data(tmp_path):
    path = tmp_path / "sub" / "essdash.db"
    engine = db.open_database(Settings(database_url=f"sqlite:///{path}"))
    assert path.exists()
    assert db.check_database(engine)["dataset"] == "demo"
    engine.dispose()


def test_failed_build_leaves_no_half_filled_database(fresh_url, tmp_path, monkeypatch):
    url = fresh_url("essdash")
    built = db.init_db(url, dataset="empty")
    before = dump(url)

    def explode(*args, **kwargs):
        raise sqlite3.OperationalError("disque plein (simulé)")

    monkeypatch.setattr(demo, "generate", explode)
    with pytest.raises(sqlite3.OperationalError):
        db.init_db(url, dataset="demo")
    assert dump(url) == before
    assert leftovers(built) == []
    built.dispose()


def test_a_failed_sqlite_build_leaves_the_file_as_it_was(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'essdash.db'}"
    db.init_db(url, dataset="empty").dispose()
    before = (tmp_path / "essdash.db").read_bytes()

    def explode(*args, **kwargs):
        raise sqlite3.OperationalError("disque plein (simulé)")

    monkeypatch.setattr(demo, "generate", explode)
    with pytest.raises(sqlite3.OperationalError):
        db.init_db(url, dataset="demo")
    assert (tmp_path / "essdash.db").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["essdash.db"]


def test_newer_schema_is_refused(empty_engine):
    db.write_meta(empty_engine, schema_version=m.SCHEMA_VERSION + 1)
    with pytest.raises(EssdashError, match="plus récente"):
        db.check_database(empty_engine)


def test_unknown_dataset_is_refused(tmp_path):
    with pytest.raises(DatabaseError, match="Jeu de données inconnu"):
        db.init_db(f"sqlite:///{tmp_path / 'x.db'}", dataset="réel")
