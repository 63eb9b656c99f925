"""The subsidies a funder granted in a year, in the SCDL « Subventions » 2.1.1 format (open data).

One row per subsidy (funding of the type « subvention ») of that funder that year, with the 16 columns
of the format in its order (``data/schemas/scdl-subventions-2.1.1.json``, transcribed from the official
documentation). A subsidy that lacks a field the format requires (the convention's date, the nature,
the payment conditions or dates, the EU notification, the carrier's SIRET or RNA) is not written
half-empty: it is listed, in French, with the fields it lacks. The file is UTF-8 CSV with a comma
separator, dates and numbers as the format writes them (``2013-03-14``, ``12500.00``, ``oui``/``non``).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import RowMapping, select
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

from essdash.domain import fmt, rules
from essdash.domain import models as m
from essdash.domain.errors import EssdashError
from essdash.domain.vocabulary import FundingType

SCHEMA_PATH = Path(__file__).resolve().parents[3] / "data" / "schemas" / "scdl-subventions-2.1.1.json"
SCHEMA_VERSION = "2.1.1"
COLUMNS = (
    "nomAttribuant",
    "idAttribuant",
    "dateConvention",
    "referenceDecision",
    "nomBeneficiaire",
    "idBeneficiaire",
    "rnaBeneficiaire",
    "objet",
    "montant",
    "nature",
    "conditionsVersement",
    "datesPeriodeVersement",
    "idRAE",
    "notificationUE",
    "pourcentageSubvention",
    "dispositifAide",
)
# The required facts of a funding, with the French name a refusal gives them.
REQUIRED = (
    ("convention_date", "date de la convention"),
    ("nature", "nature de l'aide"),
    ("payment_conditions", "conditions de versement"),
    ("payment_dates", "date ou période de versement"),
    ("eu_notification", "notification à la Commission européenne"),
)


def table_of(model: type[SQLModel]) -> Any:
    """A model's table (typed for the checker, as ``col`` is for one column)."""
    return m.table_of(model)


def columns_of(model: type[SQLModel]) -> Any:
    """The columns of a model's table."""
    return m.table_of(model).c


@dataclass(frozen=True)
class Subsidies:
    """The rows of the file (dicts by SCDL column), the subsidies refused (a French line each), and
    how many fundings of the funder that year are not subsidies (loans, guarantees …: not published)."""

    funder: str
    year: int
    rows: tuple[dict[str, Any], ...]
    refused: tuple[str, ...]
    not_subsidies: int
    fictional: bool = False  # drawn from the demo base: every name, number and amount is made up

    def summary(self) -> str:
        return (
            f"{fmt.number(len(self.rows))} subvention(s) de {self.funder} en {self.year} au format SCDL "
            f"« Subventions » {SCHEMA_VERSION} ; {fmt.number(len(self.refused))} écartée(s) faute d'un champ "
            f"obligatoire ; {fmt.number(self.not_subsidies)} autre(s) financement(s) (prêts, garanties …) "
            "hors du format." + (" Données FICTIVES (base de démonstration)." if self.fictional else "")
        )


def schema() -> dict[str, Any]:
    """The Table Schema kept in the repository."""
    kept: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return kept


def _funder(conn: Connection, name: str) -> tuple[int, str, str | None]:
    wanted = rules.fold(name)
    funders = conn.execute(select(columns_of(m.Funder).id, columns_of(m.Funder).name, columns_of(m.Funder).siret)).all()
    found = [f for f in funders if rules.fold(f.name) == wanted]
    if not found:
        known = ", ".join(sorted(f.name for f in funders)[:12])
        raise EssdashError(f"Financeur « {name} » inconnu. Financeurs de la base : {known}.")
    return tuple(found[0])


