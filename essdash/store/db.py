"""Engine factory, schema creation and database initialisation, on SQLite or PostgreSQL.

SQLite is opened with foreign keys enforced, WAL journaling and a busy timeout. A new database
is built in a temporary file next to the target and moved into place only once complete, so a
failure never leaves a half-filled database behind. On PostgreSQL (``postgresql+psycopg://…``) the
same happens with a schema of the database (see :mod:`essdash.store.server`). New databases are
stamped at the head Alembic revision; a database made by an older version of essdash is backed up,
then upgraded at opening.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import create_engine, event, insert, inspect, select, text, update
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.exc import DatabaseError as SADatabaseError
from sqlmodel import col

from essdash.domain import models as m
from essdash.domain.access import Granted
from essdash.domain.errors import BusyError, DatabaseError, EssdashError
from essdash.store import backup, backup_files, migrations, server, version
from essdash.store.config import Settings, get_settings
from essdash.store.plan import insert_plan, load_indicators, load_plan
from essdash.store.reference import load_reference

# How long a write waits for another one to release the database before it is refused (seconds).
# The largest import (100 000 rows) holds the lock for about 10 s on the reference machine.
WRITE_WAIT_SECONDS = 15.0
write_token = version.write_token


def _backend(url: str) -> str:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseError(f"DATABASE_URL invalide : « {url} ».") from exc
    name = parsed.get_backend_name()
    if name not in ("sqlite", "postgresql"):
        raise DatabaseError(f"Seuls SQLite et PostgreSQL sont pris en charge ; DATABASE_URL désigne « {name} ».")
    return name


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or ``None`` for an in-memory database or a PostgreSQL server."""
    if _backend(url) != "sqlite":
        return None
    database = make_url(url).database
    if not database or database == ":memory:":
        return None
    return Path(database)


def _set_pragmas(dbapi_connection, record, *, fast: bool, path: str | None) -> None:
    record.info[version.OPENED] = version.file_identity(path)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={round(WRITE_WAIT_SECONDS * 1000)}")
    if fast:
        cursor.execute("PRAGMA journal_mode=OFF")
        cursor.execute("PRAGMA synchronous=OFF")
    elif cursor.execute("PRAGMA journal_mode").fetchone()[0] != "wal":  # switching needs the lock: only once
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@contextmanager
def locked_transaction(engine: Engine, permit: Granted) -> Iterator[Connection]:
    """The transaction of every write, opened only with the permit the gate gave
    (:class:`essdash.write.gate.Permit`; anything else is a :class:`TypeError`). It takes the
    database's write lock from its start (SQLite: ``BEGIN IMMEDIATE``), so that two writers queue
    instead of failing halfway.

    A writer waits at most ``WRITE_WAIT_SECONDS`` for the lock; past that, or if the database stays
    locked, :class:`BusyError` says so in French and nothing is written. Commits when the block ends
    normally, with a new :func:`write_token`; an exception rolls everything back."""
    if not isinstance(permit, Granted):
        raise TypeError("A write transaction opens only with the gate's permit (essdash.write.gate.authorize).")
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                server.take_write_lock(conn, WRITE_WAIT_SECONDS)
            else:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            yield conn
            version.renew(conn)
            conn.commit()
    except DBAPIError as exc:
        if not _busy(exc):
            raise
        raise BusyError(
            f"La base est occupée par une autre écriture depuis plus de {WRITE_WAIT_SECONDS:g} secondes : "
            "rien n'a été enregistré. Votre saisie est conservée, réessayez dans un instant."
        ) from exc


def ids_written(conn: Connection, table) -> None:
    """After rows were inserted with their ids (an import numbers its rows itself): PostgreSQL's
    sequence of ``table`` moves past the largest id, so the next row without an id gets a new one
    (SQLite takes one more than the largest by itself)."""
    if conn.dialect.name == "postgresql":
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f'COALESCE((SELECT MAX(id) FROM "{table.name}"), 0) + 1, false)'
            )
        )


def _busy(exc: DBAPIError) -> bool:
    if isinstance(exc.orig, sqlite3.Error):
        text = str(exc.orig).lower()
        return isinstance(exc, OperationalError) and ("locked" in text or "busy" in text)
    return server.busy(exc)


