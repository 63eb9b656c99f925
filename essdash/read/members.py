"""Reads of accounts: the members of the shared dashboard and the journal of who did what, when.

Both feed the « Accès » page (administrateurs only) and ``python -m essdash users list``.
"""

from __future__ import annotations

from datetime import date, datetime, time

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import col

from essdash.domain import models as m
from essdash.domain.vocabulary import Deed, Role

MEMBER_COLUMNS = ["email", "name", "role", "role_code", "territory", "territory_code", "communes", "commune_codes"]
JOURNAL_LIMIT = 2000  # lines shown at once, newest first


def members(engine: Engine) -> pd.DataFrame:
    """One row per member: e-mail, name, role (French label and code), territory and communes
    (names and codes), sorted by e-mail."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                col(m.Member.email),
                col(m.Member.name),
                col(m.Member.role),
                col(m.Member.territory_code),
                col(m.Member.communes),
            ).order_by(col(m.Member.email))
        ).all()
        territories = dict(conn.execute(select(col(m.Territory.code), col(m.Territory.name))).all())
        communes = dict(conn.execute(select(col(m.Commune.insee_code), col(m.Commune.name))).all())
    return pd.DataFrame(
        [
            {
                "email": email,
                "name": name,
                "role": Role(role).label,
                "role_code": role,
                "territory": territories.get(territory, "") if territory else "",
                "territory_code": territory or "",
                "communes": ", ".join(communes.get(c, c) for c in codes.split(",") if c),
                "commune_codes": codes,
            }
            for email, name, role, territory, codes in rows
        ],
        columns=MEMBER_COLUMNS,
    )


def journal(
    engine: Engine,
    *,
    account: str | None = None,
    deed: str | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: int = JOURNAL_LIMIT,
) -> pd.DataFrame:
    """The gate's journal, newest first, filtered by account, kind of write and days (inclusive)."""
    stmt = select(
        col(m.JournalEntry.at),
        col(m.JournalEntry.name),
        col(m.JournalEntry.account),
        col(m.JournalEntry.role),
        col(m.JournalEntry.deed),
        col(m.JournalEntry.place),
        col(m.JournalEntry.summary),
    )
    if account:
        stmt = stmt.where(col(m.JournalEntry.account) == account)
    if deed:
        stmt = stmt.where(col(m.JournalEntry.deed) == deed)
    if since:
        stmt = stmt.where(col(m.JournalEntry.at) >= datetime.combine(since, time.min))
    if until:
        stmt = stmt.where(col(m.JournalEntry.at) <= datetime.combine(until, time.max))
    with engine.connect() as conn:
        rows = conn.execute(
            stmt.order_by(col(m.JournalEntry.at).desc(), col(m.JournalEntry.id).desc()).limit(limit)
        ).all()
    labels = Deed.labels()
    return pd.DataFrame(
        [
            {
                "Quand": at,
                "Qui": name,
                "Compte": account_ or "poste local",
                "Rôle": role,
                "Action": labels.get(deed_, deed_),
                "Où": place,
                "Détail": summary,
            }
            for at, name, account_, role, deed_, place, summary in rows
        ],
        columns=["Quand", "Qui", "Compte", "Rôle", "Action", "Où", "Détail"],
    )
