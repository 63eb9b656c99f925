"""Every read: plain arguments in, DataFrames or plain dicts out, aggregated in SQL.

A :class:`Filters` value describes the current selection; its period range selects projects by
the semester in which they were proposed. A project belongs to a territory or
commune when its primary commune or one of its further communes is there; aggregates by place
(maps, equity) use the primary commune only, so that nothing is counted twice.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import pandas as pd
from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.engine import Engine

from essdash.domain import equity, periods
from essdash.domain import models as m
from essdash.domain.models import FundingType, InterventionMode, LegalForm, ProjectStatus, Sector, SheetStatus
from essdash.store.reference import inside_metropolis

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


def _money_by_project():
    return (
        select(m.Funding.project_id, func.sum(m.Funding.amount).label("amount"))
        .group_by(m.Funding.project_id)
        .subquery("money")
    )


def _labels(series: pd.Series, enum) -> pd.Series:
    return series.map(enum.labels()).fillna(series)


def project_register(engine: Engine, filters: Filters) -> pd.DataFrame:
    """The register of projects matching ``filters``, one row per project, French labels."""
    money = _money_by_project()
    sheets = (
        select(m.ProjectSheet.project_id, func.group_concat(m.ActionSheet.code, ", ").label("sheets"))
        .join(m.ActionSheet, m.ActionSheet.id == m.ProjectSheet.sheet_id)
        .group_by(m.ProjectSheet.project_id)
        .subquery("sheets")
    )
    stmt = (
        select(
            P.id,
            P.title,
            m.Organisation.name.label("carrier"),
            m.Organisation.legal_form,
            C.name.label("commune"),
            C.insee_code,
            T.name.label("territory"),
            P.status,
            func.coalesce(sheets.c.sheets, "").label("sheets"),
            P.sector,
            P.intervention_mode,
            func.coalesce(money.c.amount, 0.0).label("amount"),
            P.jobs_created,
            P.jobs_maintained,
            P.beneficiaries,
            P.priority_district,
            P.proposed_on,
        )
        .join(m.Organisation, m.Organisation.id == P.carrier_id)
        .join(C, C.insee_code == P.commune_code)
        .join(T, T.code == C.territory_code)
        .outerjoin(money, money.c.project_id == P.id)
        .outerjoin(sheets, sheets.c.project_id == P.id)
        .where(*project_conditions(filters))
        .order_by(P.proposed_on.desc(), P.id.desc())
    )
    frame = read_frame(engine, stmt)
    frame["legal_form"] = _labels(frame["legal_form"], LegalForm)
    frame["status"] = _labels(frame["status"], ProjectStatus)
    frame["sector"] = _labels(frame["sector"], Sector)
    frame["intervention_mode"] = _labels(frame["intervention_mode"], InterventionMode)
    frame["priority_district"] = frame["priority_district"].astype(bool)
    return frame


def key_figures(engine: Engine, filters: Filters) -> dict[str, float]:
    """Headline numbers for the selection: projects, carriers, communes, money, jobs, beneficiaries."""
    money = _money_by_project()
    stmt = (
        select(
            func.count(P.id),
            func.count(func.distinct(P.carrier_id)),
            func.count(func.distinct(P.commune_code)),
            func.coalesce(func.sum(money.c.amount), 0.0),
            func.coalesce(func.sum(P.jobs_created), 0),
            func.coalesce(func.sum(P.jobs_maintained), 0),
            func.coalesce(func.sum(P.beneficiaries), 0),
            func.coalesce(func.sum(case((P.priority_district, 1), else_=0)), 0),
        )
        .outerjoin(money, money.c.project_id == P.id)
        .where(*project_conditions(filters))
    )
    with engine.connect() as conn:
        row = conn.execute(stmt).one()
    keys = (
        "projects",
        "carriers",
        "communes",
        "money",
        "jobs_created",
        "jobs_maintained",
        "beneficiaries",
        "priority_district",
    )
    return dict(zip(keys, row))


def projects_by_status(engine: Engine, filters: Filters) -> pd.DataFrame:
    """Count of projects per lifecycle status, in lifecycle order, zeros included."""
    stmt = select(P.status, func.count(P.id)).where(*project_conditions(filters)).group_by(P.status)
    with engine.connect() as conn:
        counts = dict(conn.execute(stmt).all())
    return pd.DataFrame(
        [
            {"status": s.value, "label": s.label, "order": i, "projects": counts.get(s.value, 0)}
            for i, s in enumerate(ProjectStatus)
        ]
    )


def money_by_funder(engine: Engine, filters: Filters) -> pd.DataFrame:
    """Money committed per funder for the selection, largest first."""
    stmt = (
        select(
            m.Funder.name.label("funder"),
            m.Funder.kind,
            func.sum(m.Funding.amount).label("amount"),
            func.count(m.Funding.id).label("fundings"),
        )
        .join(m.Funding, m.Funding.funder_id == m.Funder.id)
        .join(P, P.id == m.Funding.project_id)
        .where(*project_conditions(filters))
        .group_by(m.Funder.id)
        .order_by(func.sum(m.Funding.amount).desc())
    )
    return read_frame(engine, stmt)


def sheets_by_status(engine: Engine, filters: Filters) -> pd.DataFrame:
    """Fiches per status: the whole plan, or the fiches the selection's projects serve."""
    sheet = m.ActionSheet
    stmt = select(sheet.status, func.count(sheet.id))
    if filters != Filters():
        served = (
            select(m.ProjectSheet.sheet_id)
            .join(P, P.id == m.ProjectSheet.project_id)
            .where(*project_conditions(filters))
        )
        stmt = stmt.where(sheet.id.in_(served))
    with engine.connect() as conn:
        counts = dict(conn.execute(stmt.group_by(sheet.status)).all())
    return pd.DataFrame(
        [
            {"status": s.value, "label": s.label, "order": i, "sheets": counts.get(s.value, 0)}
            for i, s in enumerate(SheetStatus)
        ]
    )


