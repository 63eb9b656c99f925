"""The open data package: what the committee publishes, as a Frictionless Data Package.

``datapackage.json`` (licence, sources, the fictional-data warning when the base is the demo) and one
CSV resource (UTF-8, comma) per table, each with its Table Schema: territories and communes with their
populations, carriers, projects, fundings, fiches and their status history, indicator values with their
provenance, and the equity findings of each semester. Nothing personal is published: no person's name
or e-mail, no comment, no free description (a project's description, a step's reason may name people),
no author of a change. The public view's package (:func:`essdash.read.public.public_package`) keeps the
indicator values and equity findings of the published semesters only. :mod:`essdash.write.opendata.reimport`
reads such a package back into an empty base.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Executable, func, select
from sqlalchemy.engine import Connection, Engine

from essdash.domain import fmt, periods
from essdash.domain import models as m
from essdash.read import equity_report, followup, places, queries
from essdash.read.filters import Filters
from essdash.read.opendata.resources import RESOURCES, Resource, table_schema
from essdash.read.opendata.scdl import columns_of, table_of
from essdash.read.pack.model import PLAN_START
from essdash.store.reference import ATTRIBUTION

PROFILE = "tabular-data-package"
LICENCE = {
    "name": "etalab-2.0",
    "title": "Licence Ouverte / Open Licence version 2.0",
    "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence",
}
FICTIONAL = (
    "Données FICTIVES : ce paquet est tiré de la base de démonstration d'essdash ; projets, porteurs, "
    "montants, SIRET, RNA et valeurs d'indicateurs sont inventés."
)


def _rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    o, p, f, fu, s = (
        columns_of(m.Organisation),
        columns_of(m.Project),
        columns_of(m.Funding),
        columns_of(m.Funder),
        columns_of(m.ActionSheet),
    )
    with engine.connect() as conn:

        def run(stmt: Executable) -> list[tuple[Any, ...]]:
            return [tuple(r) for r in conn.execute(stmt)]

        communes = run(
            select(
                columns_of(m.Commune).insee_code,
                columns_of(m.Commune).name,
                columns_of(m.Commune).territory_code,
                columns_of(m.Commune).population,
                columns_of(m.Commune).member_since,
                columns_of(m.Commune).lat,
                columns_of(m.Commune).lon,
            ).order_by(columns_of(m.Commune).insee_code)
        )
        population = func.coalesce(func.sum(columns_of(m.Commune).population), 0)
        return {
            "territoires": run(
                select(columns_of(m.Territory).code, columns_of(m.Territory).name, population)
                .join(
                    table_of(m.Commune),
                    columns_of(m.Commune).territory_code == columns_of(m.Territory).code,
                    isouter=True,
                )
                .group_by(columns_of(m.Territory).code, columns_of(m.Territory).name, columns_of(m.Territory).position)
                .order_by(columns_of(m.Territory).position)
            ),
            "communes": communes,
            "porteurs": run(
                select(o.id, o.name, o.legal_form, o.commune_code, o.created_year, o.siret, o.rna).order_by(o.id)
            ),
            "projets": _with_links(
                conn,
                select(
                    p.id,
                    p.title,
                    p.carrier_id,
                    p.commune_code,
                    p.intervention_mode,
                    p.sector,
                    p.status,
                    p.proposed_on,
                    p.start_date,
                    p.end_date,
                    p.jobs_created,
                    p.jobs_maintained,
                    p.beneficiaries,
                    p.priority_district,
                    p.lat,
                    p.lon,
                ).order_by(p.id),
            ),
            "financements": run(
                select(
                    f.id,
                    f.project_id,
                    fu.name,
                    fu.kind,
                    fu.siret,
                    f.type,
                    f.amount,
                    f.year,
                    f.convention_date,
                    f.decision_reference,
                    f.nature,
                    f.payment_conditions,
                    f.payment_dates,
                    f.eu_notification,
                    f.beneficiary_share,
                    f.aid_scheme,
                )
                .join(table_of(m.Funder), fu.id == f.funder_id)
                .order_by(f.id)
            ),
            "fiches": run(
                select(
                    s.id,
                    columns_of(m.Plan).code,
                    columns_of(m.Axis).code,
                    s.code,
                    s.title,
                    s.status,
                    s.progress,
                    s.planned_start,
                    s.planned_end,
                )
                .join(table_of(m.Axis), columns_of(m.Axis).id == s.axis_id)
                .join(table_of(m.Plan), columns_of(m.Plan).id == columns_of(m.Axis).plan_id)
                .order_by(s.id)
            ),
            "historique_fiches": [
                (i, sheet, at.date(), *rest)
                for i, sheet, at, *rest in run(
                    select(
                        columns_of(m.ActionSheetHistory).id,
                        columns_of(m.ActionSheetHistory).sheet_id,
                        columns_of(m.ActionSheetHistory).changed_at,
                        columns_of(m.ActionSheetHistory).field,
                        columns_of(m.ActionSheetHistory).old_value,
                        columns_of(m.ActionSheetHistory).new_value,
                    ).order_by(columns_of(m.ActionSheetHistory).id)
                )
            ],
            "valeurs_indicateurs": [
                (*head, at.date())
                for *head, at in run(
                    select(
                        columns_of(m.Measurement).indicator_code,
                        columns_of(m.Indicator).label,
                        columns_of(m.Indicator).unit,
                        columns_of(m.Measurement).period,
                        columns_of(m.Measurement).territory_code,
                        columns_of(m.Measurement).commune_code,
                        columns_of(m.Measurement).value,
                        columns_of(m.Measurement).provenance,
                        columns_of(m.Measurement).source,
                        columns_of(m.Measurement).recorded_at,
                    )
                    .join(
                        table_of(m.Indicator), columns_of(m.Indicator).code == columns_of(m.Measurement).indicator_code
                    )
                    .where(columns_of(m.Measurement).superseded_at.is_(None))
                    .order_by(columns_of(m.Measurement).id)
                )
            ],
        }


def _with_links(conn: Connection, stmt: Executable) -> list[tuple[Any, ...]]:
    """The projects' rows, each followed by its further communes and the ids of the fiches it serves
    (« ; » between them)."""
    further: dict[int, list[str]] = {}
    for pid, code in conn.execute(
        select(columns_of(m.ProjectCommune).project_id, columns_of(m.ProjectCommune).commune_code).order_by(
            columns_of(m.ProjectCommune).project_id, columns_of(m.ProjectCommune).commune_code
        )
    ):
        further.setdefault(pid, []).append(code)
    sheets: dict[int, list[str]] = {}
    for pid, sheet in conn.execute(
        select(columns_of(m.ProjectSheet).project_id, columns_of(m.ProjectSheet).sheet_id).order_by(
            columns_of(m.ProjectSheet).project_id, columns_of(m.ProjectSheet).sheet_id
        )
    ):
        sheets.setdefault(pid, []).append(str(sheet))
    return [
        (*row, ";".join(further.get(row[0], [])), ";".join(sheets.get(row[0], [])))
        for row in (tuple(r) for r in conn.execute(stmt))
    ]


def equity_rows(engine: Engine, as_of: date, semesters: Collection[str] | None = None) -> list[tuple[Any, ...]]:
    """The equity findings of each semester from the plan's start to ``as_of`` (projects proposed
    since 2011, all member communes; only ``semesters`` when given), one row per finding."""
    rows = []
    for period in periods.span(PLAN_START, periods.of_date(as_of)):
        if semesters is not None and period not in semesters:
            continue
        scope = Filters(as_of=min(as_of, periods.bounds(period)[1]), period_from=PLAN_START, period_to=period)
        communes = places.place_figures(engine, scope, "commune")
        if communes["projects"].sum() == 0:
            continue
        territories = places.place_figures(engine, scope, "territory")
        result = equity_report.report(communes, territories, "projects")
        rows += [(period, f.key, f.label, f.value, f.sentence) for f in result.findings]
    return rows


@dataclass(frozen=True)
class Package:
    """The files of the package: name → bytes (``datapackage.json`` and the CSV resources)."""

    files: dict[str, bytes]
    counts: dict[str, int]
    fictional: bool


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _csv(resource: Resource, rows: list[tuple[Any, ...]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([name for name, _, _ in resource.fields])
    writer.writerows([_cell(v) for v in row] for row in rows)
    return out.getvalue().encode("utf-8")


def build(engine: Engine, semesters: Collection[str] | None = None) -> Package:
    """The package of the whole base (every place; the public figures only): every semester, or, when
    ``semesters`` is given, the indicator values and equity findings of those semesters only."""
    info = queries.dataset_info(engine)
    fictional = info.get("dataset") == "demo"
    as_of = followup.as_of(engine)
    tables = _rows(engine)
    tables["equite"] = equity_rows(engine, as_of, semesters)
    if semesters is not None:
        tables["valeurs_indicateurs"] = [row for row in tables["valeurs_indicateurs"] if row[3] in semesters]
    files = {f"{r.name}.csv": _csv(r, tables[r.name]) for r in RESOURCES}
    descriptor: dict[str, Any] = {
        "profile": PROFILE,
        "name": "essdash-ess-lille-metropole",
        "title": "Économie sociale et solidaire à Lille Métropole — données du comité métropolitain",
        "description": (
            "Suivi du plan d'actions ESS (PMDE 2011-2014) : territoires, projets, financements, fiches et leur "
            f"historique, indicateurs et équité territoriale, situation au {as_of:%d/%m/%Y}. "
            "Aucune donnée personnelle (ni nom de personne, ni adresse électronique, ni commentaire)."
            + (f" {_semesters_said(semesters)}" if semesters is not None else "")
            + (f" {FICTIONAL}" if fictional else "")
        ),
        "created": datetime.now().replace(microsecond=0).isoformat(),
        "licenses": [LICENCE],
        "sources": [
            {"title": ATTRIBUTION},
            {"title": "Plan d'actions ESS du PMDE 2011-2014, délibération cadre de Lille Métropole (28/01/2011)"},
            {"title": "Registre des projets, financements et indicateurs tenu par le secrétariat du comité ESS"},
        ],
        "keywords": ["économie sociale et solidaire", "Lille Métropole", "subventions", "équité territoriale"],
        "resources": [
            {
                "name": r.name,
                "title": r.title,
                "path": f"{r.name}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": table_schema(r),
            }
            for r in RESOURCES
        ],
    }
    if fictional:
        descriptor["fictional"] = True
        descriptor["warning"] = FICTIONAL
    files["datapackage.json"] = json.dumps(descriptor, ensure_ascii=False, indent=2).encode("utf-8")
    return Package(files, {name: len(rows) for name, rows in tables.items()}, fictional)


def _semesters_said(semesters: Collection[str]) -> str:
    """The description's sentence on the semesters a restricted package holds."""
    if not semesters:
        return "Valeurs d'indicateurs et constats d'équité : aucun semestre validé à ce jour."
    ordered = sorted(semesters, key=periods.parse)
    return (
        "Valeurs d'indicateurs et constats d'équité des seuls semestres publiés, aux valeurs validées "
        f"({fmt.period_label(ordered[0])} – {fmt.period_label(ordered[-1])})."
    )


def zip_bytes(package: Package) -> bytes:
    """The package as one ZIP file (``datapackage.json`` and its CSV files at its root)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in package.files.items():
            archive.writestr(name, data)
    return out.getvalue()
