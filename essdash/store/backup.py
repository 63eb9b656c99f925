"""Backups of the database: SQLite's taken with SQLite's online backup API (below), PostgreSQL's
with ``pg_dump`` (:mod:`essdash.store.server_backup`); ``take_for``, ``snapshot_of``, ``backups_of``
and ``restore_into`` choose by the engine's store.

A backup is a complete, self-contained database file in the backup folder (``backups/`` beside
the database, or the folder named by ``ESSDASH_BACKUP_DIR``), named after the database, the moment
and the reason. One is taken automatically before every import, every schema upgrade and every
restore; the ``KEEP`` most recent are kept, and older ones go while the folder holds more than
``MAX_TOTAL_BYTES``. A snapshot for download is the same copy, as bytes. Temporary files that an
interrupted backup or restore left behind (``*.db.<pid>.part``, ``.restauration-<pid>-*``, and
``init_db``'s ``.<base>.<pid>.building``) count in that space and are removed by the next backup or
restore, or when the database is opened: at once when the process named in them is gone, after
``STALE_AFTER_SECONDS`` otherwise. The base, its backups and these files are their owner's only
(mode 0600, :mod:`essdash.store.backup_files`).

A restore never puts the uploaded file itself in place. The file (``MAX_RESTORE_BYTES`` at most)
must be an essdash database holding only essdash's own tables — no trigger, view or foreign table —
with the expected columns; an older one is first upgraded. Its rows are then copied into a database
freshly built from the models, which is checked (constraints, foreign keys, and every value against
the rule book of writes: :func:`check_rows`), the current state is backed up, and that new
database is copied over the live one in a single step of the backup API: other connections see
the old database or the new one, never a mix.
"""

from __future__ import annotations

import os
import re
import sqlite3
import tempfile
import time
from contextlib import closing
from datetime import datetime
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import SQLModel

from essdash.domain import limits
from essdash.domain.errors import BackupError, DatabaseError
from essdash.domain.models import SCHEMA_VERSION
from essdash.store import backup_files, migrations, server_backup, version
from essdash.store.row_rules import check_rows

KEEP = 30
MAX_TOTAL_BYTES = 2 * 1024**3
MAX_RESTORE_BYTES = limits.RESTORE_BYTES
STALE_AFTER_SECONDS = 3600
INTERNAL_TABLES = {"alembic_version", "sqlite_sequence", "sqlite_stat1", "sqlite_stat4"}
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
_TEMPORARIES = ("*.db.part", "*.db.*.part", ".restauration-*")
_MAKER = re.compile(r"^\.restauration-(\d+)-|\.(\d+)\.(?:part|building)$")  # the id of the process that made it


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
    part = target.with_name(f"{target.name}.{os.getpid()}.part")
    try:
        backup_files.create_private(part)
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
        backup_files.make_private_folder(target_dir)
    except OSError as exc:
        raise BackupError(f"Impossible de créer le dossier des sauvegardes « {target_dir} » ({exc}).") from exc
    clean_temporaries(db_path)
    target = target_dir / f"{db_path.stem}-{datetime.now():%Y%m%d-%H%M%S-%f}-{slug}.db"
    _copy(db_path, target)
    _rotate(db_path)
    return target


def _temporaries(target_dir: Path) -> list[Path]:
    return [path for pattern in _TEMPORARIES for path in target_dir.glob(pattern)] if target_dir.is_dir() else []


def clean_temporaries(db_path: Path) -> list[Path]:
    """Remove what interrupted backups, restores and builds left beside the base; returns the files removed.

    A file goes at once when the process named in it is gone; one whose process still runs (a
    restore under way in another session of this server) goes only once untouched for
    ``STALE_AFTER_SECONDS``."""
    building = f".{backup_files.glob_escape(db_path.name)}.*.building"
    found = _temporaries(folder(db_path)) + (list(db_path.parent.glob(building)) if db_path.parent.is_dir() else [])
    removed = []
    for path in found:
        maker = _MAKER.search(path.name)
        try:
            gone = maker is not None and backup_files.process_gone(int(maker.group(1) or maker.group(2)))
            if gone or time.time() - path.stat().st_mtime > STALE_AFTER_SECONDS:
                path.unlink()
                removed.append(path)
        except OSError:
            continue
    return removed


def _rotate(db_path: Path) -> None:
    """Keep the ``KEEP`` newest backups, then drop the oldest while the folder's total exceeds the bound."""
    kept = list_backups(db_path)
    for old in kept[KEEP:]:
        old["path"].unlink(missing_ok=True)
    kept = kept[:KEEP]
    used = sum(b["size"] for b in kept) + sum(_size(p) for p in _temporaries(folder(db_path)))
    while len(kept) > 1 and used > MAX_TOTAL_BYTES:
        oldest = kept.pop()
        oldest["path"].unlink(missing_ok=True)
        used -= oldest["size"]


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def list_backups(db_path: Path) -> list[dict]:
    """The backups of this database, newest first: path, name, moment, reason, size in bytes."""
    return backup_files.listed(folder(db_path), db_path.stem, ".db")


