"""The exported record views: projects, carriers, fundings, fiches and indicator values, one row each.

Each view is a DataFrame with French headers, built from the same reads and filters as the pages
(:func:`essdash.read.queries.project_register`, :func:`~essdash.read.filters.project_conditions`).
Importable views use the import's headers (:mod:`essdash.spreadsheet.columns`), so an exported file
imports back unchanged. :mod:`essdash.read.exports` picks a view and writes it as a file.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Select, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased
from sqlmodel import col

from essdash.domain import fields
from essdash.domain import models as m
from essdash.domain.fields import FUNDING_FACTS
from essdash.domain.vocabulary import FundingType, LegalForm, Provenance, SheetStatus
from essdash.read import queries
from essdash.read.filters import Filters, in_plan, project_conditions, read_frame
from essdash.read.plans import FICTIONAL
from essdash.spreadsheet.columns import FUNDINGS, MEASUREMENTS, ORGANISATIONS, PROJECTS, Kind

P, C, T = m.Project, m.Commune, m.Territory


def _headed(frame: pd.DataFrame, kind: Kind, keys: dict[str, str]) -> pd.DataFrame:
    """Rename ``{frame column: kind column key}`` to the kind's French headers, in that order."""
    return frame[list(keys)].rename(columns={col: kind.header(key) for col, key in keys.items()})


def _selected_ids(filters: Filters) -> Select[int | None]:
    return select(col(P.id)).where(*project_conditions(filters))


def projects(engine: Engine, filters: Filters) -> pd.DataFrame:
    """The register as the Projets page shows it, with every exported field of the declaration
    (:data:`essdash.domain.fields.PROJECTS`): the import reads it back."""
    register = queries.project_register(engine, filters)
    own = [f.key for f in fields.PROJECTS.stored() if f.exported and f.key not in register.columns]
    extra = read_frame(
        engine,
        select(col(P.id), *(col(getattr(P, key)) for key in own)).where(col(P.id).in_(_selected_ids(filters))),
    )
    further = read_frame(
        engine,
        select(col(m.ProjectCommune.project_id).label("id"), col(C.name))
        .join(C, col(C.insee_code) == col(m.ProjectCommune.commune_code))
        .where(col(m.ProjectCommune.project_id).in_(_selected_ids(filters)))
        .order_by(col(C.name)),
    )
    frame = register.merge(extra, on="id", how="left")
    frame["further"] = frame["id"].map(further.groupby("id")["name"].agg(", ".join)).astype(object).fillna("")
    held = {"carrier_legal_form": "legal_form", "further_communes": "further"}  # the frame's names of two fields
    return _headed(frame, PROJECTS, {held.get(f.key, f.key): f.key for f in fields.PROJECTS.fields if f.exported})


def organisations(engine: Engine, filters: Filters) -> pd.DataFrame:
    """Carriers (all of them, or those of the selection's projects) with their number of projects."""
    o = m.Organisation
    counted = (
        select(col(P.carrier_id), func.count(col(P.id)).label("projects"))
        .where(*project_conditions(filters))
        .group_by(col(P.carrier_id))
        .subquery()
    )
    stmt: Select[*tuple[Any, ...]] = (
        select(
            col(o.name),
            col(o.legal_form),
            col(C.name).label("commune"),
            col(o.commune_code),
            col(o.created_year),
            col(o.siret),
            col(o.rna),
            func.coalesce(counted.c.projects, 0).label("projects"),
        )
        .outerjoin(C, col(C.insee_code) == col(o.commune_code))
        .outerjoin(counted, counted.c.carrier_id == col(o.id))
        .order_by(col(o.name))
    )
    if filters.narrows_projects:  # carriers are shared by every plan
        stmt = stmt.where(counted.c.projects > 0)
    frame = read_frame(engine, stmt)
    frame["legal_form"] = frame["legal_form"].map(LegalForm.labels())
    frame["created_year"] = frame["created_year"].astype("Int64")
    return _headed(
        frame,
        ORGANISATIONS,
        {
            "name": "name",
            "legal_form": "legal_form",
            "commune": "commune",
            "commune_code": "insee_code",
            "created_year": "created_year",
            "siret": "siret",
            "rna": "rna",
            "projects": "projects",
        },
    )


