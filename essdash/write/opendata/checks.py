"""The checks of an open data package before it is read back (:mod:`essdash.write.opendata.reimport`):
every cell through the rule book of every write (:mod:`essdash.domain.rules`,
:mod:`essdash.domain.subsidies`, the vocabularies), every reference resolved against the base (communes,
territories, fiches of its plans, indicators of its catalogue) and the package itself (carriers,
projects, fiches). Each refusal is a French line naming the resource, the line and the column.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlmodel import col

from essdash.domain import models as m
from essdash.domain import periods, rules, subsidies
from essdash.domain.vocabulary import (
    FundingType,
    InterventionMode,
    LabelledEnum,
    LegalForm,
    ProjectStatus,
    Provenance,
    Sector,
    SheetStatus,
)
from essdash.spreadsheet import cells


class Reader:
    """Cells read by the rule book; each refusal noted with its resource, line and column."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def cell(
        self,
        table: str,
        number: int,
        row: dict[str, Any],
        column: str,
        check: Callable[[str], Any],
        *,
        required: bool = True,
    ) -> Any:
        raw = (row.get(column) or "").strip()
        if not raw:
            if required:
                self.errors.append(f"{table}, ligne {number} : « {column} » manquant.")
            return None
        try:
            return check(raw)
        except ValueError as exc:
            self.errors.append(f"{table}, ligne {number}, « {column} » : {exc}")
            return None

    def refuse(self, message: str) -> None:
        self.errors.append(message)


def _boolean(raw: str) -> bool:
    if raw not in ("true", "false"):
        raise ValueError(f"« {raw[:20]} » n'est ni true ni false.")
    return raw == "true"


def _codes(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(";") if part.strip()]


def _period(raw: str) -> str:
    periods.parse(raw)
    return raw


def _choice(enum: type[LabelledEnum], what: str) -> Callable[[str], str]:
    return lambda raw: cells.choice(raw, enum, what)


def _amount(raw: str) -> float:
    value = rules.number(raw)
    if not 0 <= value <= 1e10:
        raise ValueError(f"montant invraisemblable ({rules.shown_number(value)} €).")
    return value


def _rows(r: Reader, table: str, rows: list[dict[str, Any]], columns: dict[str, Any]) -> list[dict[str, Any]]:
    """Each row of ``table`` read by ``columns`` (name → (check, required))."""
    read = []
    for number, row in enumerate(rows, start=2):
        read.append(
            {
                name: r.cell(table, number, row, name, check, required=needed)
                for name, (check, needed) in columns.items()
            }
        )
    return read


def _text(limit: int = rules.NAME_LENGTH) -> Callable[[str], str]:
    return lambda raw: rules.text(raw, max_length=limit)


def read(conn: Connection, tables: dict[str, list[dict[str, Any]]]) -> tuple[Reader, dict[str, list[dict[str, Any]]]]:
    r = Reader()
    year = lambda raw: rules.creation_year(raw, date.today())  # noqa: E731
    read = {
        "porteurs": _rows(
            r,
            "porteurs",
            tables["porteurs"],
            {
                "id": (rules.integer, True),
                "nom": (_text(), True),
                "forme_juridique": (_choice(LegalForm, "une forme juridique connue"), True),
                "commune": (str, False),
                "annee_creation": (year, False),
                "siret": (subsidies.siret, False),
                "rna": (subsidies.rna, False),
            },
        ),
        "projets": _rows(
            r,
            "projets",
            tables["projets"],
            {
                "id": (rules.integer, True),
                "titre": (_text(), True),
                "porteur": (rules.integer, True),
                "commune": (str, True),
                "mode_intervention": (_choice(InterventionMode, "un mode d'intervention connu"), True),
                "filiere": (_choice(Sector, "une filière connue"), True),
                "etape": (_choice(ProjectStatus, "une étape connue"), True),
                "propose_le": (rules.day, True),
                "debut": (rules.day, False),
                "fin": (rules.day, False),
                "emplois_crees": (rules.count, True),
                "emplois_maintenus": (rules.count, True),
                "beneficiaires": (rules.count, True),
                "quartier_prioritaire": (_boolean, True),
                "latitude": (rules.number, False),
                "longitude": (rules.number, False),
                "autres_communes": (_codes, False),
                "fiches": (lambda raw: [rules.integer(part) for part in _codes(raw)], False),
            },
        ),
        "financements": _rows(
            r,
            "financements",
            tables["financements"],
            {
                "projet": (rules.integer, True),
                "financeur": (_text(), True),
                "nature_financeur": (_text(rules.SHORT_LENGTH), True),
                "siret_financeur": (subsidies.siret, False),
                "type": (_choice(FundingType, "un type de financement connu"), True),
                "montant": (_amount, True),
                "annee": (rules.integer, True),
                "date_convention": (subsidies.convention_date, False),
                "reference_decision": (subsidies.reference, False),
                "nature_aide": (subsidies.nature, False),
                "conditions_versement": (subsidies.conditions, False),
                "dates_versement": (subsidies.payment_dates, False),
                "notification_ue": (_boolean, False),
                "part_beneficiaire": (subsidies.share, False),
                "dispositif_aide": (subsidies.scheme, False),
            },
        ),
        "fiches": _rows(
            r,
            "fiches",
            tables["fiches"],
            {
                "id": (rules.integer, True),
                "plan": (str, True),
                "code": (str, True),
                "statut": (_choice(SheetStatus, "un statut de fiche connu"), True),
                "avancement": (rules.count, True),
            },
        ),
        "historique_fiches": _rows(
            r,
            "historique_fiches",
            tables["historique_fiches"],
            {
                "fiche": (rules.integer, True),
                "date": (rules.day, True),
                "champ": (_text(rules.SHORT_LENGTH), True),
                "ancienne_valeur": (_text(), False),
                "nouvelle_valeur": (_text(), False),
            },
        ),
        "valeurs_indicateurs": _rows(
            r,
            "valeurs_indicateurs",
            tables["valeurs_indicateurs"],
            {
                "indicateur": (str, True),
                "semestre": (_period, True),
                "territoire": (str, False),
                "commune": (str, False),
                "valeur": (rules.number, True),
                "provenance": (_choice(Provenance, "une provenance connue"), True),
                "source": (_text(), True),
                "saisie_le": (rules.day, True),
            },
        ),
    }
    _references(conn, r, read)
    return r, read


