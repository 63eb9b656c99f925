"""Many rows into one table at driver speed, for building a database (the demo dataset).

A Core ``insert()`` given thousands of rows spends most of its time preparing each row's parameters.
:func:`insert_rows` stores exactly what it would: the columns of the first row, plus the Python-side
defaults of the columns left out, each value converted by SQLAlchemy's own bind processor for the
column's type (dates become the same text on SQLite). The rows are then handed to the driver in one
go, inside the connection's transaction: on SQLite several rows per ``INSERT`` (see :func:`_insert_values`),
on PostgreSQL ``COPY … FROM STDIN``; :func:`checked_after` checks the costliest constraints once at the end.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from itertools import chain, repeat
from operator import itemgetter
from typing import Any

from sqlalchemy import CheckConstraint, Table, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from essdash.domain.errors import DatabaseError

# Parameters per SQLite statement: the smallest limit any SQLite build has (999 before 3.32).
SQLITE_VARIABLES = 999


def insert_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys, plain hashable values) into ``table``, in their order,
    as ``insert(table)`` would."""
    if not rows:
        return
    keys = list(rows[0])
    defaults = {
        column.key: column.default.arg  # type: ignore[attr-defined]
        for column in table.columns
        if column.key not in rows[0] and column.default is not None and column.default.is_scalar
    }
    columns = [*keys, *defaults]
    dialect = conn.dialect
    # column by column, each value through the column type's bind processor (once per distinct value)
    cells: list[Iterable] = []
    for key in columns:
        process = table.c[key].type.dialect_impl(dialect).bind_processor(dialect)
        given = map(itemgetter(key), rows) if key in rows[0] else repeat(defaults[key], len(rows))
        cells.append(map(lru_cache(maxsize=None)(process), given) if process else given)
    values = list(zip(*cells, strict=True))
    preparer = dialect.identifier_preparer
    names = ", ".join(preparer.quote(table.c[key].name) for key in columns)
    target = preparer.format_table(table)
    if dialect.name == "postgresql":
        statement = f"COPY {target} ({names}) FROM STDIN"
        raw = conn.connection.driver_connection
        try:
            with raw.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
                for line in values:
                    copy.write_row(line)
        except dialect.loaded_dbapi.Error as exc:  # the driver's error, as SQLAlchemy would have raised it
            raise DBAPIError.instance(statement, None, exc, dialect.loaded_dbapi.Error) from exc
    else:
        _insert_values(conn, f"INSERT INTO {target} ({names}) VALUES ", len(columns), values)


def _insert_values(conn: Connection, head: str, width: int, values: list[tuple]) -> None:
    """SQLite: several rows per statement (``VALUES (…), (…)``, in order), so that what SQLite and the
    driver do for every run of a statement (and each CHECK's set of allowed values) is done once
    for many rows."""
    per = max(1, SQLITE_VARIABLES // width)
    mark = f"({', '.join('?' * width)})"
    flat = list(chain.from_iterable(values))
    full = len(values) - len(values) % per
    if full:
        step = per * width
        conn.exec_driver_sql(
            head + ", ".join([mark] * per), [tuple(flat[i : i + step]) for i in range(0, full * width, step)]
        )
    if full < len(values):
        conn.exec_driver_sql(head + ", ".join([mark] * (len(values) - full)), tuple(flat[full * width :]))


@contextmanager
def checked_after(conn: Connection, tables: Sequence[Table]) -> Iterator[None]:
    """Constraints that cost the most row by row are checked once, over all rows, when the block ends;
    a row that breaks one fails the transaction, as it would have at its insert.

    PostgreSQL: the foreign keys of the current schema, each dropped, then added again under the same
    name and definition (which checks every row). SQLite: the CHECK constraints of ``tables`` (whose
    ``IN`` lists it would otherwise build again for every row), each counted with one query."""
    if conn.dialect.name == "postgresql":
        with _keys_added_after(conn):
            yield
        return
    conn.exec_driver_sql("PRAGMA ignore_check_constraints = ON")
    try:
        yield
    finally:
        conn.exec_driver_sql("PRAGMA ignore_check_constraints = OFF")
    preparer = conn.dialect.identifier_preparer
    for table in tables:
        for check in (c for c in table.constraints if isinstance(c, CheckConstraint)):
            condition = check.sqltext.compile(dialect=conn.dialect)
            broken = conn.exec_driver_sql(
                f"SELECT count(*) FROM {preparer.format_table(table)} WHERE NOT ({condition})"
            ).scalar_one()
            if broken:
                raise DatabaseError(
                    f"{broken} ligne(s) de la table « {table.name} » ne respectent pas la contrainte « {check.name} »."
                )


@contextmanager
def _keys_added_after(conn: Connection) -> Iterator[None]:
    """PostgreSQL: the current schema's foreign keys dropped for the block, then added again as they were."""
    keys = conn.execute(
        text(
            "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
            "WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace ORDER BY c.oid"
        )
    ).all()
    quote = conn.dialect.identifier_preparer.quote
    for table, name, _ in keys:
        conn.exec_driver_sql(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
    yield
    for table, name, definition in keys:
        conn.exec_driver_sql(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")
