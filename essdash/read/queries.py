"""Reads of the register: plain arguments in, DataFrames or plain dicts out, aggregated in SQL.

The selection is a :class:`essdash.read.filters.Filters`; its period range selects projects by the
semester in which they were proposed. Aggregates by place live in :mod:`essdash.read.places`.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import and_, case, func, select
from sqlalchemy.engine import Engine

from essdash.domain import models as m
from essdash.domain.vocabulary import FundingType, InterventionMode, LegalForm, ProjectStatus, Sector, SheetStatus
from essdash.read.filters import Filters, labels, money_by_project, project_conditions, read_frame

P, C, T = m.Project, m.Commune, m.Territory


def project_register(engine: Engine, filters: Filters) -> pd.DataFrame:
    """The register of projects matching ``filters``, one row per project, French labels."""
    money = money_by_project()
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
    frame["legal_form"] = labels(frame["legal_form"], LegalForm)
    frame["status"] = labels(frame["status"], ProjectStatus)
    frame["sector"] = labels(frame["sector"], Sector)
    frame["intervention_mode"] = labels(frame["intervention_mode"], InterventionMode)
    frame["priority_district"] = frame["priority_district"].astype(bool)
    return frame


def key_figures(engine: Engine, filters: Filters) -> dict[str, float]:
    """Headline numbers for the selection: projects, carriers, communes, money, jobs, beneficiaries."""
    money = money_by_project()
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
    detail["fundings"]["type"] = labels(detail["fundings"]["type"], FundingType)
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
        detail["events"][column] = labels(detail["events"][column], ProjectStatus)
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