def subsidies(engine: Engine, *, funder: str, year: int) -> Subsidies:
    """The SCDL rows of the subsidies ``funder`` (its name, case and accents ignored) granted in ``year``."""
    f, o, p = columns_of(m.Funding), columns_of(m.Organisation), columns_of(m.Project)
    with engine.connect() as conn:
        funder_id, funder_name, funder_siret = _funder(conn, funder)
        found = conn.execute(
            select(table_of(m.Funding), p.title, o.name.label("carrier"), o.siret, o.rna)
            .join(table_of(m.Project), p.id == f.project_id)
            .join(table_of(m.Organisation), o.id == p.carrier_id)
            .where(f.funder_id == funder_id, f.year == year)
            .order_by(f.id)
        ).mappings()
        lines = list(found)
        dataset = conn.execute(
            select(columns_of(m.MetaEntry).value).where(columns_of(m.MetaEntry).key == "dataset")
        ).scalar()
    grants = [line for line in lines if line["type"] == FundingType.GRANT.value]
    rows, refused = [], []
    for line in grants:
        missing = [label for key, label in REQUIRED if line[key] is None]
        if not (line["siret"] or line["rna"]):
            missing.append("SIRET ou numéro RNA du porteur")
        if funder_siret is None:
            missing.append(f"SIRET du financeur ({funder_name})")
        if missing or funder_siret is None:
            refused.append(
                f"Financement n° {line['id']} (projet n° {line['project_id']} « {line['title']} », "
                f"{line['carrier']}, {fmt.money(line['amount'], 2)}) : {', '.join(missing)} manquant(s)."
            )
            continue
        rows.append(_row(line, funder_name, funder_siret))
    return Subsidies(
        funder_name, year, tuple(rows), tuple(refused), len(lines) - len(grants), fictional=dataset == "demo"
    )


def _row(line: RowMapping, funder_name: str, funder_siret: str) -> dict[str, Any]:
    share = 1.0 if line["beneficiary_share"] is None else line["beneficiary_share"]
    return {
        "nomAttribuant": funder_name,
        "idAttribuant": funder_siret,
        "dateConvention": f"{line['convention_date']:%Y-%m-%d}",
        "referenceDecision": line["decision_reference"] or "",
        "nomBeneficiaire": line["carrier"],
        "idBeneficiaire": line["siret"] or "",
        "rnaBeneficiaire": line["rna"] or "",
        "objet": line["title"][:255],
        "montant": f"{line['amount']:.2f}",
        "nature": line["nature"],
        "conditionsVersement": line["payment_conditions"],
        "datesPeriodeVersement": line["payment_dates"],
        "idRAE": "",
        "notificationUE": "oui" if line["eu_notification"] else "non",
        "pourcentageSubvention": f"{share:.2f}",
        "dispositifAide": line["aid_scheme"] or "",
    }


def csv_bytes(result: Subsidies) -> bytes:
    """The CSV file (UTF-8, comma, the schema's header); text a spreadsheet would run as a formula is
    neutralised by a leading apostrophe."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in result.rows:
        writer.writerow({k: rules.neutralise(v) for k, v in row.items()})
    return out.getvalue().encode("utf-8")


def file_name(result: Subsidies) -> str:
    slug = "-".join(rules.fold(result.funder).split())
    return f"subventions-{slug}-{result.year}.csv"


def project_facts(engine: Engine, project_id: int) -> dict[str, Any]:
    """The open-data facts a project's form shows: its carrier's SIRET and RNA, and each of its
    fundings (funder, type, amount, year) with its convention facts, subsidies first."""
    f, o, p = columns_of(m.Funding), columns_of(m.Organisation), columns_of(m.Project)
    with engine.connect() as conn:
        carrier = conn.execute(
            select(o.id, o.name, o.siret, o.rna)
            .join(table_of(m.Project), p.carrier_id == o.id)
            .where(p.id == project_id)
        ).one_or_none()
        fundings = conn.execute(
            select(table_of(m.Funding), columns_of(m.Funder).name.label("funder"))
            .join(table_of(m.Funder), columns_of(m.Funder).id == f.funder_id)
            .where(f.project_id == project_id)
            .order_by((f.type != FundingType.GRANT.value), f.year, f.id)
        ).mappings()
        return {"carrier": dict(carrier._mapping) if carrier else None, "fundings": [dict(r) for r in fundings]}


def choices(engine: Engine) -> tuple[list[str], list[int]]:
    """The funders that granted subsidies and the years they did, for the export's choice boxes."""
    f = columns_of(m.Funding)
    with engine.connect() as conn:
        names = conn.execute(
            select(columns_of(m.Funder).name)
            .join(table_of(m.Funding), f.funder_id == columns_of(m.Funder).id)
            .where(f.type == FundingType.GRANT.value)
            .distinct()
            .order_by(columns_of(m.Funder).name)
        ).scalars()
        years = conn.execute(select(f.year).where(f.type == FundingType.GRANT.value).distinct().order_by(f.year))
        return list(names), list(years.scalars())