def jobs_by_territory(engine: Engine, filters: Filters) -> pd.DataFrame:
    """Jobs created and maintained per territory of the projects' primary commune."""
    stmt = (
        select(
            T.name.label("territory"),
            T.position,
            func.coalesce(func.sum(P.jobs_created), 0).label("jobs_created"),
            func.coalesce(func.sum(P.jobs_maintained), 0).label("jobs_maintained"),
        )
        .join(C, C.insee_code == P.commune_code)
        .join(T, T.code == C.territory_code)
        .where(*project_conditions(filters))
        .group_by(T.code)
        .order_by(T.position)
    )
    return read_frame(engine, stmt)


def project_detail(engine: Engine, project_id: int) -> dict | None:
    """Everything about one project: fields, carrier, places, fiches, fundings, steps, opinions."""
    stmt = (
        select(
            P,
            m.Organisation.name.label("carrier"),
            m.Organisation.legal_form,
            C.name.label("commune"),
            T.name.label("territory"),
            T.code.label("territory_code"),
        )
        .join(m.Organisation, m.Organisation.id == P.carrier_id)
        .join(C, C.insee_code == P.commune_code)
        .join(T, T.code == C.territory_code)
        .where(P.id == project_id)
    )
    with engine.connect() as conn:
        row = conn.execute(stmt).mappings().first()
        if row is None:
            return None
        detail = dict(row)
        detail["further_communes"] = [
            r[0]
            for r in conn.execute(
                select(C.name)
                .join(m.ProjectCommune, m.ProjectCommune.commune_code == C.insee_code)
                .where(m.ProjectCommune.project_id == project_id)
                .order_by(C.name)
            )
        ]
        detail["sheets"] = [
            dict(r)
            for r in conn.execute(
                select(m.ActionSheet.code, m.ActionSheet.title)
                .join(m.ProjectSheet, m.ProjectSheet.sheet_id == m.ActionSheet.id)
                .where(m.ProjectSheet.project_id == project_id)
                .order_by(m.ActionSheet.position)
            ).mappings()
        ]
    detail["fundings"] = read_frame(
        engine,
        select(m.Funder.name.label("funder"), m.Funding.type, m.Funding.amount, m.Funding.year)
        .join(m.Funder, m.Funder.id == m.Funding.funder_id)
        .where(m.Funding.project_id == project_id)
        .order_by(m.Funding.year, m.Funding.amount.desc()),
    )
    detail["fundings"]["type"] = _labels(detail["fundings"]["type"], FundingType)
    detail["events"] = read_frame(
        engine,
        select(
            m.ProjectEvent.date,
            m.ProjectEvent.from_status,
            m.ProjectEvent.to_status,
            m.Meeting.title.label("meeting"),
            m.Opinion.value.label("opinion"),
            m.ProjectEvent.author,
            m.ProjectEvent.comment,
        )
        .outerjoin(m.Meeting, m.Meeting.id == m.ProjectEvent.meeting_id)
        .outerjoin(
            m.Opinion,
            and_(m.Opinion.meeting_id == m.ProjectEvent.meeting_id, m.Opinion.project_id == m.ProjectEvent.project_id),
        )
        .where(m.ProjectEvent.project_id == project_id)
        .order_by(m.ProjectEvent.date, m.ProjectEvent.id),
    )
    for column in ("from_status", "to_status"):
        detail["events"][column] = _labels(detail["events"][column], ProjectStatus)
    detail["events"] = detail["events"].fillna({"meeting": "", "opinion": "", "from_status": ""})
    return detail