def _references(conn: Connection, r: Reader, read: dict[str, list[dict[str, Any]]]) -> None:
    """Every reference of the package resolved against the base and the package itself."""
    communes = set(conn.execute(select(col(m.Commune.insee_code))).scalars())
    territories = set(conn.execute(select(col(m.Territory.code))).scalars())
    indicators = set(conn.execute(select(col(m.Indicator.code))).scalars())
    sheets = {
        (plan, code): sid
        for sid, plan, code in conn.execute(
            select(col(m.ActionSheet.id), col(m.Plan.code), col(m.ActionSheet.code))
            .join(m.Axis, col(m.Axis.id) == col(m.ActionSheet.axis_id))
            .join(m.Plan, col(m.Plan.id) == col(m.Axis.plan_id))
        )
    }
    carriers = {c["id"] for c in read["porteurs"]}
    projects = {p["id"] for p in read["projets"]}
    for c in read["porteurs"]:
        if c["commune"] and c["commune"] not in communes:
            r.refuse(f"porteurs : commune « {c['commune']} » inconnue de la base.")
    for p in read["projets"]:
        if p["commune"] and p["commune"] not in communes:
            r.refuse(f"projets, n° {p['id']} : commune « {p['commune']} » inconnue de la base.")
        if p["porteur"] is not None and p["porteur"] not in carriers:
            r.refuse(f"projets, n° {p['id']} : porteur n° {p['porteur']} absent du paquet.")
    known_sheets = {s["id"] for s in read["fiches"]}
    for p in read["projets"]:
        for code in p["autres_communes"] or ():
            if code not in communes:
                r.refuse(f"projets, n° {p['id']} : autre commune « {code} » inconnue de la base.")
        for sheet in p["fiches"] or ():
            if sheet not in known_sheets:
                r.refuse(f"projets, n° {p['id']} : fiche n° {sheet} absente du paquet.")
    for f in read["financements"]:
        if f["projet"] is not None and f["projet"] not in projects:
            r.refuse(f"financements : projet n° {f['projet']} absent du paquet.")
    for s in read["fiches"]:
        s["base_id"] = sheets.get((s["plan"], s["code"]))
        if s["base_id"] is None:
            r.refuse(f"fiches : fiche « {s['code']} » du plan « {s['plan']} » absente de la base.")
    known = {s["id"] for s in read["fiches"]}
    for h in read["historique_fiches"]:
        if h["fiche"] not in known:
            r.refuse(f"historique_fiches : fiche n° {h['fiche']} absente du paquet.")
    for v in read["valeurs_indicateurs"]:
        if v["indicateur"] not in indicators:
            r.refuse(f"valeurs_indicateurs : indicateur « {v['indicateur']} » absent du catalogue de la base.")
        if (v["territoire"] and v["territoire"] not in territories) or (v["commune"] and v["commune"] not in communes):
            r.refuse(f"valeurs_indicateurs : lieu « {v['territoire'] or v['commune']} » inconnu de la base.")
