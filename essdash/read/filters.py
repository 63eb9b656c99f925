"""The selection and its SQL: a :class:`Filters` value says which projects a view shows (place,
period of proposal, step, fiche, filière, mode, free text); :func:`project_conditions` turns it into
SQL conditions. A project belongs to a territory or commune when its primary commune or one of its
further communes is there.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd
from sqlalchemy import exists, func, or_, select
from sqlalchemy.engine import Engine

from essdash.domain import models as m
from essdash.domain import periods

P, C, T = m.Project, m.Commune, m.Territory


@dataclass(frozen=True)
class Filters:
    territory: str | None = None
    commune: str | None = None
    statuses: tuple[str, ...] = ()
    sheet: str | None = None
    sector: str | None = None
    mode: str | None = None
    search: str = ""
    period_from: str | None = None
    period_to: str | None = None

    def with_(self, **changes) -> Filters:
        return replace(self, **changes)

    @property
    def is_place_filtered(self) -> bool:
        return bool(self.territory or self.commune)


def read_frame(engine: Engine, stmt) -> pd.DataFrame:
    """Run a SELECT and return its rows as a DataFrame (rows passed as plain tuples: pandas
    probing SQLAlchemy's Row objects attribute by attribute is ten times slower)."""
    with engine.connect() as conn:
        result = conn.execute(stmt)
        return pd.DataFrame.from_records([tuple(row) for row in result], columns=list(result.keys()))


def _place_clause(territory: str | None, commune: str | None):
    clauses = []
    if commune:
        clauses.append(
            or_(
                P.commune_code == commune,
                exists().where(m.ProjectCommune.project_id == P.id, m.ProjectCommune.commune_code == commune),
            )
        )
    if territory:
        in_territory = select(C.insee_code).where(C.territory_code == territory)
        clauses.append(
            or_(
                P.commune_code.in_(in_territory),
                exists().where(m.ProjectCommune.project_id == P.id, m.ProjectCommune.commune_code.in_(in_territory)),
            )
        )
    return clauses


def project_conditions(filters: Filters) -> list:
    """The WHERE clauses on ``Project`` that express ``filters``."""
    clauses = _place_clause(filters.territory, filters.commune)
    if filters.statuses:
        clauses.append(P.status.in_(filters.statuses))
    if filters.sector:
        clauses.append(P.sector == filters.sector)
    if filters.mode:
        clauses.append(P.intervention_mode == filters.mode)
    if filters.sheet:
        sheet, parent = m.ActionSheet, m.ActionSheet.__table__.alias("parent_sheet")
        clauses.append(
            exists().where(
                m.ProjectSheet.project_id == P.id,
                m.ProjectSheet.sheet_id == sheet.id,
                or_(
                    sheet.code == filters.sheet,
                    sheet.parent_id.in_(select(parent.c.id).where(parent.c.code == filters.sheet)),
                ),
            )
        )
    if filters.period_from:
        clauses.append(P.proposed_on >= periods.bounds(filters.period_from)[0])
    if filters.period_to:
        clauses.append(P.proposed_on <= periods.bounds(filters.period_to)[1])
    text = filters.search.strip()
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        carrier = select(m.Organisation.id).where(m.Organisation.name.ilike(pattern, escape="\\"))
        clauses.append(
            or_(
                P.title.ilike(pattern, escape="\\"),
                P.description.ilike(pattern, escape="\\"),
                P.carrier_id.in_(carrier),
            )
        )
    return clauses


def money_by_project():
    """A subquery of the money committed per project (sum of its fundings)."""
    return (
        select(m.Funding.project_id, func.sum(m.Funding.amount).label("amount"))
        .group_by(m.Funding.project_id)
        .subquery("money")
    )


def labels(series: pd.Series, enum) -> pd.Series:
    """The French labels of a column of enumeration codes."""
    return series.map(enum.labels()).fillna(series)
