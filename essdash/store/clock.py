"""The writes' clock: « now » for a change recorded in a database.

A real database lives in real time. The demo database sits on its reference day (meta ``as_of``,
15/12/2014): a comment, step, opinion or history row written in it takes that day, with the current
time of day, so that it stands beside the demo's data rather than years after them — but never
before the latest moment already recorded in it (the demo's own values of that day are recorded at
18:00), so that a replaced value is never replaced before it was recorded.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection, Engine
from sqlmodel import col

from essdash.domain import models as m

STAMPS = (
    m.Measurement.recorded_at,
    m.Measurement.superseded_at,
    m.ActionSheetHistory.changed_at,
    m.Comment.created_at,
    m.Project.updated_at,
    m.ImportBatch.imported_at,
)


def _latest(conn: Connection) -> datetime | None:
    stamps: list[Any] = [conn.execute(select(func.max(col(stamp)))).scalar() for stamp in STAMPS]
    stamps = [datetime.fromisoformat(s) if isinstance(s, str) else s for s in stamps if s is not None]
    return max(stamps, default=None)


def _meta(bind: Engine | Connection) -> dict[str, str]:
    stmt = select(col(m.MetaEntry.key), col(m.MetaEntry.value)).where(col(m.MetaEntry.key).in_(("dataset", "as_of")))
    if isinstance(bind, Connection):
        return dict(bind.execute(stmt).all())
    with bind.connect() as conn:
        return dict(conn.execute(stmt).all())


def now(bind: Engine | Connection) -> datetime:
    """The moment of a write, to the second: the real time, except in a demo database, where the
    day is the demo's reference day and the time of day is the real one (or just after the latest
    moment recorded in it, if that is later). ``bind`` is the database's
    engine, or a connection already open on it (inside a write's transaction)."""
    real = datetime.now().replace(microsecond=0)
    meta = _meta(bind)
    if meta.get("dataset") != "demo" or not meta.get("as_of"):
        return real
    stamp = datetime.combine(date.fromisoformat(meta["as_of"]), real.time())
    if isinstance(bind, Connection):
        latest = _latest(bind)
    else:
        with bind.connect() as conn:
            latest = _latest(conn)
    return max(stamp, latest + timedelta(seconds=1)) if latest else stamp


def today(bind: Engine | Connection) -> date:
    """The day of a write (see :func:`now`)."""
    return now(bind).date()
