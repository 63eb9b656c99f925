"""Restoring hostile backups, cleaning what interrupted backups leave, and bounding the backups' space.

Each hostile file is a real essdash backup of the store under test altered there (a SQLite file
with sqlite3, a ``pg_dump`` file restored, altered and dumped again): a restore refuses it with a
French message and leaves the database's rows as they were, or restores only essdash's own rows
into a freshly built schema. The temporary files of an interrupted SQLite copy and the bound on
the backups' space are SQLite's own, tested on a SQLite file.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from essdash.domain.errors import BackupError
from essdash.domain.models import SCHEMA_VERSION
from essdash.store import backup, db
from essdash.store.config import Settings
from tests.fixtures.samples import dump
from tests.fixtures.stores import altered_snapshot, connect, leftovers, schema_objects

WIPE_TRIGGER = {
    "sqlite": ("CREATE TRIGGER t AFTER INSERT ON territory BEGIN DELETE FROM commune; END",),
    "postgresql": (
        "CREATE FUNCTION wipe() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN DELETE FROM commune; RETURN NULL; END'",
        "CREATE TRIGGER t AFTER INSERT ON territory FOR EACH STATEMENT EXECUTE FUNCTION wipe()",
    ),
}
ABORT_TRIGGER = {
    "sqlite": ("CREATE TRIGGER no_update BEFORE UPDATE ON project BEGIN SELECT RAISE(ABORT, 'non'); END",),
    "postgresql": (
        "CREATE FUNCTION non() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RAISE EXCEPTION ''non''; END'",
        "CREATE TRIGGER no_update BEFORE UPDATE ON project FOR EACH ROW EXECUTE FUNCTION non()",
    ),
}
REPLACED_PROJECT = {
    "sqlite": (
        "PRAGMA foreign_keys=OFF",
        "DROP TABLE project",
        "CREATE TABLE project (id INTEGER PRIMARY KEY, title TEXT)",
    ),
    "postgresql": ("DROP TABLE project CASCADE", "CREATE TABLE project (id INTEGER PRIMARY KEY, title TEXT)"),
}


def _both(*statements: str) -> dict[str, tuple[str, ...]]:
    return {"sqlite": statements, "postgresql": statements}


HOSTILE: dict[str, tuple[dict[str, tuple[str, ...]], str]] = {
    "déclencheur qui efface": (WIPE_TRIGGER, "déclencheur « t »"),
    "déclencheur qui bloque les mises à jour": (ABORT_TRIGGER, "déclencheur « no_update »"),
    "vue": (_both("CREATE VIEW v AS SELECT * FROM project"), "vue « v »"),
    "table inconnue": (_both("CREATE TABLE notes (x INTEGER)"), "table « notes »"),
    "table project remplacée": (REPLACED_PROJECT, "la table « project » n'a pas les colonnes d'essdash"),
    "version suivie d'une espace": (
        _both(f"UPDATE metaentry SET value = '{SCHEMA_VERSION} ' WHERE key = 'schema_version'"),
        f"version de schéma illisible \\(« {SCHEMA_VERSION}  »\\)",
    ),
    "version négative": (
        _both("UPDATE metaentry SET value = '-1' WHERE key = 'schema_version'"),
        "version de schéma illisible",
    ),
}


@pytest.mark.parametrize("statements, message", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_backup_is_refused_and_changes_nothing(empty_engine, tmp_path, statements, message):
    content = altered_snapshot(empty_engine, tmp_path, statements[empty_engine.dialect.name])
    before = dump(empty_engine)
    with pytest.raises(BackupError, match=message) as refused:
        backup.restore_into(empty_engine, content, "sauvegarde.db")
    assert "Error" not in str(refused.value)
    assert dump(empty_engine) == before
    assert backup.backups_of(empty_engine) == []
    assert not list((tmp_path / "backups").glob(".restauration-*"))
    assert leftovers(empty_engine) == []


def test_a_restore_rebuilds_the_schema_and_keeps_only_the_rows(empty_engine, tmp_path):
    fresh_objects = schema_objects(empty_engine)
    content = altered_snapshot(
        empty_engine,
        tmp_path,
        [
            "CREATE INDEX ix_foreign ON commune(name)",
            "UPDATE commune SET name = 'Lille restaurée' WHERE insee_code = '59350'",
        ],
    )
    empty_engine.dispose()
    backup.restore_into(empty_engine, content, "sauvegarde.db")
    assert schema_objects(empty_engine) == fresh_objects
    with connect(empty_engine) as conn:
        assert tuple(conn.execute("SELECT name FROM commune WHERE insee_code = '59350'").one()) == ("Lille restaurée",)
        assert tuple(conn.execute("SELECT count(*) FROM commune").one()) == (95,)
    assert leftovers(empty_engine) == []


def test_a_too_large_upload_is_refused(empty_engine, monkeypatch):
    content = backup.snapshot_of(empty_engine)
    monkeypatch.setattr(backup, "MAX_RESTORE_BYTES", len(content) - 1)
    before = dump(empty_engine)
    with pytest.raises(BackupError, match=r"trop volumineux .* Mio au plus"):
        backup.restore_into(empty_engine, content, "grosse.db")
    assert dump(empty_engine) == before


def _leftovers(folder: Path, age_seconds: float) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    files = [folder / "empty-20120305-101010-000001-manuelle.db.part", folder / ".restauration-99-2012.db"]
    for leftover in files:
        leftover.write_bytes(b"x" * 1000)
        os.utime(leftover, (time.time() - age_seconds, time.time() - age_seconds))
    return files


@pytest.mark.parametrize(
    "operation",
    [
        lambda path: backup.take(path, "manuelle"),
        lambda path: backup.restore(path, backup.snapshot(path), "copie.db"),
        lambda path: db.open_database(Settings(database_url=f"sqlite:///{path}")).dispose(),
    ],
    ids=["sauvegarde", "restauration", "ouverture"],
)
def test_stale_temporaries_are_removed_and_recent_ones_kept(sqlite_engine, operation: Callable):
    path = Path(sqlite_engine.url.database)
    folder = backup.folder(path)
    stale = _leftovers(folder, 2 * backup.STALE_AFTER_SECONDS)
    recent = folder / f".restauration-{os.getpid()}-2026-neuve.db"  # a restore under way in this process
    recent.write_bytes(b"y")
    sqlite_engine.dispose()
    operation(path)
    assert not any(p.exists() for p in stale)
    assert recent.exists()


def test_backups_are_dropped_oldest_first_beyond_the_total_size(sqlite_engine, monkeypatch):
    path = Path(sqlite_engine.url.database)
    one = backup.take(path, "manuelle")
    size = one.stat().st_size
    monkeypatch.setattr(backup, "MAX_TOTAL_BYTES", int(size * 2.5))
    taken = [one] + [backup.take(path, "manuelle") for _ in range(3)]
    assert [b["path"] for b in backup.list_backups(path)] == [taken[3], taken[2]]
    in_progress = backup.folder(path) / "empty-20990101-000000-000000-manuelle.db.part"
    in_progress.write_bytes(b"z" * size)  # a backup under way elsewhere counts in the space used
    newest = backup.take(path, "manuelle")
    assert [b["path"] for b in backup.list_backups(path)] == [newest]
    assert in_progress.exists()


def test_a_backup_rotated_away_meanwhile_is_not_listed(sqlite_engine, monkeypatch):
    """Another writer's rotation may delete a backup between the folder's listing and its reading."""
    path = Path(sqlite_engine.url.database)
    kept = backup.take(path, "manuelle")
    ghost = kept.with_name(kept.name.replace("manuelle", "disparue"))  # listed by the folder, gone when read
    listed = Path.glob
    monkeypatch.setattr(Path, "glob", lambda self, pattern: [*listed(self, pattern), ghost])
    assert [b["path"] for b in backup.list_backups(path)] == [kept]
