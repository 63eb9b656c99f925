"""Reading an open data package (:mod:`essdash.read.opendata.package`) back into an empty base.

The base must hold the geography and the plan and no register yet (no carrier, project, funding or
indicator value). Every cell of the package passes the rule book of every write
(:mod:`essdash.domain.rules`, :mod:`essdash.domain.subsidies`, the vocabularies) and every reference
is resolved (communes, fiches of a plan of the base, indicators of the catalogue, the package's own
carriers and projects) before anything is written; then one transaction, opened with the gate's permit
(an import over the whole metropolis), writes carriers, funders, projects, fundings, the fiches' states
with their history, and the current indicator values, and its journal line; a package of fictional
data (the demo's) makes the base say so, as the demo does. An error anywhere is
listed in French and nothing is written. Territories, communes and equity findings are published for
reading: the base's own geography stays, and equity is recomputed from the projects.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlmodel import col

from essdash.domain import fmt
from essdash.domain import models as m
from essdash.domain.errors import EssdashError
from essdash.domain.vocabulary import Deed
from essdash.store import db
from essdash.write.actor import Actor
from essdash.write.gate import authorize
from essdash.write.opendata import checks

NEEDED = ("porteurs", "projets", "financements", "fiches", "historique_fiches", "valeurs_indicateurs")
MAX_ERRORS = 30
ROLE = "import du paquet"


@dataclass(frozen=True)
class Imported:
    carriers: int
    projects: int
    fundings: int
    sheets: int
    values: int

    def summary(self) -> str:
        return (
            f"{fmt.number(self.carriers)} porteurs, {fmt.number(self.projects)} projets, "
            f"{fmt.number(self.fundings)} financements, {fmt.number(self.sheets)} fiches mises à jour, "
            f"{fmt.number(self.values)} valeurs d'indicateurs."
        )


def _tables(folder: Path) -> tuple[dict[str, list[dict[str, Any]]], bool]:
    try:
        descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
        paths = {r["name"]: r["path"] for r in descriptor["resources"]}
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise EssdashError(f"« {folder} » n'est pas un paquet de données ouvertes lisible (datapackage.json).") from exc
    missing = [name for name in NEEDED if name not in paths]
    if missing:
        raise EssdashError(f"Le paquet n'a pas les ressources : {', '.join(missing)}.")
    tables = {}
    for name in NEEDED:
        path = (folder / paths[name]).resolve()
        if folder.resolve() not in path.parents:
            raise EssdashError(f"Ressource « {name} » hors du dossier du paquet : refusée.")
        try:
            tables[name] = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise EssdashError(f"Ressource « {name} » illisible ({paths[name]}).") from exc
    return tables, descriptor.get("fictional") is True


def _empty(conn: Connection) -> None:
    for table, label in ((m.Organisation, "porteurs"), (m.Project, "projets"), (m.Measurement, "valeurs")):
        if conn.execute(select(func.count()).select_from(table)).scalar_one():
            raise EssdashError(
                f"La base contient déjà des {label} : le paquet ne se réimporte que dans une base vide "
                "(python -m essdash init-db --dataset empty). Rien n'a été écrit."
            )


def import_package(engine: Engine, actor: Actor | None, folder: Path) -> Imported:
    """Import the package in ``folder`` into the (empty) base, whole or not at all."""
    tables, fictional = _tables(folder)
    permit = authorize(engine, actor, Deed.IMPORT, whole=True)
    with db.locked_transaction(engine, permit) as conn:
        _empty(conn)
        r, read = checks.read(conn, tables)
        if r.errors:
            shown = "\n".join(f"  · {e}" for e in r.errors[:MAX_ERRORS])
            more = f"\n  … et {len(r.errors) - MAX_ERRORS} autre(s)." if len(r.errors) > MAX_ERRORS else ""
            raise EssdashError(f"Paquet refusé ({len(r.errors)} erreur(s)), rien n'a été écrit :\n{shown}{more}")
        now = datetime.now().replace(microsecond=0)
        done = _write(conn, read, permit.actor.name, now)
        if fictional:  # fictional data stays labelled as such, as the demo is
            conn.execute(update(m.table_of(m.MetaEntry)).where(col(m.MetaEntry.key) == "dataset").values(value="demo"))
        permit.log(conn, f"Paquet de données ouvertes réimporté depuis « {folder.name} » : {done.summary()}", now)
    return done


def _inserted(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    if not rows:
        return []
    return list(conn.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows).scalars())


def _write(conn: Connection, read: dict[str, list[dict[str, Any]]], author: str, now: datetime) -> Imported:
    org, proj, fund = m.table_of(m.Organisation), m.table_of(m.Project), m.table_of(m.Funding)
    carriers = read["porteurs"]
    new_ids = _inserted(
        conn,
        org,
        [
            {
                "name": c["nom"],
                "legal_form": c["forme_juridique"],
                "commune_code": c["commune"],
                "created_year": c["annee_creation"],
                "siret": c["siret"],
                "rna": c["rna"],
            }
            for c in carriers
        ],
    )
    carrier_of = {c["id"]: new for c, new in zip(carriers, new_ids, strict=True)}
    project_rows = [
        {
            "title": p["titre"],
            "carrier_id": carrier_of[p["porteur"]],
            "commune_code": p["commune"],
            "intervention_mode": p["mode_intervention"],
            "sector": p["filiere"],
            "status": p["etape"],
            "proposed_on": p["propose_le"],
            "start_date": p["debut"],
            "end_date": p["fin"],
            "jobs_created": p["emplois_crees"],
            "jobs_maintained": p["emplois_maintenus"],
            "beneficiaries": p["beneficiaires"],
            "priority_district": p["quartier_prioritaire"],
            "lat": p["latitude"],
            "lon": p["longitude"],
            "updated_at": now,
        }
        for p in read["projets"]
    ]
    project_of = dict(zip((p["id"] for p in read["projets"]), _inserted(conn, proj, project_rows), strict=True))
    funders = {name.casefold(): fid for fid, name in conn.execute(select(col(m.Funder.id), col(m.Funder.name)))}
    for f in read["financements"]:
        key = f["financeur"].casefold()
        if key not in funders:
            funder = {"name": f["financeur"], "kind": f["nature_financeur"], "siret": f["siret_financeur"]}
            funders[key] = _inserted(conn, m.table_of(m.Funder), [funder])[0]
    fundings = [
        {
            "project_id": project_of[f["projet"]],
            "funder_id": funders[f["financeur"].casefold()],
            "type": f["type"],
            "amount": f["montant"],
            "year": f["annee"],
            "convention_date": f["date_convention"],
            "decision_reference": f["reference_decision"],
            "nature": f["nature_aide"],
            "payment_conditions": f["conditions_versement"],
            "payment_dates": f["dates_versement"],
            "eu_notification": f["notification_ue"],
            "beneficiary_share": f["part_beneficiaire"],
            "aid_scheme": f["dispositif_aide"],
        }
        for f in read["financements"]
    ]
    if fundings:
        conn.execute(insert(fund), fundings)
    base_sheet = {s["id"]: s["base_id"] for s in read["fiches"]}
    links = [
        {"project_id": project_of[p["id"]], "sheet_id": base_sheet[sheet]}
        for p in read["projets"]
        for sheet in dict.fromkeys(p["fiches"] or ())
    ]
    if links:
        conn.execute(insert(m.table_of(m.ProjectSheet)), links)
    further = [
        {"project_id": project_of[p["id"]], "commune_code": code}
        for p in read["projets"]
        for code in dict.fromkeys(p["autres_communes"] or ())
        if code != p["commune"]
    ]
    if further:
        conn.execute(insert(m.table_of(m.ProjectCommune)), further)
    for s in read["fiches"]:
        conn.execute(
            update(m.table_of(m.ActionSheet))
            .where(m.table_of(m.ActionSheet).c.id == s["base_id"])
            .values(status=s["statut"], progress=s["avancement"], version=m.table_of(m.ActionSheet).c.version + 1)
        )
    history = [
        {
            "sheet_id": base_sheet[h["fiche"]],
            "changed_at": datetime.combine(h["date"], time()),
            "author": author,
            "role": ROLE,
            "field": h["champ"],
            "old_value": h["ancienne_valeur"],
            "new_value": h["nouvelle_valeur"],
            "comment": "repris du paquet de données ouvertes",
        }
        for h in read["historique_fiches"]
    ]
    if history:
        conn.execute(insert(m.table_of(m.ActionSheetHistory)), history)
    values = [
        {
            "indicator_code": v["indicateur"],
            "period": v["semestre"],
            "territory_code": v["territoire"],
            "commune_code": v["commune"],
            "value": v["valeur"],
            "provenance": v["provenance"],
            "source": v["source"],
            "recorded_at": datetime.combine(v["saisie_le"], time()),
            "recorded_by": author,
        }
        for v in read["valeurs_indicateurs"]
    ]
    if values:
        conn.execute(insert(m.table_of(m.Measurement)), values)
    return Imported(len(carriers), len(project_rows), len(fundings), len(read["fiches"]), len(values))
