"""The data version: one value that every committed change of the base moves, whoever made it.

A write (form, command line, import, another process or another server on the same PostgreSQL
base) commits a new write token in the ``metaentry`` table; a base built anew (demo, ``init-db``)
or restored from a backup gets a fresh one too. The version a page run reads is that token, plus,
for a SQLite file, the file's identity: ``init-db`` and ``demo`` put a new file in place of the old
one, which connections opened before would go on reading. When the identity moves, the engine's
pool is emptied, so the next connections open the new file.

Reading it is one primary-key lookup (and a ``stat`` of the file on SQLite): well under a
millisecond on either store, so every page run can afford it and key its cached reads with it.
"""

from __future__ import annotations

import os
import uuid

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Connection, Engine
from sqlmodel import col

from essdash.domain import models as m

WRITE_TOKEN = "write_token"
# The SQL that gives a new token to a SQLite file reached with the standard library (restores).
RENEW_SQL = (
    f"DELETE FROM metaentry WHERE key = '{WRITE_TOKEN}'",
    f"INSERT INTO metaentry (key, value) VALUES ('{WRITE_TOKEN}', lower(hex(randomblob(16))))",
)
# Where a SQLite connection keeps the identity of the file it opened (its pool record's info).
OPENED = "essdash_file"


def renew(conn: Connection) -> None:
    """Give the base a new write token, inside the transaction of the change (commit moves the version)."""
    conn.execute(delete(m.MetaEntry).where(col(m.MetaEntry.key) == WRITE_TOKEN))
    conn.execute(insert(m.MetaEntry).values(key=WRITE_TOKEN, value=uuid.uuid4().hex))


def write_token(conn: Connection) -> str:
    """The token of the last committed change (empty for a base that never had one): two reads that
    see the same token see the same data, so a long validation can run before taking the write lock."""
    stmt = select(col(m.MetaEntry.value)).where(col(m.MetaEntry.key) == WRITE_TOKEN)
    return conn.execute(stmt).scalar_one_or_none() or ""


def data_version(engine: Engine) -> str:
    """The version of the data behind ``engine`` now: its write token, and the identity of its file
    on SQLite. Moves with every committed change and every new or restored base."""
    identity = file_identity(engine.url.database) if engine.dialect.name == "sqlite" else ""
    for _ in range(2):
        # Autocommit: no transaction to begin nor to roll back when the connection goes back to its pool
        # (on PostgreSQL, the pool's ping and the read: two round trips instead of four).
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            if identity and conn.info.get(OPENED, identity) != identity:
                conn.invalidate()  # opened on a file since replaced: it, and its pool, read the old one
                engine.dispose()
                continue
            token = write_token(conn)
        break
    return f"{identity}:{token}" if identity else token


def file_identity(path: str | None) -> str:
    """A SQLite file's device and inode (empty for an in-memory base or a missing file)."""
    if not path or path == ":memory:":
        return ""
    try:
        stat = os.stat(path)
    except OSError:
        return ""
    return f"{stat.st_dev}.{stat.st_ino}"
