"""What essdash does differently on a PostgreSQL server: the write lock, the build-then-swap of a new
database, the sequences after rows were copied with their ids, and the errors that mean « busy ».

A new database (``init-db``, ``demo``, a restore) is built in a schema of its own in the same
database, then put in place by renaming schemas in one transaction: other sessions see the old
tables or the new ones, never a mix nor an empty database, and stay connected. The write lock is a
transaction-level advisory lock (``pg_advisory_xact_lock``): every essdash write takes the same
one, so writers queue as they do on SQLite, and each statement after it reads what the previous
writers committed (READ COMMITTED), which keeps the version checks of optimistic locking exact.

A schema being built (``essdash_neuve_<pid>_<hex>``) and a restore's temporary database
(``essdash_restauration_<base tag>_<hex>``) are claimed, while they are in use, by a session-level
advisory lock of their own (:func:`claimed`): a process killed halfway releases it with its session.
:func:`clean_leftovers` (at every opening and before every restore) drops those that nobody claims,
and any ``essdash_ancienne_*`` schema left by a swap.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Integer, create_engine, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlmodel import SQLModel

# The key of essdash's write lock among the server's advisory locks (any fixed 64-bit number).
WRITE_LOCK_KEY = 0x455353_4441534B  # « ESSDASK »
# SQLSTATEs that mean « another session was in the way »: lock timeout, serialization failure, deadlock.
BUSY_STATES = {"55P03", "40001", "40P01"}
# Connections kept open per process (Streamlit serves every session of a server from one process):
# POOL_SIZE at rest, up to POOL_SIZE + POOL_OVERFLOW under load; a page run holds one briefly.
POOL_SIZE = 10
POOL_OVERFLOW = 20
DROP_TRIES = 10
_SCHEMA = re.compile(r"^[a-z_][a-z0-9_]*$")
# The first key of the advisory locks that claim a temporary schema or database (the second: its hex suffix).
CLAIM_KEY = 0x455352  # « ESR »
_LEFTOVER_SCHEMA = r"^essdash_(neuve|ancienne)_[0-9]+_[0-9a-f]{8}$"


def is_server(url: str) -> bool:
    """Whether ``url`` names a PostgreSQL database (else SQLite)."""
    return url.startswith("postgresql")


def make_engine(url: str, *, schema: str | None = None) -> Engine:
    """An engine on the server, with a checked pool; ``schema`` puts that schema first in the search path."""
    args = {"options": f"-csearch_path={schema}"} if schema else {}
    return create_engine(url, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW, pool_pre_ping=True, connect_args=args)


def take_write_lock(conn: Connection, wait_seconds: float) -> None:
    """Begin ``conn``'s transaction by waiting (``wait_seconds`` at most) for essdash's write lock."""
    conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{round(wait_seconds * 1000)}ms'")
    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK_KEY})


def busy(exc: DBAPIError) -> bool:
    """Whether the server refused a statement because another session held what it needed."""
    return getattr(exc.orig, "sqlstate", None) in BUSY_STATES


def live_schema(conn: Connection) -> str:
    return conn.execute(text("SELECT current_schema()")).scalar_one()


def has_tables(engine: Engine) -> bool:
    """Whether the database already holds essdash's meta table."""
    with engine.connect() as conn:
        return conn.execute(text("SELECT to_regclass('metaentry') IS NOT NULL")).scalar_one()


def reset_sequences(conn: Connection) -> None:
    """Move every integer key's sequence past the largest id, after rows were written with their ids."""
    for name, table in SQLModel.metadata.tables.items():
        keys = list(table.primary_key.columns)
        if len(keys) == 1 and isinstance(keys[0].type, Integer) and keys[0].autoincrement in (True, "auto"):
            sequence = conn.execute(text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": name, "c": keys[0].name})
            seq = sequence.scalar_one()
            if seq:
                conn.execute(
                    text(f'SELECT setval(:s, COALESCE((SELECT MAX("{keys[0].name}") FROM "{name}"), 0) + 1, false)'),
                    {"s": seq},
                )


def building_schema() -> str:
    """The name of a new schema to build a database in (claim it with :func:`claimed` before creating it)."""
    return f"essdash_neuve_{os.getpid()}_{uuid.uuid4().hex[:8]}"


def restore_database(conn: Connection) -> str:
    """The name of a new temporary database for a restore of the live database of ``conn``: it
    carries a tag of the live database, so that only that database's openings clean it up."""
    return f"essdash_restauration_{_tag(conn)}_{uuid.uuid4().hex[:8]}"


def _tag(conn: Connection) -> str:
    live = conn.execute(text("SELECT current_database()")).scalar_one()
    return hashlib.sha256(live.encode()).hexdigest()[:6]


def _claim_key(name: str) -> int:
    """The second key of the lock claiming ``name``: its 8 hex digits, as a signed 32-bit integer."""
    return int(name[-8:], 16) - 2**31


@contextmanager
def claimed(live: Engine, name: str) -> Iterator[None]:
    """Hold, on a session of the live database of its own, the lock that marks the temporary
    schema or database ``name`` as in use; take it before creating ``name``, leave it once dropped."""
    with live.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:c, :k)"), {"c": CLAIM_KEY, "k": _claim_key(name)})
        conn.commit()
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:c, :k)"), {"c": CLAIM_KEY, "k": _claim_key(name)})
            conn.commit()


