"""The writes' clock: « now » for a change recorded in a database.

A real database lives in real time. The demo database sits on its reference day (meta ``as_of``,
15/12/2014): a comment, step, opinion or history row written in it takes that day, with the current
time of day, so that it stands beside the demo's data rather than years after them.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine
from sqlmodel import col

from essdash.domain import models as m


def _meta(bind: Engine | Connection) -> dict[str, str]:
    stmt = select(col(m.MetaEntry.key), col(m.MetaEntry.value)).where(col(m.MetaEntry.key).in_(("dataset", "as_of")))
    if isinstance(bind, Connection):
        return dict(bind.execute(stmt).all())
    with bind.connect() as conn:
        return dict(conn.execute(stmt).all())


def now(bind: Engine | Connection) -> datetime:
    """The moment of a write, to the second: the real time, except in a demo database, where the
    day is the demo's reference day and the time of day is the real one. ``bind`` is the database's
    engine, or a connection already open on it (inside a write's transaction)."""
    real = datetime.now().replace(microsecond=0)
    meta = _meta(bind)
    if meta.get("dataset") == "demo" and meta.get("as_of"):
        return datetime.combine(date.fromisoformat(meta["as_of"]), real.time())
    return real


def today(bind: Engine | Connection) -> date:
    """The day of a write (see :func:`now`)."""
    return now(bind).date()