def territory_options(engine: Engine) -> pd.DataFrame:
    stmt = (
        select(T.code, T.name, func.count(C.insee_code).label("communes"), func.sum(C.population).label("population"))
        .join(C, C.territory_code == T.code)
        .group_by(T.code)
        .order_by(T.position)
    )
    return read_frame(engine, stmt)


def commune_options(engine: Engine, territory: str | None = None) -> pd.DataFrame:
    stmt = select(C.insee_code, C.name, C.territory_code, C.population).order_by(C.name)
    if territory:
        stmt = stmt.where(C.territory_code == territory)
    return read_frame(engine, stmt)


def sheet_options(engine: Engine) -> pd.DataFrame:
    stmt = select(m.ActionSheet.code, m.ActionSheet.title, m.ActionSheet.parent_id).order_by(m.ActionSheet.position)
    return read_frame(engine, stmt)


def plan_title(engine: Engine) -> str:
    with engine.connect() as conn:
        return conn.execute(select(m.Plan.title)).scalar_one_or_none() or ""


def dataset_info(engine: Engine) -> dict[str, str]:
    """The database's meta entries (``dataset`` is ``demo`` or ``empty``, ``as_of`` …)."""
    with engine.connect() as conn:
        return dict(conn.execute(select(m.MetaEntry.key, m.MetaEntry.value)).all())


def counts(engine: Engine) -> dict[str, int]:
    """Row counts of the main tables (for the command line and checks)."""
    tables = {
        "territoires": T,
        "communes": C,
        "fiches": m.ActionSheet,
        "actions": m.Action,
        "porteurs": m.Organisation,
        "projets": P,
        "financements": m.Funding,
        "séances": m.Meeting,
        "avis": m.Opinion,
        "indicateurs": m.Indicator,
        "valeurs": m.Measurement,
    }
    with engine.connect() as conn:
        return {
            name: conn.execute(select(func.count()).select_from(table)).scalar_one() for name, table in tables.items()
        }


def _without_place(filters: Filters) -> Filters:
    return filters.with_(territory=None, commune=None)


def place_figures(engine: Engine, filters: Filters, level: str = "commune") -> pd.DataFrame:
    """Projects, money and jobs per commune or territory, with per-capita rates.

    Counts follow the projects' primary commune and every filter but the place ones (the map
    compares all places). A commune that had not joined by the end of the period range is marked
    ``member = False`` and left out of populations and rates.
    """
    money = _money_by_project()
    stmt = (
        select(
            P.commune_code.label("insee_code"),
            func.count(P.id).label("projects"),
            func.coalesce(func.sum(money.c.amount), 0.0).label("money"),
            func.coalesce(func.sum(P.jobs_created), 0).label("jobs_created"),
            func.coalesce(func.sum(P.jobs_maintained), 0).label("jobs_maintained"),
        )
        .outerjoin(money, money.c.project_id == P.id)
        .where(*project_conditions(_without_place(filters)))
        .group_by(P.commune_code)
    )
    counts_ = read_frame(engine, stmt).set_index("insee_code")
    communes = read_frame(
        engine,
        select(
            C.insee_code,
            C.name,
            C.territory_code,
            T.name.label("territory"),
            C.population,
            C.member_since,
            T.position,
            C.lat,
            C.lon,
        )
        .join(T, T.code == C.territory_code)
        .order_by(C.insee_code),
    )
    last_year = periods.parse(filters.period_to)[0] if filters.period_to else date.today().year
    communes["member"] = communes["member_since"] <= last_year
    frame = communes.join(counts_, on="insee_code").fillna(
        {"projects": 0, "money": 0.0, "jobs_created": 0, "jobs_maintained": 0}
    )
    frame.loc[~frame["member"], "population"] = 0
    if level == "territory":
        frame = (
            frame.groupby(["territory_code", "territory", "position"], as_index=False)
            .agg(
                population=("population", "sum"),
                projects=("projects", "sum"),
                money=("money", "sum"),
                jobs_created=("jobs_created", "sum"),
                jobs_maintained=("jobs_maintained", "sum"),
                communes=("member", "sum"),
            )
            .sort_values("position")
            .rename(columns={"territory_code": "code", "territory": "name"})
        )
        frame["member"] = True
    else:
        frame = frame.rename(columns={"insee_code": "code"})
    frame["projects_per_10k"] = equity.rate_per(frame["projects"], frame["population"])
    frame["money_per_inhabitant"] = equity.rate_per(frame["money"], frame["population"], per=1)
    frame["jobs_per_10k"] = equity.rate_per(frame["jobs_created"], frame["population"])
    return frame.reset_index(drop=True)