def clean_leftovers(live: Engine) -> list[str]:
    """Drop the temporary schemas of the live database and the restore databases of it that no
    running process claims (left by a process killed halfway); returns their names."""
    dropped = []
    with live.connect() as conn:
        schemas = conn.execute(
            text("SELECT nspname FROM pg_namespace WHERE nspname ~ :pattern ORDER BY 1"), {"pattern": _LEFTOVER_SCHEMA}
        ).scalars()
        pattern = f"^essdash_restauration_{_tag(conn)}_[0-9a-f]{{8}}$"
        databases = conn.execute(
            text("SELECT datname FROM pg_database WHERE datname ~ :pattern ORDER BY 1"), {"pattern": pattern}
        ).scalars()
        found = [(name, False) for name in schemas] + [(name, True) for name in databases]
        conn.commit()
        for name, database in found:
            key = {"c": CLAIM_KEY, "k": _claim_key(name)}
            if not conn.execute(text("SELECT pg_try_advisory_lock(:c, :k)"), key).scalar_one():
                continue  # a process building or restoring holds it
            try:
                if database:
                    drop_database(live.url.render_as_string(hide_password=False), name)
                else:
                    conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
                    conn.commit()
                dropped.append(name)
            except SQLAlchemyError:
                conn.rollback()  # another role's, or busy: left for a later opening
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:c, :k)"), key)
                conn.commit()
    return dropped


def build_and_swap(url: str, populate: Callable[[Engine], None]) -> None:
    """Build a new essdash database with ``populate`` in a schema of its own, then put it in place
    of the live schema's tables in one transaction. A failure leaves the live tables untouched."""
    building = building_schema()
    live = make_engine(url)
    try:
        with claimed(live, building):
            try:
                with live.begin() as conn:
                    conn.exec_driver_sql(f'CREATE SCHEMA "{building}"')
                builder = make_engine(url, schema=building)
                try:
                    populate(builder)
                    with builder.begin() as conn:
                        reset_sequences(conn)
                finally:
                    builder.dispose()
                swap(live, building)
            finally:
                with live.begin() as conn:
                    conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{building}" CASCADE')
    finally:
        live.dispose()


def swap(live: Engine, building: str) -> None:
    """Put the tables of schema ``building`` in place of the live schema's, in one transaction."""
    if not _SCHEMA.match(building):
        raise ValueError(building)
    retired = f"essdash_ancienne_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with live.begin() as conn:
        schema = live_schema(conn)
        conn.exec_driver_sql(f'ALTER SCHEMA "{schema}" RENAME TO "{retired}"')
        conn.exec_driver_sql(f'ALTER SCHEMA "{building}" RENAME TO "{schema}"')
        conn.exec_driver_sql(f'DROP SCHEMA "{retired}" CASCADE')


def create_database(admin_url: str, name: str, *, template: str | None = None) -> str:
    """Create the database ``name`` on the server of ``admin_url`` (from ``template`` if given); its URL."""
    if not _SCHEMA.match(name) or (template and not _SCHEMA.match(template)):
        raise ValueError(name)
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    finally:
        engine.dispose()
    return engine.url.set(database=name).render_as_string(hide_password=False)


def drop_database(admin_url: str, name: str) -> None:
    """Drop the database ``name``: essdash's own sessions on it are ended first, and a server process
    still on it (the autovacuum) is waited for, ``DROP_TRIES`` times at most."""
    if not _SCHEMA.match(name):
        raise ValueError(name)
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        for attempt in range(DROP_TRIES):
            try:
                with engine.connect() as conn:
                    conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                return
            except DBAPIError as exc:
                if getattr(exc.orig, "sqlstate", None) not in ("42501", "55006") or attempt == DROP_TRIES - 1:
                    raise
                time.sleep(0.2 * (attempt + 1))
    finally:
        engine.dispose()
