"""The selection and its SQL: a :class:`Filters` value says which projects a view shows (place,
period of proposal, step, fiche, filière, mode, « à qualifier », free text) and on which day (``as_of``, « situation
au … »); :func:`project_conditions` turns it into SQL conditions. A project belongs to a territory
or commune when its primary commune or one of its further communes is there.

On a reference day, a project counts once proposed, stands at the step it had reached that day
(:func:`step_on`) and brings the fundings of the years up to that day's year
(:func:`money_by_project`). Without ``as_of``, today's recorded state.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, Executable, Subquery, exists, func, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, aliased
from sqlmodel import col

from essdash.domain import fmt, periods
from essdash.domain import models as m
from essdash.domain.vocabulary import InterventionMode, LabelledEnum, LegalForm, Sector

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
    to_qualify: bool = False  # only projects whose filière or mode remains « à qualifier »
    period_from: str | None = None
    period_to: str | None = None
    as_of: date | None = None  # the reference day (resolved: always a day)
    latest: bool = False  # as_of is the data's latest date: today's recorded state, not a rebuilt past
    plan: str | None = None  # the plan's code (resolved: the plan in force on as_of unless named)

    def with_(self, **changes: Any) -> Filters:
        return replace(self, **changes)

    @property
    def day(self) -> date:
        """The reference day of resolved filters (:func:`essdash.read.selection.resolve`): the read
        functions that need a day are given resolved filters and never decide a default."""
        if self.as_of is None:
            raise ValueError("Filters not resolved: no reference day (see essdash.read.selection.resolve)")
        return self.as_of

    @property
    def history_day(self) -> date | None:
        """The day whose situation is rebuilt from the dated history (steps, fiche states, fundings
        of the years up to it), or None at the data's latest date (the recorded state)."""
        return None if self.latest else self.as_of

    @property
    def narrows_projects(self) -> bool:
        """Whether the selection leaves out projects (a place, a step, a past day…): anything but the
        plan and the data's latest date."""
        return replace(self, plan=None, as_of=self.history_day, latest=False) != Filters()

    @property
    def is_place_filtered(self) -> bool:
        return bool(self.territory or self.commune)


def read_frame(engine: Engine, stmt: Executable) -> pd.DataFrame:
    """Run a SELECT and return its rows as a DataFrame (rows passed as plain tuples: pandas
    probing SQLAlchemy's Row objects attribute by attribute is ten times slower)."""
    with engine.connect() as conn:
        result = conn.execute(stmt)
        return pd.DataFrame.from_records([tuple(row) for row in result], columns=list(result.keys()))


def _place_clause(territory: str | None, commune: str | None) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if commune:
        clauses.append(
            or_(
                col(P.commune_code) == commune,
                exists().where(
                    col(m.ProjectCommune.project_id) == col(P.id),
                    col(m.ProjectCommune.commune_code) == commune,
                ),
            )
        )
    if territory:
        in_territory = select(col(C.insee_code)).where(col(C.territory_code) == territory)
        clauses.append(
            or_(
                col(P.commune_code).in_(in_territory),
                exists().where(
                    col(m.ProjectCommune.project_id) == col(P.id),
                    col(m.ProjectCommune.commune_code).in_(in_territory),
                ),
            )
        )
    return clauses


def in_plan(sheet: type[m.ActionSheet], plan: str) -> ColumnElement[bool]:
    """The SQL condition that a fiche (``ActionSheet`` or an alias of it) belongs to the plan ``plan``."""
    return col(sheet.axis_id).in_(
        select(col(m.Axis.id)).join(m.Plan, col(m.Plan.id) == col(m.Axis.plan_id)).where(col(m.Plan.code) == plan)
    )


