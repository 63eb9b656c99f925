"""Backups of a PostgreSQL database, taken and restored with PostgreSQL's own tools.

A backup is ``pg_dump --format=custom`` of the live schema, written to the backup folder
(``ESSDASH_BACKUP_DIR``, else ``var/backups`` under the project) as
``<base>-<moment>-<reason>.dump``; rotation keeps the ``KEEP`` newest, like SQLite's.

A restore runs nothing of the uploaded file. Only the data of its tables is read
(:mod:`essdash.store.dump_data`): the file must list essdash's tables and no function, trigger,
view or unknown table, and carry a readable schema version no newer than this essdash's. A
temporary database of the same server is built by essdash at that version, the file's rows are
copied into it by essdash's own ``COPY`` statements (each column checked), and it is upgraded if
older; every row is checked against the rule book of writes (:func:`row_rules.check_rows`). The
rows are then copied into a new schema of the live database built from the models (the server
checks every constraint), the current state is backed up, and the new schema is switched in place
of the live one in one transaction. The temporary database and schema are claimed while in use, and
those of an interrupted restore are dropped by the next restore or opening
(:func:`server.clean_leftovers`).
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from contextlib import ExitStack, closing
from datetime import datetime
from pathlib import Path

import psycopg
from sqlalchemy import MetaData, Table, create_engine, insert, inspect, select, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlmodel import SQLModel

from essdash.domain.errors import BackupError, DatabaseError
from essdash.domain.models import SCHEMA_VERSION
from essdash.store import backup_files, dump_data, migrations, server, version
from essdash.store.config import PROJECT_DIR
from essdash.store.row_rules import check_rows

KEEP = 30
DUMP_MAGIC = b"PGDMP"
INTERNAL_TABLES = {"alembic_version"}
ESSDASH_TABLES = {"metaentry", "territory", "commune", "actionsheet", "organisation", "project", "funding"}
COPY_BATCH = 5000


def folder() -> Path:
    configured = os.environ.get("ESSDASH_BACKUP_DIR")
    return Path(configured) if configured else PROJECT_DIR / "var" / "backups"


def _client(engine: Engine, database: str | None = None) -> tuple[list[str], dict[str, str]]:
    """The connection options of PostgreSQL's command-line tools for ``engine`` (or another of its databases)."""
    url = engine.url
    args = [f"--dbname={database or url.database}"]
    if url.host:
        args.append(f"--host={url.host}")
    if url.port:
        args.append(f"--port={url.port}")
    if url.username:
        args.append(f"--username={url.username}")
    env = {**os.environ, "PGPASSWORD": str(url.password)} if url.password else dict(os.environ)
    return args, env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise BackupError(f"{what} impossible : l'outil PostgreSQL « {command[0]} » est introuvable ({exc}).") from exc
    if done.returncode != 0:
        detail = (done.stderr.strip().splitlines() or ["erreur inconnue"])[-1]
        raise BackupError(f"{what} impossible ({command[0]} : {detail}).")


def _live_schema(engine: Engine) -> str:
    with engine.connect() as conn:
        return server.live_schema(conn)


def dump(engine: Engine, target: Path) -> None:
    """``pg_dump --format=custom`` of the live schema into the new file ``target``."""
    args, env = _client(engine)
    part = target.with_name(f"{target.name}.{os.getpid()}.part")
    try:
        backup_files.create_private(part)  # pg_dump writes into it: the backup is its owner's only
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--schema={_live_schema(engine)}",
                f"--file={part}",
                *args,
            ],
            env,
            "Sauvegarde",
        )
        os.replace(part, target)
    finally:
        part.unlink(missing_ok=True)


def take(engine: Engine, reason: str, keep: int = KEEP) -> Path:
    """Back up the database now, keeping the ``keep`` newest; returns the backup file. ``reason`` is a short slug."""
    slug = re.sub(r"[^a-z0-9-]+", "-", reason.lower()).strip("-") or "manuelle"
    target_dir = folder()
    try:
        backup_files.make_private_folder(target_dir)
        for stale in target_dir.glob("*.dump.*.part"):  # an interrupted backup's, if its process is gone
            if backup_files.process_gone(int(stale.name.rsplit(".", 2)[-2])):
                stale.unlink(missing_ok=True)
    except (OSError, ValueError) as exc:
        raise BackupError(f"Impossible de créer le dossier des sauvegardes « {target_dir} » ({exc}).") from exc
    target = target_dir / f"{engine.url.database}-{datetime.now():%Y%m%d-%H%M%S-%f}-{slug}.dump"
    dump(engine, target)
    for old in list_backups(engine)[keep:]:
        old["path"].unlink(missing_ok=True)
    return target