def project_points(engine: Engine, filters: Filters) -> pd.DataFrame:
    """The selection's projects with a map position and how it was obtained.

    ``placed`` is ``"exact"`` (own coordinates inside the metropolis), ``"commune"`` (no
    coordinates: the primary commune's representative point) or ``"outside"`` (coordinates
    outside the metropolis: shown at the commune's point and flagged for correction).
    """
    money = _money_by_project()
    stmt = (
        select(
            P.id,
            P.title,
            m.Organisation.name.label("carrier"),
            C.name.label("commune"),
            P.status,
            func.coalesce(money.c.amount, 0.0).label("amount"),
            P.jobs_created,
            P.lat.label("own_lat"),
            P.lon.label("own_lon"),
            C.lat.label("commune_lat"),
            C.lon.label("commune_lon"),
        )
        .join(m.Organisation, m.Organisation.id == P.carrier_id)
        .join(C, C.insee_code == P.commune_code)
        .outerjoin(money, money.c.project_id == P.id)
        .where(*project_conditions(filters))
        .order_by(P.id)
    )
    frame = read_frame(engine, stmt)
    has_point = frame["own_lat"].notna() & frame["own_lon"].notna()
    inside = pd.Series(False, index=frame.index)
    if has_point.any():
        inside[has_point] = inside_metropolis(
            frame.loc[has_point, "own_lat"].to_numpy(), frame.loc[has_point, "own_lon"].to_numpy()
        )
    frame["placed"] = "commune"
    frame.loc[has_point & inside, "placed"] = "exact"
    frame.loc[has_point & ~inside, "placed"] = "outside"
    exact = frame["placed"] == "exact"
    frame["lat"] = frame["own_lat"].where(exact, frame["commune_lat"])
    frame["lon"] = frame["own_lon"].where(exact, frame["commune_lon"])
    frame["status"] = _labels(frame["status"], ProjectStatus)
    return frame.drop(columns=["commune_lat", "commune_lon"])


def place_summary(figures: pd.DataFrame, code: str) -> dict | None:
    """One place's figures from :func:`place_figures`, beside the metropolitan rates."""
    rows = figures[figures["code"] == code]
    if rows.empty:
        return None
    row = rows.iloc[0].to_dict()
    totals = figures.loc[figures["member"], ["population", "projects", "money", "jobs_created"]].sum().to_frame().T
    row["metro"] = {
        "projects_per_10k": float(equity.rate_per(totals["projects"], totals["population"]).iloc[0]),
        "money_per_inhabitant": float(equity.rate_per(totals["money"], totals["population"], per=1).iloc[0]),
        "jobs_per_10k": float(equity.rate_per(totals["jobs_created"], totals["population"]).iloc[0]),
    }
    return row


def white_spots(engine: Engine, filters: Filters, last_n: int) -> pd.DataFrame:
    """Member communes with no project (primary commune) proposed in the last ``last_n`` semesters
    up to the end of the period range, with the date of their latest project if any."""
    last = filters.period_to or periods.of_date(date.today())
    first = last
    for _ in range(last_n - 1):
        first = periods.previous(first)
    latest = (
        select(P.commune_code, func.max(P.proposed_on).label("latest"))
        .where(*project_conditions(_without_place(filters).with_(period_from=None)))
        .group_by(P.commune_code)
        .subquery()
    )
    stmt = (
        select(C.insee_code, C.name, T.name.label("territory"), C.population, latest.c.latest)
        .join(T, T.code == C.territory_code)
        .outerjoin(latest, latest.c.commune_code == C.insee_code)
        .where(
            C.member_since <= periods.parse(last)[0],
            (latest.c.latest.is_(None)) | (latest.c.latest < periods.bounds(first)[0]),
        )
        .order_by(C.population.desc())
    )
    return read_frame(engine, stmt)