def make_engine(url: str, *, fast_build: bool = False) -> Engine:
    """A SQLAlchemy engine for ``url``: essdash's pragmas on SQLite, a sized pool on PostgreSQL."""
    if _backend(url) == "postgresql":
        return server.make_engine(url)
    engine = create_engine(url, connect_args={"check_same_thread": False})
    path = engine.url.database
    event.listen(engine, "connect", lambda c, r: _set_pragmas(c, r, fast=fast_build, path=path))
    return engine


def _fill_reference(engine: Engine) -> None:
    """Insert the geography, the plan and the indicator catalogue (one transaction)."""
    ref, plan, indicators = load_reference(), load_plan(), load_indicators()
    with engine.begin() as conn:
        conn.execute(
            insert(m.Territory),
            [
                {"code": t.code, "name": t.name, "mel_gis_code": t.mel_gis_code, "position": t.position}
                for t in ref.territories
            ],
        )
        conn.execute(insert(m.Commune), [c.__dict__ for c in ref.communes])
        conn.execute(insert(m.CommuneAlias), [a.__dict__ for a in ref.aliases])
        insert_plan(conn, plan, provenance=False)
        conn.execute(
            insert(m.Indicator),
            [
                {
                    "code": i["code"],
                    "label": i["label"],
                    "category": i["category"],
                    "unit": i["unit"],
                    "direction": i["direction"],
                    "level": i["level"],
                    "kind": i["kind"],
                    "formula": i["formula"],
                    "min_value": i["min"],
                    "max_value": i["max"],
                    "definition": str(i["definition"]).strip(),
                    "source": i["source"],
                    "plan_reference": i["plan_reference"] or "",
                }
                for i in indicators
            ],
        )


def write_meta(engine: Engine, **values) -> None:
    with engine.begin() as conn:
        for key, value in values.items():
            conn.execute(m.table_of(m.MetaEntry).delete().where(col(m.MetaEntry.key) == key))
            conn.execute(insert(m.MetaEntry).values(key=key, value=str(value)))


def _populate(engine: Engine, *, dataset: str, scale: int, seed: int) -> None:
    from essdash.store import demo

    migrations.create_current(engine)
    _fill_reference(engine)
    with engine.begin() as conn:  # the plan's source: a column of the current schema only (see _fill_reference)
        real = load_plan()
        conn.execute(update(m.Plan).where(col(m.Plan.code) == real.code).values(source=real.source))
    meta = {
        "schema_version": m.SCHEMA_VERSION,
        "dataset": dataset,
        "created_at": datetime.now().isoformat(timespec="seconds"),
        "as_of": date.today().isoformat(),
        version.WRITE_TOKEN: uuid.uuid4().hex,  # a new base, a new data version
    }
    if dataset == "demo":
        meta.update(demo.generate(engine, scale=scale, seed=seed))
    write_meta(engine, **meta)


def init_db(url: str, *, dataset: str = "demo", scale: int = 1, seed: int = 2011) -> Engine:
    """(Re)build the database at ``url`` with the reference data and ``dataset`` (demo or empty).

    A file database is built beside its target and atomically moved into place.
    """
    if dataset not in ("demo", "empty"):
        raise DatabaseError(f"Jeu de données inconnu « {dataset} » (attendu : demo ou empty).")
    if _backend(url) == "postgresql":
        try:
            server.build_and_swap(url, lambda builder: _populate(builder, dataset=dataset, scale=scale, seed=seed))
        except SADatabaseError as exc:
            raise DatabaseError(f"Impossible de créer la base « {make_url(url).database} » ({exc.orig}).") from exc
        return make_engine(url)
    path = sqlite_path(url)
    if path is None:
        engine = make_engine(url)
        _populate(engine, dataset=dataset, scale=scale, seed=seed)
        return engine
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseError(f"Impossible de créer le dossier de la base « {path.parent} » ({exc}).") from exc
    tmp = path.with_name(f".{path.name}.{os.getpid()}.building")
    try:
        backup_files.create_private(tmp)  # the base is its owner's only (its journal files take its mode)
        builder = make_engine(f"sqlite:///{tmp}", fast_build=True)
        _populate(builder, dataset=dataset, scale=scale, seed=seed)
        builder.dispose()
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.replace(tmp, path)
    except (OSError, SADatabaseError) as exc:
        raise DatabaseError(f"Impossible de créer la base « {path} » ({exc}).") from exc
    finally:
        tmp.unlink(missing_ok=True)
    return make_engine(url)