def list_backups(engine: Engine) -> list[dict]:
    """The backups of this database, newest first: path, name, moment, reason, size in bytes."""
    return backup_files.listed(folder(), str(engine.url.database), ".dump")


def snapshot(engine: Engine) -> bytes:
    """A consistent copy of the database, as the bytes of a ``pg_dump`` custom-format file."""
    with tempfile.TemporaryDirectory(prefix="essdash-") as work:
        target = Path(work) / "snapshot.dump"
        dump(engine, target)
        return target.read_bytes()


def _matching_columns(candidate: Engine, label: str) -> MetaData:
    """The candidate's tables, refused if any lacks or adds columns to the models'."""
    found = MetaData()
    present_tables = set(inspect(candidate).get_table_names())
    found.reflect(candidate, only=[t for t in SQLModel.metadata.tables if t in present_tables])
    for name, table in SQLModel.metadata.tables.items():
        present = sorted(c.name for c in found.tables[name].columns) if name in found.tables else []
        expected = [c.name for c in table.columns]
        if present != sorted(expected):
            raise BackupError(
                f"« {label} » : la table « {name} » n'a pas les colonnes d'essdash "
                f"(attendues : {', '.join(expected)} ; trouvées : {', '.join(present) or 'aucune'})."
            )
    return found


def _copy_rows(candidate: Engine, found: MetaData, builder: Engine) -> None:
    """Copy every essdash table's rows from the candidate into the new schema (built from the models)."""
    migrations.create_current(builder)
    with candidate.connect() as source, builder.begin() as conn:
        for table in SQLModel.metadata.sorted_tables:
            origin: Table = found.tables[table.name]
            names = [c.name for c in table.columns]
            rows = source.execute(select(*(origin.c[n] for n in names)).order_by(*origin.primary_key.columns))
            while batch := rows.fetchmany(COPY_BATCH):
                conn.execute(insert(table), [dict(zip(names, row, strict=True)) for row in batch])
        server.reset_sequences(conn)
        version.renew(conn)  # restored data: a new data version for every reader


def restore(engine: Engine, data: bytes, label: str, max_bytes: int, keeping_admin: str | None = None) -> Path:
    """Replace the database's contents by the rows of the ``pg_dump`` file ``data``; returns the
    backup of the state before. Nothing changes unless the file passes every check and, with
    ``keeping_admin``, still counts that e-mail among its administrateurs."""
    if len(data) > max_bytes:
        raise BackupError(
            f"« {label} » est trop volumineux ({len(data) // 1024 // 1024} Mio) : une sauvegarde à restaurer "
            f"fait {max_bytes // 1024 // 1024} Mio au plus."
        )
    if not data.startswith(DUMP_MAGIC):
        raise BackupError(
            f"« {label} » n'est pas une sauvegarde essdash de PostgreSQL : "
            "ce n'est pas un fichier pg_dump (format custom)."
        )
    server.clean_leftovers(engine)
    with engine.connect() as conn:
        name = server.restore_database(conn)
    building = server.building_schema()
    with ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="essdash-")))
        file = work / "restauration.dump"
        backup_files.create_private(file, data)
        contents = dump_data.contents(file, set(SQLModel.metadata.tables) | INTERNAL_TABLES, label)
        if contents.foreign:
            raise BackupError(
                f"« {label} » contient des objets qu'essdash ne crée pas ({', '.join(contents.foreign[:5])}) : "
                "ce n'est pas une sauvegarde essdash intacte, elle n'est pas restaurée."
            )
        written = _written_version(file, contents, work, label)
        stack.enter_context(server.claimed(engine, name))
        stack.enter_context(server.claimed(engine, building))
        return _restore_checked(engine, file, contents, written, (name, building), work, label, keeping_admin)


def _written_version(file: Path, contents: dump_data.Contents, work: Path, label: str) -> int:
    """The schema version the file's meta entries give; ``BackupError`` if it is not an essdash base."""
    meta = {}
    if "metaentry" in contents.data:
        rows = dump_data.small_table(file, contents.data["metaentry"], "metaentry", ["key", "value"], work, label)
        meta = {row["key"]: row["value"] for row in rows}
    written = meta.get("schema_version")
    missing = sorted(ESSDASH_TABLES - set(contents.data))
    if missing or written is None:
        raise BackupError(
            f"« {label} » n'est pas une sauvegarde essdash (tables manquantes : {', '.join(missing) or 'aucune'} ; "
            f"version de schéma : {dump_data.shown(written or 'absente')})."
        )
    return backup_files.schema_version(written, label)


