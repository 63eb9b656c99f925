"""Reads of the register: plain arguments in, DataFrames or plain dicts out, aggregated in SQL.

The selection is a :class:`essdash.read.filters.Filters`; its period range selects projects by the
semester in which they were proposed. Aggregates by place live in :mod:`essdash.read.places`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.engine import Engine
from sqlmodel import col

from essdash.domain import field_kinds, fields, steps
from essdash.domain import models as m
from essdash.domain.vocabulary import FundingType, ProjectStatus, SheetStatus
from essdash.read import history
from essdash.read.filters import Filters, in_plan, labels, money_by_project, project_conditions, read_frame, step_on
from essdash.store.sql import joined

P, C, T = m.Project, m.Commune, m.Territory


REGISTER_NAMES = {"carrier_legal_form": "legal_form"}  # a register's column named other than its field


def register_fields() -> dict[str, field_kinds.Field]:
    """The register's columns (the declared fields of the view « register », in their order), by name."""
    return {REGISTER_NAMES.get(f.key, f.key): f for f in fields.PROJECTS.shown_in("register")}


def project_register(engine: Engine, filters: Filters) -> pd.DataFrame:
    """The register of projects matching ``filters``, one row per project, French labels: the
    declared fields of the view « register » (:func:`register_fields`), a project's own column read
    as it is stored, the others (carrier, places, step on the reference day, fiches, money) joined."""
    money = money_by_project(filters.history_day)
    sheets = (
        select(
            col(m.ProjectSheet.project_id), joined(col(m.ActionSheet.code), ", ", col(m.ActionSheet.id)).label("sheets")
        )
        .join(m.ActionSheet, col(m.ActionSheet.id) == col(m.ProjectSheet.sheet_id))
        .group_by(col(m.ProjectSheet.project_id))
        .subquery("sheets")
    )
    joined_columns = {
        "carrier": col(m.Organisation.name).label("carrier"),
        "carrier_legal_form": col(m.Organisation.legal_form),
        "commune": col(C.name).label("commune"),
        "insee_code": col(C.insee_code),
        "territory": col(T.name).label("territory"),
        "status": step_on(filters.history_day).label("status"),
        "sheets": func.coalesce(sheets.c.sheets, "").label("sheets"),
        "amount": func.coalesce(money.c.amount, 0.0).label("amount"),
    }
    shown = register_fields()
    stmt: Select[*tuple[Any, ...]] = (
        select(
            *(
                joined_columns[f.key] if f.key in joined_columns else col(getattr(P, str(f.column))).label(name)
                for name, f in shown.items()
            )
        )
        .join(m.Organisation, col(m.Organisation.id) == col(P.carrier_id))
        .join(C, col(C.insee_code) == col(P.commune_code))
        .join(T, col(T.code) == col(C.territory_code))
        .outerjoin(money, money.c.project_id == col(P.id))
        .outerjoin(sheets, sheets.c.project_id == col(P.id))
        .where(*project_conditions(filters))
        .order_by(col(P.proposed_on).desc(), col(P.id).desc())
    )
    frame = read_frame(engine, stmt)
    for name, field in shown.items():
        if field.codes is not None:
            frame[name] = labels(frame[name], field.codes)
        elif field.type is field_kinds.FieldType.BOOLEAN:
            frame[name] = frame[name].astype(bool)
    return frame