def check_database(engine: Engine) -> dict[str, str]:
    """Read the database's meta entries; raise ``DatabaseError`` if it is not a usable essdash base."""
    try:
        with engine.connect() as conn:
            meta = dict(conn.execute(select(col(m.MetaEntry.key), col(m.MetaEntry.value))).all())
    except (OperationalError, SADatabaseError, sqlite3.DatabaseError) as exc:
        raise DatabaseError(
            f"La base de données « {engine.url.database} » est illisible ou n'est pas une base essdash "
            f"({exc.__class__.__name__})."
        ) from exc
    version = meta.get("schema_version")
    if version is None:
        raise DatabaseError(f"La base de données « {engine.url.database} » est incomplète : pas de version de schéma.")
    if int(version) > m.SCHEMA_VERSION:
        raise DatabaseError(
            f"La base de données a été créée par une version plus récente d'essdash (schéma {version})."
        )
    return meta


def exists(url: str) -> bool:
    """Whether an essdash database already stands at ``url`` (rebuilding it then needs a right)."""
    path = sqlite_path(url)
    if path is not None:
        return path.exists() and path.stat().st_size > 0
    engine = make_engine(url)
    try:
        return inspect(engine).has_table("metaentry")
    except OperationalError:
        return False
    finally:
        engine.dispose()


def open_database(settings: Settings | None = None) -> Engine:
    """The engine for the configured database, built with demo data on first launch."""
    settings = settings or get_settings()
    path = sqlite_path(settings.database_url)
    if _backend(settings.database_url) == "postgresql":
        engine = make_engine(settings.database_url)
        if not _server_ready(engine):
            engine = init_db(settings.database_url, dataset="demo", seed=settings.demo_seed)
    elif path is None or not path.exists():
        engine = init_db(settings.database_url, dataset="demo", seed=settings.demo_seed)
    else:
        engine = make_engine(settings.database_url)
    meta = check_database(engine)
    if path is not None:
        backup.clean_temporaries(path)
    elif engine.dialect.name == "postgresql":
        server.clean_leftovers(engine)
    if (path is not None or engine.dialect.name == "postgresql") and int(meta["schema_version"]) < m.SCHEMA_VERSION:
        _upgrade(engine, int(meta["schema_version"]))
    return engine


def _server_ready(engine: Engine) -> bool:
    """Whether the server's database holds essdash's tables; a French ``DatabaseError`` if it cannot be reached."""
    try:
        return server.has_tables(engine)
    except SADatabaseError as exc:
        raise DatabaseError(
            f"Le serveur PostgreSQL de la base « {engine.url.database} » est injoignable ou refuse la connexion "
            f"({exc.orig})."
        ) from exc


def _upgrade(engine: Engine, found: int) -> None:
    """Back up a database of an older schema, then upgrade it (whole, or not at all)."""
    engine.dispose()
    try:
        saved = backup.take_for(engine, "avant-mise-a-niveau")
    except EssdashError as exc:
        raise DatabaseError(
            f"La base doit être mise à niveau (schéma {found} → {m.SCHEMA_VERSION}), "
            f"mais la sauvegarde préalable a échoué : {exc}"
        ) from exc
    try:
        migrations.upgrade(engine.url.render_as_string(hide_password=False), found)
    except (OperationalError, SADatabaseError, sqlite3.DatabaseError) as exc:
        raise DatabaseError(
            f"La mise à niveau de la base (schéma {found} → {m.SCHEMA_VERSION}) a échoué ; "
            f"la base n'a pas été modifiée (sauvegarde : {saved.name if saved else 'aucune'}) "
            f"({exc.__class__.__name__})."
        ) from exc
    check_database(engine)
    with engine.begin() as conn:
        version.renew(conn)
