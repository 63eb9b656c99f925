"""Bulk rows (the demo's build): stored exactly as a Core insert stores them, and checked as strictly."""

from datetime import date, datetime

import pytest
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    insert,
    text,
)
from sqlalchemy.exc import IntegrityError

from essdash.domain.errors import DatabaseError
from essdash.store.bulk import SQLITE_VARIABLES, checked_after, insert_rows
from essdash.store.db import make_engine
from tests.fixtures.stores import on_server


def _tables() -> tuple[MetaData, Table, Table, Table]:
    """A parent table and two identical children: one filled by ``insert()``, one by ``insert_rows``."""
    metadata = MetaData()
    parent = Table("parent", metadata, Column("id", Integer, primary_key=True))

    def child(name: str) -> Table:
        return Table(
            name,
            metadata,
            Column("id", Integer, primary_key=True),
            Column("parent_id", Integer, ForeignKey("parent.id"), nullable=False),
            Column("day", Date, nullable=False),
            Column("at", DateTime),
            Column("flag", Boolean, nullable=False),
            Column("amount", Float),
            Column("kind", String, nullable=False),
            Column("note", String, nullable=False, default="sans objet"),
            Column("extra", String),
            CheckConstraint("kind IN ('a', 'b')", name=f"ck_{name}_kind"),
        )

    return metadata, parent, child("by_core"), child("by_bulk")


def _rows(count: int) -> list[dict]:
    return [
        {
            "parent_id": 1 + i % 2,
            "day": date(2014, 12, 1 + i % 28),
            "at": None if i % 3 else datetime(2014, 12, 15, 18, 0, 0, i),
            "flag": i % 2 == 0,
            "amount": None if i % 5 == 0 else i * 0.1,
            "kind": "ab"[i % 2],
        }
        for i in range(count)
    ]


@pytest.fixture
def engine(fresh_url):
    engine = make_engine(fresh_url("bulk"))
    metadata, parent, *_ = _tables()
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(parent), [{"id": 1}, {"id": 2}])
    yield engine
    engine.dispose()


def _raw(conn, table: str) -> list[tuple]:
    """The rows as the driver returns them, without SQLAlchemy's conversions."""
    return conn.exec_driver_sql(f"SELECT * FROM {table} ORDER BY id").all()


@pytest.mark.parametrize("count", [1, 2, SQLITE_VARIABLES // 9, 250])
def test_bulk_rows_are_stored_as_an_insert_stores_them(engine, count):
    # 9 columns are written per row (8 given, plus the default of « note »): 111 rows fill a
    # statement of 999 parameters exactly, 250 rows make two full statements and a shorter one.
    _, _, by_core, by_bulk = _tables()
    rows = _rows(count)
    with engine.begin() as conn:
        conn.execute(insert(by_core), rows)
        insert_rows(conn, by_bulk, rows)
    with engine.connect() as conn:
        core, bulk = _raw(conn, "by_core"), _raw(conn, "by_bulk")
        assert bulk == core
        assert len(bulk) == count
        assert [line[0] for line in bulk] == list(range(1, count + 1))  # numbered in the rows' order
        assert {line[7] for line in bulk} == {"sans objet"}  # the Python-side default of a column left out
        assert {line[8] for line in bulk} == {None}
        if not on_server():
            # SQLite keeps dates as text: the same text as SQLAlchemy's
            stored = conn.exec_driver_sql("SELECT day, at, typeof(amount) FROM by_bulk WHERE id = 1").one()
            assert tuple(stored) == ("2014-12-01", "2014-12-15 18:00:00.000000", "null")


def test_nothing_to_insert_writes_nothing(engine):
    _, _, _, by_bulk = _tables()
    with engine.begin() as conn:
        insert_rows(conn, by_bulk, [])
    with engine.connect() as conn:
        assert _raw(conn, "by_bulk") == []


def test_a_row_breaking_a_check_fails_the_whole_load(engine):
    _, _, _, by_bulk = _tables()
    rows = _rows(30)
    rows[17]["kind"] = "z"
    with (
        pytest.raises((DatabaseError, IntegrityError)) as raised,
        engine.begin() as conn,
        checked_after(conn, [by_bulk]),
    ):
        insert_rows(conn, by_bulk, rows)
    if not on_server():  # checked after the rows are in, with a French message
        assert (
            str(raised.value)
            == "1 ligne(s) de la table « by_bulk » ne respectent pas la contrainte « ck_by_bulk_kind »."
        )
    with engine.connect() as conn:
        assert _raw(conn, "by_bulk") == []
        if not on_server():  # the connection checks every row again afterwards
            assert conn.exec_driver_sql("PRAGMA ignore_check_constraints").scalar_one() == 0


def test_a_row_breaking_a_foreign_key_fails_the_whole_load(engine):
    _, _, _, by_bulk = _tables()
    rows = _rows(30)
    rows[17]["parent_id"] = 3
    with pytest.raises(IntegrityError), engine.begin() as conn, checked_after(conn, [by_bulk]):
        insert_rows(conn, by_bulk, rows)
    with engine.connect() as conn:
        assert _raw(conn, "by_bulk") == []


def test_the_foreign_keys_are_the_same_after_the_load(engine):
    _, _, by_core, by_bulk = _tables()
    keys = text(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'f' AND connamespace = current_schema()::regnamespace ORDER BY 1, 2"
        if on_server()
        else 'SELECT m.name, f."from", f."table", f."to" FROM sqlite_master m, pragma_foreign_key_list(m.name) f '
        "ORDER BY 1, 2"
    )
    with engine.connect() as conn:
        before = conn.execute(keys).all()
    with engine.begin() as conn, checked_after(conn, [by_core, by_bulk]):
        insert_rows(conn, by_bulk, _rows(30))
    with engine.connect() as conn:
        assert conn.execute(keys).all() == before
        assert len(before) == 2  # the key of each child table
        assert len(_raw(conn, "by_bulk")) == 30