def key_figures(engine: Engine, filters: Filters) -> dict[str, float]:
    """Headline numbers for the selection: projects, carriers, communes, money, jobs, beneficiaries."""
    money = money_by_project(filters.history_day)
    stmt = (
        select(
            func.count(col(P.id)),
            func.count(func.distinct(col(P.carrier_id))),
            func.count(func.distinct(col(P.commune_code))),
            func.coalesce(func.sum(money.c.amount), 0.0),
            func.coalesce(func.sum(col(P.jobs_created)), 0),
            func.coalesce(func.sum(col(P.jobs_maintained)), 0),
            func.coalesce(func.sum(col(P.beneficiaries)), 0),
            func.coalesce(func.sum(case((col(P.priority_district), 1), else_=0)), 0),
        )
        .outerjoin(money, money.c.project_id == col(P.id))
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
    step = step_on(filters.history_day)
    stmt = select(step, func.count(col(P.id))).where(*project_conditions(filters)).group_by(step)
    with engine.connect() as conn:
        counts: dict[str, int] = {status: n for status, n in conn.execute(stmt).all()}
    return pd.DataFrame(
        [
            {"status": s.value, "label": s.label, "order": i, "projects": counts.get(s.value, 0)}
            for i, s in enumerate(ProjectStatus)
        ]
    )


def money_by_funder(engine: Engine, filters: Filters) -> pd.DataFrame:
    """Money committed per funder for the selection, largest first (on a reference day, the
    fundings of the years up to that day's year)."""
    years = [col(m.Funding.year) <= filters.history_day.year] if filters.history_day else []
    stmt: Select[*tuple[Any, ...]] = (
        select(
            col(m.Funder.name).label("funder"),
            col(m.Funder.kind),
            func.sum(col(m.Funding.amount)).label("amount"),
            func.count(col(m.Funding.id)).label("fundings"),
        )
        .join(m.Funding, col(m.Funding.funder_id) == col(m.Funder.id))
        .join(P, col(P.id) == col(m.Funding.project_id))
        .where(*project_conditions(filters), *years)
        .group_by(col(m.Funder.id))
        .order_by(func.sum(col(m.Funding.amount)).desc())
    )
    return read_frame(engine, stmt)


def sheets_by_status(engine: Engine, filters: Filters) -> pd.DataFrame:
    """Fiches of the chosen plan per status (on the selection's reference day): the whole plan, or
    the fiches the selection's projects serve."""
    states = history.sheet_states_on(engine, filters.history_day) if filters.history_day else None
    plan = filters.plan
    stmt = select(col(m.ActionSheet.id), col(m.ActionSheet.status))
    if plan:
        stmt = stmt.where(in_plan(m.ActionSheet, plan))
    if filters.with_(as_of=None, latest=False, plan=None) != Filters():
        served = (
            select(col(m.ProjectSheet.sheet_id))
            .join(P, col(P.id) == col(m.ProjectSheet.project_id))
            .where(*project_conditions(filters))
        )
        stmt = stmt.where(col(m.ActionSheet.id).in_(served))
    sheets = read_frame(engine, stmt)
    if states is not None:
        sheets["status"] = sheets["id"].map(states.set_index("sheet_id")["status"])
    counts = sheets["status"].value_counts()
    return pd.DataFrame(
        [
            {"status": s.value, "label": s.label, "order": i, "sheets": counts.get(s.value, 0)}
            for i, s in enumerate(SheetStatus)
        ]
    )


def jobs_by_territory(engine: Engine, filters: Filters) -> pd.DataFrame:
    """Jobs created and maintained per territory of the projects' primary commune."""
    stmt: Select[*tuple[Any, ...]] = (
        select(
            col(T.name).label("territory"),
            col(T.position),
            func.coalesce(func.sum(col(P.jobs_created)), 0).label("jobs_created"),
            func.coalesce(func.sum(col(P.jobs_maintained)), 0).label("jobs_maintained"),
        )
        .join(C, col(C.insee_code) == col(P.commune_code))
        .join(T, col(T.code) == col(C.territory_code))
        .where(*project_conditions(filters))
        .group_by(col(T.code))
        .order_by(col(T.position))
    )
    return read_frame(engine, stmt)


def project_detail(engine: Engine, project_id: int) -> dict[str, Any] | None:
    """Everything about one project: fields, carrier, places, fiches, fundings, steps, opinions."""
    stmt: Select[*tuple[Any, ...]] = (
        select(
            P,
            col(m.Organisation.name).label("carrier"),
            col(m.Organisation.legal_form),
            col(C.name).label("commune"),
            col(T.name).label("territory"),
            col(T.code).label("territory_code"),
        )
        .join(m.Organisation, col(m.Organisation.id) == col(P.carrier_id))
        .join(C, col(C.insee_code) == col(P.commune_code))
        .join(T, col(T.code) == col(C.territory_code))
        .where(col(P.id) == project_id)
    )
    with engine.connect() as conn:
        row = conn.execute(stmt).mappings().first()
        if row is None:
            return None
        detail = dict(row)
        detail["further_communes"] = [
            r[0]
            for r in conn.execute(
                select(col(C.name))
                .join(m.ProjectCommune, col(m.ProjectCommune.commune_code) == col(C.insee_code))
                .where(col(m.ProjectCommune.project_id) == project_id)
                .order_by(col(C.name))
            )
        ]
        detail["sheets"] = [
            dict(r)
            for r in conn.execute(
                select(col(m.ActionSheet.code), col(m.ActionSheet.title), col(m.Plan.code).label("plan"))
                .join(m.ProjectSheet, col(m.ProjectSheet.sheet_id) == col(m.ActionSheet.id))
                .join(m.Axis, col(m.Axis.id) == col(m.ActionSheet.axis_id))
                .join(m.Plan, col(m.Plan.id) == col(m.Axis.plan_id))
                .where(col(m.ProjectSheet.project_id) == project_id)
                .order_by(col(m.Plan.start), col(m.ActionSheet.position))
            ).mappings()
        ]
    detail["fundings"] = read_frame(
        engine,
        select(
            col(m.Funder.name).label("funder"),
            col(m.Funding.type),
            col(m.Funding.amount),
            col(m.Funding.year),
        )
        .join(m.Funder, col(m.Funder.id) == col(m.Funding.funder_id))
        .where(col(m.Funding.project_id) == project_id)
        .order_by(col(m.Funding.year), col(m.Funding.amount).desc()),
    )
    detail["fundings"]["type"] = labels(detail["fundings"]["type"], FundingType)
    detail["events"] = read_frame(
        engine,
        select(
            col(m.ProjectEvent.date),
            col(m.ProjectEvent.from_status),
            col(m.ProjectEvent.to_status),
            col(m.Meeting.title).label("meeting"),
            col(m.Opinion.value).label("opinion"),
            col(m.ProjectEvent.author),
            col(m.ProjectEvent.comment),
        )
        .outerjoin(m.Meeting, col(m.Meeting.id) == col(m.ProjectEvent.meeting_id))
        .outerjoin(
            m.Opinion,
            and_(
                col(m.Opinion.meeting_id) == col(m.ProjectEvent.meeting_id),
                col(m.Opinion.project_id) == col(m.ProjectEvent.project_id),
            ),
        )
        .where(col(m.ProjectEvent.project_id) == project_id)
        .order_by(col(m.ProjectEvent.date), col(m.ProjectEvent.id)),
    )
    events = detail["events"]
    unrecorded = (
        events["meeting"].isna()
        & events["to_status"].isin([s.value for s in steps.GROUP_STEPS])
        & (events["from_status"] != events["to_status"])
    )
    events.loc[unrecorded, "meeting"] = steps.UNRECORDED
    for column in ("from_status", "to_status"):
        events[column] = labels(events[column], ProjectStatus)
    detail["events"] = events.fillna({"meeting": "", "opinion": "", "from_status": ""})
    return detail


def territory_options(engine: Engine) -> pd.DataFrame:
    stmt = (
        select(
            col(T.code),
            col(T.name),
            func.count(col(C.insee_code)).label("communes"),
            func.sum(col(C.population)).label("population"),
        )
        .join(C, col(C.territory_code) == col(T.code))
        .group_by(col(T.code))
        .order_by(col(T.position))
    )
    return read_frame(engine, stmt)


def commune_options(engine: Engine, territory: str | None = None) -> pd.DataFrame:
    stmt = select(col(C.insee_code), col(C.name), col(C.territory_code), col(C.population)).order_by(col(C.name))
    if territory:
        stmt = stmt.where(col(C.territory_code) == territory)
    return read_frame(engine, stmt)


def sheet_options(engine: Engine, plan: str | None = None) -> pd.DataFrame:
    """The fiches of the plan ``plan`` (every plan's when None), in the plan's order."""
    stmt = select(col(m.ActionSheet.code), col(m.ActionSheet.title), col(m.ActionSheet.parent_id)).order_by(
        col(m.ActionSheet.position)
    )
    return read_frame(engine, stmt.where(in_plan(m.ActionSheet, plan)) if plan else stmt)


def dataset_info(engine: Engine) -> dict[str, str]:
    """The database's meta entries (``dataset`` is ``demo`` or ``empty``, ``as_of`` …)."""
    with engine.connect() as conn:
        return dict(conn.execute(select(col(m.MetaEntry.key), col(m.MetaEntry.value))).all())


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