def snapshot(db_path: Path) -> bytes:
    """A consistent copy of the database, as the bytes of a self-contained SQLite file."""
    with tempfile.TemporaryDirectory(prefix="essdash-") as work:
        target = Path(work) / "snapshot.db"
        _copy(db_path, target)
        return target.read_bytes()


def _version(meta: dict[str, str], label: str) -> int:
    """The schema version written in the file, read strictly (digits only)."""
    return backup_files.schema_version(meta["schema_version"], label)


def _foreign_objects(conn: sqlite3.Connection, label: str) -> None:
    """Refuse triggers, views and tables that essdash does not know."""
    objects = conn.execute("SELECT type, name FROM sqlite_master WHERE type IN ('trigger', 'view', 'table')").fetchall()
    known = set(SQLModel.metadata.tables) | INTERNAL_TABLES
    foreign = [(kind, name) for kind, name in objects if kind != "table" or name not in known]
    if foreign:
        words = {"trigger": "déclencheur", "view": "vue", "table": "table"}
        listed = ", ".join(f"{words[kind]} « {name} »" for kind, name in sorted(foreign)[:5])
        raise BackupError(
            f"« {label} » contient des objets qu'essdash ne crée pas ({listed}) : "
            "ce n'est pas une sauvegarde essdash intacte, elle n'est pas restaurée."
        )


def check_file(path: Path, label: str) -> dict[str, str]:
    """The meta entries of a candidate database file; ``BackupError`` if it is not a usable essdash base.

    Beyond SQLite's integrity check (structure, indexes, NOT NULL and CHECK constraints), every
    row of the essdash tables is read and foreign keys are checked, so that a damaged copy is
    refused here rather than failing later in a page; triggers, views and unknown tables are
    refused, and the schema version must be a plain number no newer than this essdash's.
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
            if health == "ok" and not ESSDASH_TABLES - tables and "schema_version" in meta:
                _foreign_objects(conn, label)
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
    _version(meta, label)
    return meta


def _rebuild(candidate: Path, fresh: Path, label: str) -> None:
    """Copy the rows of essdash's tables from ``candidate`` into ``fresh``, a database built from the
    models, and check them against the rule book."""
    backup_files.create_private(fresh)
    engine = create_engine(f"sqlite:///{fresh}")
    try:
        migrations.create_current(engine)
    finally:
        engine.dispose()
    with closing(sqlite3.connect(fresh)) as conn:
        conn.execute("PRAGMA foreign_keys=OFF")
        conn.execute("ATTACH DATABASE ? AS candidate", (str(candidate),))
        _matching_columns(conn, label)
        with conn:
            for name, table in SQLModel.metadata.tables.items():
                columns = ", ".join(f'"{column.name}"' for column in table.columns)
                conn.execute(f'INSERT INTO main."{name}" ({columns}) SELECT {columns} FROM candidate."{name}"')
                check_rows(table, conn.execute(f'SELECT {columns} FROM main."{name}"'), label)
            for statement in version.RENEW_SQL:  # restored data: a new data version for every reader
                conn.execute(statement)
        conn.execute("DETACH DATABASE candidate")
        broken = conn.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise BackupError(f"« {label} » contient {len(broken)} référence(s) brisée(s) ; elle n'est pas restaurée.")


def _still_admin(path: Path, email: str, label: str) -> None:
    with closing(sqlite3.connect(path)) as conn:
        found = conn.execute(
            "SELECT 1 FROM member WHERE lower(email) = ? AND role = 'administrateur'", (email.lower(),)
        ).fetchone()
    if found is None:
        raise BackupError(
            f"« {label} » ne compte pas « {email} » parmi ses administrateurs : après la restauration, vous "
            "n'auriez plus accès au tableau de bord partagé. Rien n'a changé."
        )


def _matching_columns(conn: sqlite3.Connection, label: str) -> None:
    """Refuse a candidate (attached as ``candidate``) whose tables lack or add columns to the models'."""
    for name, table in SQLModel.metadata.tables.items():
        present = [row[1] for row in conn.execute(f'PRAGMA candidate.table_info("{name}")')]
        expected = [column.name for column in table.columns]
        if sorted(present) != sorted(expected):
            raise BackupError(
                f"« {label} » : la table « {name} » n'a pas les colonnes d'essdash "
                f"(attendues : {', '.join(expected)} ; trouvées : {', '.join(present) or 'aucune'})."
            )