def _restore_checked(
    engine: Engine,
    file: Path,
    contents: dump_data.Contents,
    written: int,
    names: tuple[str, str],
    work: Path,
    label: str,
    keeping_admin: str | None,
) -> Path:
    """The restore itself, once the file's contents and version are read (see :func:`restore`)."""
    name, building = names
    admin = engine.url.render_as_string(hide_password=False)
    try:
        candidate_url = server.create_database(admin, name)
    except DBAPIError as exc:  # the server's refusal (``orig``: the driver's own error)
        raise BackupError(
            f"Restauration impossible depuis « {label} » : le rôle « {engine.url.username} » ne peut pas créer la "
            f"base temporaire où la vérifier (droit CREATEDB) ; la base n'a pas été modifiée ({exc.orig})."
        ) from exc
    candidate = server.make_engine(candidate_url)
    try:
        _build(candidate_url, written)
        _load(candidate, file, contents, work, label)
        if written < SCHEMA_VERSION:
            candidate.dispose()
            migrations.upgrade(candidate_url, written)
        found = _matching_columns(candidate, label)
        with candidate.connect() as conn:
            for table in SQLModel.metadata.sorted_tables:
                check_rows(table, conn.execution_options(yield_per=COPY_BATCH).execute(select(*table.columns)), label)
        if keeping_admin is not None:
            _still_admin(candidate, keeping_admin, label)
        with engine.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{building}"')
        builder = server.make_engine(admin, schema=building)
        try:
            _copy_rows(candidate, found, builder)
        finally:
            builder.dispose()
        saved = take(engine, "avant-restauration")
        server.swap(engine, building)
    except psycopg.Error as exc:
        where = " ; ".join(filter(None, (exc.diag.message_primary, (exc.diag.context or "").split("\n")[0])))
        raise BackupError(
            f"« {label} » contient des données illisibles ({dump_data.shown(where or exc.__class__.__name__)}) ; "
            "la base n'a pas été modifiée."
        ) from exc
    except SQLAlchemyError as exc:
        raise BackupError(
            f"Restauration impossible depuis « {label} » ; la base n'a pas été modifiée ({exc.__class__.__name__})."
        ) from exc
    except DatabaseError as exc:
        raise BackupError(f"« {label} » n'a pas pu être mis à niveau ; la base n'a pas été modifiée. {exc}") from exc
    finally:
        candidate.dispose()
        server.drop_database(admin, name)
        with engine.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{building}" CASCADE')
    return saved


def _build(url: str, written: int) -> None:
    """Build essdash's tables of schema version ``written`` in the empty database at ``url``."""
    if written < SCHEMA_VERSION:
        migrations.upgrade(url, None, migrations.revision(written))
        return
    builder = create_engine(url)
    try:
        migrations.create_current(builder)
    finally:
        builder.dispose()


def _load(candidate: Engine, file: Path, contents: dump_data.Contents, work: Path, label: str) -> None:
    """Copy the file's rows into the tables essdash built in ``candidate`` (parents first), in one
    transaction, with essdash's own ``COPY`` statements."""
    tables = MetaData()
    tables.reflect(candidate)
    wanted = [table for table in tables.sorted_tables if table.name not in INTERNAL_TABLES]
    missing = sorted(table.name for table in wanted if table.name not in contents.data)
    if missing:
        raise BackupError(f"« {label} » n'est pas une sauvegarde essdash (tables manquantes : {', '.join(missing)}).")
    connection = candidate.raw_connection()
    try:
        cursor = connection.cursor()
        for table in wanted:
            columns = [column.name for column in table.columns]
            with closing(dump_data.blocks(file, contents.data[table.name], table.name, columns, work, label)) as read:
                order = ", ".join(f'"{name}"' for name in next(read))
                with cursor.copy(f'COPY "{table.name}" ({order}) FROM STDIN') as copy:
                    for line in read:
                        copy.write(line)
        connection.commit()
    finally:
        connection.close()


def _still_admin(candidate: Engine, email: str, label: str) -> None:
    with candidate.connect() as conn:
        found = conn.execute(
            text("SELECT 1 FROM member WHERE lower(email) = :email AND role = 'administrateur'"),
            {"email": email.lower()},
        ).first()
    if found is None:
        raise BackupError(
            f"« {label} » ne compte pas « {email} » parmi ses administrateurs : après la restauration, vous "
            "n'auriez plus accès au tableau de bord partagé. Rien n'a changé."
        )


def database_label(engine: Engine) -> str:
    url = make_url(str(engine.url))
    return f"{url.database} sur {url.host or 'localhost'}"
