"""Schema versions with Alembic, configured from Python (no alembic.ini needed).

The revision of schema version *n* is ``f"{n:04d}"``: ``0001`` is the first schema, ``0002`` adds
the import log, ``0003`` the comments, ``0004`` one current indicator value per indicator, semester
and place (duplicates resolved, then a unique partial index). Migrations keep the
``schema_version`` meta entry in step. A new database is created from the models and stamped at the
head revision; an older one is upgraded in a single transaction whose foreign keys are checked
before it commits, so an upgrade applies whole or not at all. Alembic is imported only when needed:
opening an up-to-date database or building a new one does not load it.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Column, MetaData, PrimaryKeyConstraint, String, Table, create_engine, event, inspect
from sqlalchemy.engine import Connection

from essdash.domain.errors import DatabaseError
from essdash.domain.models import SCHEMA_VERSION

DIRECTORY = Path(__file__).resolve().parent


def revision(version: int) -> str:
    """The Alembic revision of a schema version: ``revision(1) == "0001"``."""
    return f"{version:04d}"


HEAD = revision(SCHEMA_VERSION)


def _config(connection: Connection):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(DIRECTORY))
    config.attributes["connection"] = connection
    return config


def stamp_head(connection: Connection) -> None:
    """Record that a database just created from the models is at the head revision (:data:`HEAD`, the
    scripts' head): Alembic's revision table, as Alembic creates it, holding ``HEAD``. Alembic itself
    is not loaded, so that building a database does not wait for it."""
    version = Table(
        "alembic_version",
        MetaData(),
        Column("version_num", String(32), nullable=False),
        PrimaryKeyConstraint("version_num", name="alembic_version_pkc"),
    )
    version.create(connection)
    connection.execute(version.insert().values(version_num=HEAD))


def create_current(engine) -> None:
    """Create essdash's tables from the models in the empty database of ``engine``, stamped at :data:`HEAD`."""
    from sqlmodel import SQLModel

    SQLModel.metadata.create_all(engine)
    with engine.begin() as connection:
        stamp_head(connection)


def current_revision(connection: Connection) -> str | None:
    """The revision recorded in the database, or ``None`` when it has no Alembic table."""
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def upgrade(url: str, from_version: int | None, target: str = "head") -> None:
    """Upgrade the database at ``url`` (SQLite or PostgreSQL) to ``target`` in one transaction.

    ``from_version`` is the schema version the database declares; a database made before
    essdash used Alembic has no revision table and is first stamped at that version. ``None``
    means an empty database, built from nothing.
    """
    from alembic import command
    from alembic.util import CommandError

    engine = create_engine(url)
    sqlite = engine.dialect.name == "sqlite"
    if sqlite:

        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection, _record) -> None:
            dbapi_connection.isolation_level = None  # transactions are begun below, DDL included
            dbapi_connection.execute("PRAGMA foreign_keys=OFF")
            dbapi_connection.execute("PRAGMA busy_timeout=5000")

        @event.listens_for(engine, "begin")
        def _begin(connection) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    try:
        with engine.begin() as connection:
            if from_version is not None and not inspect(connection).has_table("alembic_version"):
                command.stamp(_config(connection), revision(from_version))
            command.upgrade(_config(connection), target)
            # PostgreSQL checks foreign keys at every statement; SQLite's are off during the upgrade
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall() if sqlite else []
            if broken:
                raise DatabaseError(
                    f"La mise à niveau du schéma casserait {len(broken)} référence(s) entre tables "
                    f"(première : table « {broken[0][0]} ») ; elle a été annulée."
                )
    except CommandError as exc:
        raise DatabaseError(f"Version de schéma inattendue dans la base ({exc}) ; elle n'a pas été modifiée.") from exc
    finally:
        engine.dispose()