def fundings(engine: Engine, filters: Filters) -> pd.DataFrame:
    """Every funding of the selection's projects, with what identifies its project."""
    stmt: Select[*tuple[Any, ...]] = (
        select(
            col(P.id),
            col(P.title),
            col(m.Organisation.name).label("carrier"),
            col(C.name).label("commune"),
            col(C.insee_code),
            col(m.Funder.name).label("funder"),
            col(m.Funder.kind).label("funder_kind"),
            col(m.Funding.type),
            col(m.Funding.amount),
            col(m.Funding.year),
            col(m.Funder.siret).label("funder_siret"),
            *(col(getattr(m.Funding, key)) for key in FUNDING_FACTS),
        )
        .join(P, col(P.id) == col(m.Funding.project_id))
        .join(m.Organisation, col(m.Organisation.id) == col(P.carrier_id))
        .join(C, col(C.insee_code) == col(P.commune_code))
        .join(m.Funder, col(m.Funder.id) == col(m.Funding.funder_id))
        .where(*project_conditions(filters))
        .order_by(col(P.id), col(m.Funding.year), col(m.Funder.name), col(m.Funding.id))
    )
    frame = read_frame(engine, stmt)
    frame["type"] = frame["type"].map(FundingType.labels())
    frame["eu_notification"] = frame["eu_notification"].map({True: "oui", False: "non"})
    return _headed(
        frame,
        FUNDINGS,
        {
            "id": "project_id",
            "title": "project",
            "carrier": "carrier",
            "commune": "commune",
            "insee_code": "insee_code",
            "funder": "funder",
            "funder_kind": "funder_kind",
            "type": "type",
            "amount": "amount",
            "year": "year",
            "funder_siret": "funder_siret",
            **{key: key for key in FUNDING_FACTS},
        },
    )


def sheets(engine: Engine, filters: Filters) -> pd.DataFrame:
    """The chosen plan's fiches (those the selection's projects serve, when filtered) with their state."""
    s, axis = m.ActionSheet, m.Axis
    plan = filters.plan
    served = (
        select(col(m.ProjectSheet.sheet_id), func.count(col(m.ProjectSheet.project_id)).label("projects"))
        .where(col(m.ProjectSheet.project_id).in_(_selected_ids(filters)))
        .group_by(col(m.ProjectSheet.sheet_id))
        .subquery()
    )
    stmt: Select[*tuple[Any, ...]] = (
        select(
            col(m.Plan.code).label("plan"),
            col(m.Plan.fictional),
            col(s.code),
            col(s.title),
            col(axis.code).label("axis"),
            col(s.status),
            col(s.progress),
            col(s.pilot),
            col(s.planned_start),
            col(s.planned_end),
            func.coalesce(served.c.projects, 0).label("projects"),
        )
        .join(axis, col(axis.id) == col(s.axis_id))
        .join(m.Plan, col(m.Plan.id) == col(axis.plan_id))
        .outerjoin(served, served.c.sheet_id == col(s.id))
        .where(*([in_plan(s, plan)] if plan else []))
        .order_by(col(s.position))
    )
    if filters.narrows_projects:
        stmt = stmt.where(served.c.projects > 0)
    frame = read_frame(engine, stmt)
    frame["status"] = frame["status"].map(SheetStatus.labels())
    frame["plan"] = frame["plan"].where(~frame["fictional"].astype(bool), frame["plan"] + f" ({FICTIONAL})")
    return frame.drop(columns="fictional").rename(
        columns={
            "plan": "Plan",
            "code": "Code",
            "title": "Fiche",
            "axis": "Axe",
            "status": "Statut",
            "progress": "Avancement (%)",
            "pilot": "Pilote",
            "planned_start": "Début prévu",
            "planned_end": "Fin prévue",
            "projects": "Projets de la sélection",
        }
    )


def measurements(engine: Engine, filters: Filters) -> pd.DataFrame:
    """Current indicator values of the selection's place and semesters."""
    v, i = m.Measurement, m.Indicator
    commune = aliased(C, name="place_commune")
    stmt: Select[*tuple[Any, ...]] = (
        select(
            col(v.indicator_code),
            col(i.label),
            col(i.unit),
            col(v.period),
            col(T.name).label("territory"),
            col(commune.name).label("commune"),
            col(v.commune_code),
            col(v.value),
            col(v.provenance),
            col(v.source),
            col(v.recorded_at),
            col(v.recorded_by),
        )
        .join(i, col(i.code) == col(v.indicator_code))
        .outerjoin(T, col(T.code) == col(v.territory_code))
        .outerjoin(commune, col(commune.insee_code) == col(v.commune_code))
        .where(col(v.superseded_at).is_(None))
        .order_by(col(v.indicator_code), col(v.period), col(T.position), col(commune.name))
    )
    if filters.commune:
        stmt = stmt.where(col(v.commune_code) == filters.commune)
    elif filters.territory:
        stmt = stmt.where(
            (col(v.territory_code) == filters.territory)
            | col(v.commune_code).in_(select(col(C.insee_code)).where(col(C.territory_code) == filters.territory))
        )
    if filters.period_from:
        stmt = stmt.where(col(v.period) >= filters.period_from)
    if filters.period_to:
        stmt = stmt.where(col(v.period) <= filters.period_to)
    frame = read_frame(engine, stmt)
    frame["provenance"] = frame["provenance"].map(Provenance.labels())
    return _headed(
        frame,
        MEASUREMENTS,
        {
            "indicator_code": "indicator",
            "label": "indicator_label",
            "unit": "unit",
            "period": "period",
            "territory": "territory",
            "commune": "commune",
            "commune_code": "insee_code",
            "value": "value",
            "provenance": "provenance",
            "source": "source",
            "recorded_at": "recorded_at",
            "recorded_by": "recorded_by",
        },
    )
