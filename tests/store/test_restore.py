"""Restoring hostile backups, cleaning what interrupted backups leave, and bounding the backups' space.

Each hostile file is a real essdash snapshot altered with sqlite3: a restore refuses it with a
French message and leaves the database byte-identical, or restores only essdash's own rows into a
freshly built schema.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

from essdash.domain.errors import BackupError
from essdash.domain.models import SCHEMA_VERSION
from essdash.store import backup, db
from essdash.store.config import Settings
from tests.fixtures.samples import dump


def _altered(empty_engine, tmp_path: Path, *statements: str) -> bytes:
    """A snapshot of the empty test base with ``statements`` run on it."""
    copy = tmp_path / "altered.db"
    copy.write_bytes(backup.snapshot(Path(empty_engine.url.database)))
    with closing(sqlite3.connect(copy)) as conn:
        conn.executescript(";\n".join(statements))
        conn.commit()
    return copy.read_bytes()


WIPE_TRIGGER = "CREATE TRIGGER t AFTER INSERT ON territory BEGIN DELETE FROM commune; END"
ABORT_TRIGGER = "CREATE TRIGGER no_update BEFORE UPDATE ON project BEGIN SELECT RAISE(ABORT, 'non'); END"
HOSTILE: dict[str, tuple[tuple[str, ...], str]] = {
    "déclencheur qui efface": ((WIPE_TRIGGER,), "déclencheur « t »"),
    "déclencheur qui bloque les mises à jour": ((ABORT_TRIGGER,), "déclencheur « no_update »"),
    "vue": (("CREATE VIEW v AS SELECT * FROM project",), "vue « v »"),
    "table inconnue": (("CREATE TABLE notes (x)",), "table « notes »"),
    "table project remplacée": (
        ("PRAGMA foreign_keys=OFF", "DROP TABLE project", "CREATE TABLE project (id INTEGER PRIMARY KEY, title TEXT)"),
        "la table « project » n'a pas les colonnes d'essdash",
    ),
    "version suivie d'une espace": (
        (f"UPDATE metaentry SET value = '{SCHEMA_VERSION} ' WHERE key = 'schema_version'",),
        f"version de schéma illisible \\(« {SCHEMA_VERSION}  »\\)",
    ),
    "version négative": (
        ("UPDATE metaentry SET value = '-1' WHERE key = 'schema_version'",),
        "version de schéma illisible",
    ),
}


@pytest.mark.parametrize("statements, message", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_backup_is_refused_and_changes_nothing(empty_engine, tmp_path, statements, message):
    content = _altered(empty_engine, tmp_path, *statements)
    path = Path(empty_engine.url.database)
    empty_engine.dispose()
    before = dump(path)
    with pytest.raises(BackupError, match=message) as refused:
        backup.restore(path, content, "sauvegarde.db")
    assert "Error" not in str(refused.value)
    assert dump(path) == before
    assert backup.list_backups(path) == []
    assert not list(backup.folder(path).glob(".restauration-*"))


def _objects(path: Path) -> list[tuple]:
    with closing(sqlite3.connect(path)) as conn:
        return sorted(conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))


def test_a_restore_rebuilds_the_schema_and_keeps_only_the_rows(empty_engine, tmp_path):
    path = Path(empty_engine.url.database)
    fresh_objects = _objects(path)
    content = _altered(
        empty_engine,
        tmp_path,
        "CREATE INDEX ix_foreign ON commune(name)",
        "UPDATE commune SET name = 'Lille restaurée' WHERE insee_code = '59350'",
    )
    empty_engine.dispose()
    backup.restore(path, content, "sauvegarde.db")
    assert _objects(path) == fresh_objects
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("SELECT name FROM commune WHERE insee_code = '59350'").fetchone() == ("Lille restaurée",)
        assert conn.execute("SELECT count(*) FROM commune").fetchone() == (95,)


def test_a_too_large_upload_is_refused(empty_engine, monkeypatch):
    path = Path(empty_engine.url.database)
    content = backup.snapshot(path)
    monkeypatch.setattr(backup, "MAX_RESTORE_BYTES", len(content) - 1)
    before = dump(path)
    with pytest.raises(BackupError, match=r"trop volumineux .* Mio au plus"):
        backup.restore(path, content, "grosse.db")
    assert dump(path) == before


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
def test_stale_temporaries_are_removed_and_recent_ones_kept(empty_engine, operation: Callable):
    path = Path(empty_engine.url.database)
    folder = backup.folder(path)
    stale = _leftovers(folder, 2 * backup.STALE_AFTER_SECONDS)
    recent = folder / ".restauration-98-2026-neuve.db"
    recent.write_bytes(b"y")
    empty_engine.dispose()
    operation(path)
    assert not any(p.exists() for p in stale)
    assert recent.exists()


def test_backups_are_dropped_oldest_first_beyond_the_total_size(empty_engine, monkeypatch):
    path = Path(empty_engine.url.database)
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
