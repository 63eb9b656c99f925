"""Backups of the SQLite database, taken with SQLite's online backup API.

A backup is a complete, self-contained database file in the backup folder (``backups/`` beside
the database, or the folder named by ``ESSDASH_BACKUP_DIR``), named after the database, the moment
and the reason. One is taken automatically before every import, every schema upgrade and every
restore; the ``KEEP`` most recent are kept. A snapshot for download is the same copy, as bytes.

A restore checks that the file is an essdash database, upgrades it if an older version of
essdash made it, backs up the current state, then copies it over the live database in a single
step of the backup API: other connections see the old database or the new one, never a mix.
"""

from __future__ import annotations

import os
import re
import sqlite3
import tempfile
from contextlib import closing
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import SQLModel

from essdash.domain.errors import BackupError, DatabaseError
from essdash.domain.models import SCHEMA_VERSION
from essdash.store import migrations

KEEP = 30
SQLITE_MAGIC = b"SQLite format 3\x00"
ESSDASH_TABLES = {
    "metaentry",
    "territory",
    "commune",
    "actionsheet",
    "organisation",
    "project",
    "funding",
    "indicator",
    "measurement",
}
_NAME = re.compile(r"^(?P<stem>.+)-(?P<stamp>\d{8}-\d{6}-\d{6})-(?P<reason>[a-z0-9-]+)\.db$")


def database_file(engine: Engine) -> Path | None:
    """The file behind an engine, or ``None`` for an in-memory database (nothing to back up)."""
    name = engine.url.database
    return None if not name or name == ":memory:" else Path(name)


def folder(db_path: Path) -> Path:
    configured = os.environ.get("ESSDASH_BACKUP_DIR")
    return Path(configured) if configured else db_path.parent / "backups"


def _copy(source: Path, target: Path) -> None:
    """A consistent copy of the database ``source`` into the new file ``target`` (no WAL)."""
    if not source.is_file():
        raise BackupError(f"Sauvegarde impossible : la base « {source} » n'existe pas.")
    part = target.with_name(target.name + ".part")
    try:
        part.unlink(missing_ok=True)
        with closing(sqlite3.connect(source, timeout=30)) as src, closing(sqlite3.connect(part)) as dst:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")
        os.replace(part, target)
    except (sqlite3.Error, OSError) as exc:
        part.unlink(missing_ok=True)
        raise BackupError(f"Sauvegarde impossible de « {source.name} » vers « {target.parent} » ({exc}).") from exc


def take(db_path: Path, reason: str) -> Path:
    """Back up the database now; returns the backup file. ``reason`` is a short slug."""
    slug = re.sub(r"[^a-z0-9-]+", "-", reason.lower()).strip("-") or "manuelle"
    target_dir = folder(db_path)
    try:
        target_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(f"Impossible de créer le dossier des sauvegardes « {target_dir} » ({exc}).") from exc
    target = target_dir / f"{db_path.stem}-{datetime.now():%Y%m%d-%H%M%S-%f}-{slug}.db"
    _copy(db_path, target)
    for old in list_backups(db_path)[KEEP:]:
        old["path"].unlink(missing_ok=True)
    return target


def list_backups(db_path: Path) -> list[dict]:
    """The backups of this database, newest first: path, name, moment, reason, size in bytes."""
    target_dir = folder(db_path)
    found = []
    for path in target_dir.glob(f"{db_path.stem}-*.db") if target_dir.is_dir() else ():
        match = _NAME.match(path.name)
        if match and match["stem"] == db_path.stem:
            found.append(
                {
                    "path": path,
                    "name": path.name,
                    "reason": match["reason"].replace("-", " "),
                    "taken_at": datetime.strptime(match["stamp"], "%Y%m%d-%H%M%S-%f"),
                    "size": path.stat().st_size,
                }
            )
    return sorted(found, key=lambda b: b["taken_at"], reverse=True)