def step_on(day: date | None) -> ColumnElement[Any] | Mapped[str]:
    """The SQL expression of a project's step on ``day``: the last dated step on or before it (same
    day: the later row), else the recorded status; without ``day``, the recorded status."""
    if day is None:
        return col(P.status)
    event = m.ProjectEvent
    last = (
        select(col(event.to_status))
        .where(col(event.project_id) == col(P.id), col(event.date) <= day)
        .order_by(col(event.date).desc(), col(event.id).desc())
        .limit(1)
        .correlate(P)
        .scalar_subquery()
    )
    return func.coalesce(last, col(P.status))


def project_conditions(filters: Filters) -> list[Any]:
    """The WHERE clauses on ``Project`` that express ``filters``."""
    clauses = _place_clause(filters.territory, filters.commune)
    day = filters.history_day
    if day:
        clauses.append(col(P.proposed_on) <= day)
    if filters.statuses:
        clauses.append(step_on(day).in_(filters.statuses))
    if filters.sector:
        clauses.append(col(P.sector) == filters.sector)
    if filters.mode:
        clauses.append(col(P.intervention_mode) == filters.mode)
    if filters.to_qualify:
        clauses.append(
            or_(
                col(P.sector) == Sector.TO_QUALIFY.value,
                col(P.intervention_mode) == InterventionMode.TO_QUALIFY.value,
            )
        )
    if filters.sheet:
        sheet, parent = m.ActionSheet, aliased(m.ActionSheet, name="parent_sheet")
        parents = select(col(parent.id)).where(col(parent.code) == filters.sheet)
        same_plan = [in_plan(sheet, filters.plan)] if filters.plan else []
        clauses.append(
            exists().where(
                col(m.ProjectSheet.project_id) == col(P.id),
                col(m.ProjectSheet.sheet_id) == col(sheet.id),
                or_(col(sheet.code) == filters.sheet, col(sheet.parent_id).in_(parents)),
                *same_plan,
            )
        )
    if filters.period_from:
        clauses.append(col(P.proposed_on) >= periods.bounds(filters.period_from)[0])
    if filters.period_to:
        clauses.append(col(P.proposed_on) <= periods.bounds(filters.period_to)[1])
    text = filters.search.strip()
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        carrier = select(col(m.Organisation.id)).where(col(m.Organisation.name).ilike(pattern, escape="\\"))
        clauses.append(
            or_(
                col(P.title).ilike(pattern, escape="\\"),
                col(P.description).ilike(pattern, escape="\\"),
                col(P.carrier_id).in_(carrier),
            )
        )
    return clauses


def money_by_project(as_of: date | None = None) -> Subquery:
    """A subquery of the money committed per project (sum of its fundings; on a reference day, the
    fundings of the years up to that day's year)."""
    stmt = select(col(m.Funding.project_id), func.sum(col(m.Funding.amount)).label("amount"))
    if as_of:
        stmt = stmt.where(col(m.Funding.year) <= as_of.year)
    return stmt.group_by(col(m.Funding.project_id)).subquery("money")


def labels(series: pd.Series, enum: type[LabelledEnum]) -> pd.Series:
    """The French labels of a column of enumeration codes."""
    return series.map(enum.labels()).fillna(series)


def to_complete(engine: Engine) -> list[str]:
    """What imports left to complete, in French: projects whose filière or mode is « à qualifier »,
    carriers whose legal form was read as « autre »."""
    with engine.connect() as conn:
        sectors = conn.execute(select(func.count()).where(col(P.sector) == Sector.TO_QUALIFY.value)).scalar_one()
        modes = conn.execute(
            select(func.count()).where(col(P.intervention_mode) == InterventionMode.TO_QUALIFY.value)
        ).scalar_one()
        forms = conn.execute(
            select(func.count()).where(col(m.Organisation.legal_form) == LegalForm.OTHER.value)
        ).scalar_one()
    return [
        text
        for n, text in (
            (sectors, f"{fmt.plural(sectors, 'projet')} sans filière (« À qualifier »)"),
            (modes, f"{fmt.plural(modes, 'projet')} sans mode d'intervention (« À qualifier »)"),
            (forms, f"{fmt.plural(forms, 'porteur')} de forme juridique « Autre »"),
        )
        if n
    ]