def restore(db_path: Path, data: bytes, label: str, *, keeping_admin: str | None = None) -> Path:
    """Replace the database's contents by the rows of the snapshot ``data``; returns the backup of the state before.

    Nothing changes unless the snapshot passes every check (and its upgrade, if it is older), and,
    with ``keeping_admin`` (an e-mail), unless that administrateur is still one in the snapshot: a
    shared dashboard must not lock out the person restoring it.
    """
    if len(data) > MAX_RESTORE_BYTES:
        raise BackupError(
            f"« {label} » est trop volumineux ({len(data) // 1024 // 1024} Mio) : une sauvegarde à restaurer "
            f"fait {MAX_RESTORE_BYTES // 1024 // 1024} Mio au plus."
        )
    if not data.startswith(SQLITE_MAGIC):
        raise BackupError(f"« {label} » n'est pas une sauvegarde essdash : ce n'est pas un fichier de base SQLite.")
    target_dir = folder(db_path)
    stem = f".restauration-{os.getpid()}-{datetime.now():%Y%m%d%H%M%S%f}"
    candidate, fresh = target_dir / f"{stem}.db", target_dir / f"{stem}-neuve.db"
    try:
        backup_files.make_private_folder(target_dir)
        clean_temporaries(db_path)
        backup_files.create_private(candidate, data)
        version = int(check_file(candidate, label)["schema_version"])
        if version < SCHEMA_VERSION:
            migrations.upgrade(f"sqlite:///{candidate}", version)
        _rebuild(candidate, fresh, label)
        if keeping_admin is not None:
            _still_admin(fresh, keeping_admin, label)
        saved = take(db_path, "avant-restauration")
        with closing(sqlite3.connect(fresh)) as src, closing(sqlite3.connect(db_path, timeout=30)) as dst:
            page_size = dst.execute("PRAGMA page_size").fetchone()[0]
            if src.execute("PRAGMA page_size").fetchone()[0] != page_size:
                src.execute(f"PRAGMA page_size={int(page_size)}")
                src.execute("VACUUM")
            src.backup(dst)
    except sqlite3.IntegrityError as exc:
        raise BackupError(
            f"« {label} » contient des lignes qui ne respectent pas les règles d'essdash ; "
            "la base n'a pas été modifiée."
        ) from exc
    except (sqlite3.Error, SQLAlchemyError, OSError, UnicodeError) as exc:
        raise BackupError(
            f"Restauration impossible depuis « {label} » ; la base n'a pas été modifiée ({exc})."
        ) from exc
    except DatabaseError as exc:
        raise BackupError(f"« {label} » n'a pas pu être mis à niveau ; la base n'a pas été modifiée. {exc}") from exc
    finally:
        for path in (candidate, fresh):
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
    return saved


def take_for(engine: Engine, reason: str) -> Path | None:
    """Back up the database of ``engine`` now, whatever its store; ``None`` for an in-memory database."""
    if engine.dialect.name == "postgresql":
        return server_backup.take(engine, reason, KEEP)
    path = database_file(engine)
    return take(path, reason) if path else None


def snapshot_of(engine: Engine) -> bytes:
    """A copy of the database of ``engine`` to download: a SQLite file, or a ``pg_dump`` custom-format file."""
    if engine.dialect.name == "postgresql":
        return server_backup.snapshot(engine)
    path = database_file(engine)
    if path is None:
        raise BackupError("La base est en mémoire : rien à sauvegarder.")
    return snapshot(path)


def backups_of(engine: Engine) -> list[dict]:
    """The backups of the database of ``engine``, newest first (see :func:`list_backups`)."""
    if engine.dialect.name == "postgresql":
        return server_backup.list_backups(engine)
    path = database_file(engine)
    return list_backups(path) if path else []


def restore_into(engine: Engine, data: bytes, label: str, *, keeping_admin: str | None = None) -> Path:
    """Restore the backup ``data`` into the database of ``engine``; the backup of the state before.
    With ``keeping_admin``, refused unless that e-mail is still an administrateur in the backup."""
    if engine.dialect.name == "postgresql":
        return server_backup.restore(engine, data, label, MAX_RESTORE_BYTES, keeping_admin)
    path = database_file(engine)
    if path is None:
        raise BackupError("La base est en mémoire : rien à restaurer.")
    return restore(path, data, label, keeping_admin=keeping_admin)


def how(engine: Engine) -> str:
    """What a backup is on this store, in French, for the Données page."""
    if engine.dialect.name == "postgresql":
        return (
            f"Base PostgreSQL ({server_backup.database_label(engine)}) : une sauvegarde est un fichier « .dump » "
            f"de pg_dump (format custom) dans « {server_backup.folder()} ». Restaurer lit seulement les données "
            "du fichier (rien de ce qu'il contient n'est exécuté), les vérifie dans une base temporaire construite par "
            "essdash, copie ses lignes dans un schéma neuf puis le met en place d'un coup."
        )
    path = database_file(engine)
    if path is None:
        return "Base en mémoire : pas de sauvegarde."
    return (
        f"Base SQLite « {path.name} » : une sauvegarde est une copie complète du fichier (API de sauvegarde de "
        f"SQLite) dans « {folder(path)} ». Restaurer vérifie le fichier, copie ses lignes dans une base neuve puis "
        "la met en place d'un coup."
    )