def snapshot(db_path: Path) -> bytes:
    """A consistent copy of the database, as the bytes of a self-contained SQLite file."""
    with tempfile.TemporaryDirectory(prefix="essdash-") as work:
        target = Path(work) / "snapshot.db"
        _copy(db_path, target)
        return target.read_bytes()


def check_file(path: Path, label: str) -> dict[str, str]:
    """The meta entries of a candidate database file; ``BackupError`` if it is not a usable essdash base.

    Beyond SQLite's integrity check (structure, indexes, NOT NULL and CHECK constraints), every
    row of the essdash tables is read and foreign keys are checked, so that a damaged copy is
    refused here rather than failing later in a page.
    """
    try:
        with closing(sqlite3.connect(path)) as conn:
            conn.execute("PRAGMA journal_mode=DELETE")
            health = conn.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            meta = dict(conn.execute("SELECT key, value FROM metaentry")) if "metaentry" in tables else {}
            if health == "ok" and not ESSDASH_TABLES - tables:
                for table in tables & set(SQLModel.metadata.tables):
                    conn.execute(f'SELECT * FROM "{table}"').fetchall()
                broken = conn.execute("PRAGMA foreign_key_check").fetchall()
                health = f"{len(broken)} référence(s) brisée(s)" if broken else health
    except (sqlite3.Error, UnicodeError, ValueError) as exc:
        raise BackupError(f"« {label} » n'est pas une base SQLite lisible ({exc.__class__.__name__}).") from exc
    if health != "ok":
        raise BackupError(f"« {label} » est endommagé (contrôle d'intégrité : {health}).")
    missing = ESSDASH_TABLES - tables
    if missing or "schema_version" not in meta:
        raise BackupError(
            f"« {label} » n'est pas une sauvegarde essdash (tables manquantes : "
            f"{', '.join(sorted(missing)) or 'aucune'} ; version de schéma : "
            f"{meta.get('schema_version', 'absente')})."
        )
    if not meta["schema_version"].isdigit() or int(meta["schema_version"]) > SCHEMA_VERSION:
        raise BackupError(
            f"« {label} » vient d'une version plus récente d'essdash (schéma "
            f"{meta['schema_version']}) : mettez l'application à jour avant de la restaurer."
        )
    return meta


def restore(db_path: Path, data: bytes, label: str) -> Path:
    """Replace the database's contents by the snapshot ``data``; returns the backup of the state before.

    Nothing changes unless the snapshot passes every check (and its upgrade, if it is older).
    """
    if not data.startswith(SQLITE_MAGIC):
        raise BackupError(f"« {label} » n'est pas une sauvegarde essdash : ce n'est pas un fichier de base SQLite.")
    target_dir = folder(db_path)
    candidate = target_dir / f".restauration-{os.getpid()}-{datetime.now():%Y%m%d%H%M%S%f}.db"
    try:
        target_dir.mkdir(parents=True, exist_ok=True)
        candidate.write_bytes(data)
        version = int(check_file(candidate, label)["schema_version"])
        if version < SCHEMA_VERSION:
            migrations.upgrade(f"sqlite:///{candidate}", version)
        saved = take(db_path, "avant-restauration")
        with closing(sqlite3.connect(candidate)) as src, closing(sqlite3.connect(db_path, timeout=30)) as dst:
            page_size = dst.execute("PRAGMA page_size").fetchone()[0]
            if src.execute("PRAGMA page_size").fetchone()[0] != page_size:
                src.execute(f"PRAGMA page_size={int(page_size)}")
                src.execute("VACUUM")
            src.backup(dst)
    except (sqlite3.Error, SQLAlchemyError, OSError, UnicodeError) as exc:
        raise BackupError(
            f"Restauration impossible depuis « {label} » ; la base n'a pas été modifiée ({exc})."
        ) from exc
    except DatabaseError as exc:
        raise BackupError(f"« {label} » n'a pas pu être mis à niveau ; la base n'a pas été modifiée. {exc}") from exc
    finally:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{candidate}{suffix}").unlink(missing_ok=True)
    return saved
