"""Imports of fundings and indicator values: what each row checks, and how the rows are written.

A funding is known by its project, funder, year and type, and may create its funder (the preview
lists them); a line of an unstated funder (« Non précisé », as a projects file without funders gives
them) is the same funding as the row naming its funder, which updates it instead of counting its money
twice. A technician's row may touch only a project all of whose communes are theirs. An indicator
value is known by its indicator, semester and place. A changed indicator value
supersedes the current one, which is kept with ``superseded_at`` set: there is at most one
current value per indicator, semester and place.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.engine import Connection
from sqlmodel import col

from essdash.domain import approval, fields, fmt, rules, subsidies
from essdash.domain import models as m
from essdash.domain.vocabulary import FundingType, Provenance
from essdash.read import approval as approval_read
from essdash.read import indicators
from essdash.spreadsheet import cells as cells
from essdash.spreadsheet.columns import FUNDINGS, MEASUREMENTS
from essdash.write.imports.rows import (
    UNSPECIFIED_FUNDER,
    Builder,
    Context,
    Issue,
    Row,
    amount,
    bulk_update,
    name_key,
)

P, F = m.table_of(m.Project), m.table_of(m.Funder)
# The open-data facts of a funding (SCDL « Subventions »), each with its rule; an empty cell keeps what is known.
# A fact without a rule of its own is read by its type (a yes-or-no cell).
FACTS = tuple((key, fields.FUNDINGS[key].rule or cells.boolean) for key in fields.FUNDING_FACTS)


def funding_year(cell: object) -> int:
    value = cells.integer(cell)
    if not 1990 <= value <= date.today().year + 10:
        raise ValueError(f"année {value} invalide (entre 1990 et {date.today().year + 10}).")
    return value


class Fundings(Builder):
    kind = FUNDINGS

    def __init__(self, ctx: Context):
        super().__init__(ctx)
        conn = ctx.conn
        carriers = {o["id"]: k for k, o in ctx.organisations().items()}
        self.projects: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
        projects = conn.execute(select(P.c.id, P.c.title, P.c.carrier_id, P.c.commune_code))
        for pid, title, carrier_id, commune in projects:
            self.projects[name_key(title)].append((pid, carriers[carrier_id], commune))
        self.project_ids = {pid for rows in self.projects.values() for pid, _, _ in rows}
        self.commune_of = {pid: commune for rows in self.projects.values() for pid, _, commune in rows}
        self.funders = {name_key(name): fid for fid, name in conn.execute(select(F.c.id, F.c.name))}
        self.funder_sirets = {fid: siret for fid, siret in conn.execute(select(F.c.id, F.c.siret))}
        self.siret_changes: dict[int, str] = {}  # funder id → the SIRET the file gives it
        self.existing: dict[tuple[Any, ...], tuple[Any, Any, dict[str, Any]]] = {}
        for fid, pid, funder_id, kind, value, yr, *facts in conn.execute(
            select(
                col(m.Funding.id),
                col(m.Funding.project_id),
                col(m.Funding.funder_id),
                col(m.Funding.type),
                col(m.Funding.amount),
                col(m.Funding.year),
                *(getattr(m.Funding, key) for key, _ in FACTS),
            ).order_by(col(m.Funding.id))
        ):
            known = dict(zip((key for key, _ in FACTS), facts, strict=True))
            self.existing.setdefault((pid, funder_id, yr, kind), (fid, value, known))
        self.further: dict[int, set[str]] = defaultdict(set)  # the projects' further communes, for the scope
        if ctx.options.scope is not None:
            for pid, code in conn.execute(select(col(m.ProjectCommune.project_id), col(m.ProjectCommune.commune_code))):
                self.further[pid].add(code)
        self.new_funders: dict[str, dict[str, Any]] = {}
        self.inserts: list[dict[str, Any]] = []
        self.updates: list[
            tuple[int, float, str, dict[str, Any]]
        ] = []  # funding id, amount, funder's key, facts changed
        self.claimed: dict[int, int] = {}  # funding ids the rows change → their row

    def _project(self, row: Row) -> int | None:
        number = row.get("project_id", cells.integer)
        if not row.given("project"):
            if number is None:
                row.error("project" if "project" in row.values else "project_id", "projet obligatoire manquant.")
            elif number not in self.project_ids:
                row.error("project_id", f"projet n° {number} introuvable.")
            return number if number in self.project_ids else None
        title, carrier = row.get("project", cells.text), row.get("carrier", cells.text)
        commune = self.ctx.places.commune(row)
        if row.failed:
            return None
        found: list[int] = [
            pid
            for pid, c, code in self.projects.get(name_key(title), [])
            if (carrier is None or c == name_key(carrier)) and (commune is None or code == commune)
        ]
        if number in found or len(found) == 1:
            return number if number in found else found[0]
        if found:
            row.error(
                "project",
                f"{len(found)} projets s'appellent « {title} » : précisez le porteur, la commune ou le n° du projet.",
            )
        else:
            where = (f" du porteur « {carrier} »" if carrier else "") + (
                f" à {self.ctx.places.names[commune]}" if commune else ""
            )
            row.error("project", f"projet « {title} »{where} introuvable : importez d'abord les projets.")
        return None

    def add(self, row: Row) -> None:
        row.memo = self.parsed
        project = self._project(row)
        if project is not None:
            column = "project" if row.given("project") else "project_id"
            for commune in sorted({self.commune_of[project], *self.further[project]}):
                self.ctx.places.within(row, column, commune)
        funder = row.get("funder", cells.text, required=True)
        funder_kind = row.get("funder_kind", cells.text, max_length=100)
        kind = row.get("type", cells.choice, FundingType, "un type de financement connu", required=True)
        value = row.get("amount", amount, required=True)
        yr = row.get("year", funding_year, required=True)
        funder_siret = row.get("funder_siret", subsidies.siret)
        facts = {k: v for k, v in ((key, row.get(key, check)) for key, check in FACTS) if v is not None}
        if row.failed or project is None:
            return
        key = name_key(funder)
        funder_id = self.funders.get(key)
        if funder_id is None:
            new = self.new_funders.setdefault(
                key, {"name": funder, "kind": funder_kind or "Non précisé", "siret": None}
            )
            new["siret"] = funder_siret or new["siret"]
        elif funder_siret and self.funder_sirets.get(funder_id) != funder_siret:
            self.siret_changes[funder_id] = funder_siret
        if not self.once(row, (project, funder_id or key, yr, kind), "funder"):
            return
        if value < 10:
            self.ctx.warnings.append(
                Issue(
                    row.number,
                    row.headers["amount"],
                    f"montant très faible ({fmt.money(value, 2)}) : vérifiez le séparateur décimal.",
                )
            )
        current = self.existing.get((project, funder_id, yr, kind)) if funder_id else None
        unstated = self.funders.get(name_key(UNSPECIFIED_FUNDER))
        named = current is None and unstated is not None and key != name_key(UNSPECIFIED_FUNDER)
        held = self.existing.get((project, unstated, yr, kind)) if named else current
        if held is not None and held[0] in self.claimed:
            row.error(
                "funder", f"ce financement est déjà repris ligne {self.claimed[held[0]]} sous un autre financeur."
            )
            return
        if held is None:
            blank = dict.fromkeys(k for k, _ in FACTS)
            self.inserts.append(
                {"project_id": project, "funder": key, "type": kind, "amount": value, "year": yr, **blank, **facts}
            )
            self.inserted += 1
            return
        self.claimed[held[0]] = row.number
        changed = {k: v for k, v in facts.items() if held[2][k] != v}
        if held is current and current[1] == value and not changed:
            self.unchanged += 1
        else:
            self.updates.append((held[0], value, key, changed))
            self.updated += 1

    def finish(self) -> None:
        if self.new_funders:
            self.created["financeurs"] = sorted(n["name"] for n in self.new_funders.values())

    def write(self, conn: Connection, author: str, now: datetime) -> None:
        ids = dict(self.funders)
        if self.new_funders:
            keys = list(self.new_funders)
            new = (
                conn.execute(
                    insert(F).returning(F.c.id, sort_by_parameter_order=True), [self.new_funders[k] for k in keys]
                )
                .scalars()
                .all()
            )
            ids.update(zip(keys, new))
        if self.inserts:
            conn.execute(
                insert(m.Funding),
                [
                    {**{k: v for k, v in r.items() if k != "funder"}, "funder_id": ids[r["funder"]]}
                    for r in self.inserts
                ],
            )
        bulk_update(
            conn,
            m.table_of(m.Funding),
            [(fid, {"amount": value, "funder_id": ids[key], **facts}) for fid, value, key, facts in self.updates],
        )
        bulk_update(conn, F, [(fid, {"siret": siret}) for fid, siret in sorted(self.siret_changes.items())])


class Measurements(Builder):
    kind = MEASUREMENTS

    def __init__(self, ctx: Context):
        super().__init__(ctx)
        conn = ctx.conn
        self.indicators = {r["code"]: dict(r) for r in conn.execute(select(m.table_of(m.Indicator))).mappings()}
        self.by_name = {cells.fold(i["label"]): code for code, i in self.indicators.items()}
        self.by_name.update({cells.fold(code): code for code in self.indicators})
        self.periods = indicators.reference_periods(ctx.engine)
        self.current: dict[
            tuple[Any, ...], tuple[Any, ...]
        ] = {}  # (indicator, period, territory, commune) → id, value, provenance, source
        for row in conn.execute(
            select(
                col(m.Measurement.id),
                col(m.Measurement.indicator_code),
                col(m.Measurement.period),
                col(m.Measurement.territory_code),
                col(m.Measurement.commune_code),
                col(m.Measurement.value),
                col(m.Measurement.provenance),
                col(m.Measurement.source),
            )
            .where(col(m.Measurement.superseded_at).is_(None))
            .order_by(col(m.Measurement.id))
        ):
            self.current[row[1:5]] = (row[0], *row[5:])
        self.inserts: list[dict[str, Any]] = []
        self.superseded: list[int] = []
        self.states = approval_read.recorded_states(conn)
        self.territory_of = approval_read.commune_territories(conn)
        self.territory_names: dict[str | None, str] = dict(
            conn.execute(select(col(m.Territory.code), col(m.Territory.name))).all()
        )

    def _indicator(self, row: Row) -> dict[str, Any] | None:
        key = "indicator" if row.given("indicator") else "indicator_label"
        if not row.given(key):
            row.error(key, "indicateur obligatoire manquant.")
            return None
        code = self.by_name.get(cells.fold(row.values[key]))
        if code is None:
            row.error(key, f"indicateur « {row.values[key]} » inconnu (les codes figurent sur la page Indicateurs).")
            return None
        if self.indicators[code]["kind"] != "entered":
            label = self.indicators[code]["label"]
            row.error(key, f"« {label} » est calculé par l'application : il ne s'importe pas.")
            return None
        return self.indicators[code]

    def _check(
        self,
        row: Row,
        indicator: dict[str, Any],
        semester: str,
        territory: str | None,
        commune: str | None,
        value: float,
    ) -> None:
        if semester not in self.periods:
            row.error(
                "period",
                f"le semestre « {semester} » est hors de la période suivie ({self.periods[0]} à {self.periods[-1]}).",
            )
        if territory and commune:
            row.error("commune", "indiquez un territoire ou une commune, pas les deux.")
        elif commune and indicator["level"] == "territoire":
            row.error("commune", f"« {indicator['label']} » se mesure par territoire, pas par commune.")
        try:
            rules.indicator_value(row.values["value"], indicator["unit"])
            rules.check_indicator_bounds(value, indicator["min_value"], indicator["max_value"], indicator["unit"])
        except ValueError as exc:
            row.error("value", str(exc))

    def _open(self, row: Row, semester: str, territory: str | None, commune: str | None) -> bool:
        """Whether the semester's values of the row's place are « en saisie »; else the row is refused."""
        place = territory or (self.territory_of.get(commune) if commune else None)
        state = self.states.get((semester, place), approval.SemesterState.ENTRY)
        name = self.ctx.places.names.get(commune) if commune else None
        where = name or self.territory_names.get(place) or "toute la métropole"
        if refusal := approval.entry_refusal(state, where, fmt.period_label(semester)):
            row.error("period", refusal)
        return not refusal

    def add(self, row: Row) -> None:
        row.memo = self.parsed
        indicator = self._indicator(row)
        semester = row.get("period", cells.period, required=True)
        territory, commune = self.ctx.places.territory(row), self.ctx.places.commune(row)
        if territory is None and commune is None and not row.failed:
            self.ctx.places.whole(row, "territory" if "territory" in row.values else "value")
        provenance = (
            row.get("provenance", cells.choice, Provenance, "une provenance connue") or Provenance.DECLARED.value
        )
        source = row.get("source", cells.text) or f"Fichier « {self.ctx.file_name} »"
        if not row.given("value"):
            if not row.failed:
                self.skipped += 1
            return
        value = row.get("value", cells.number)
        if row.failed:
            return
        assert indicator is not None  # a row without a known indicator has failed
        self._check(row, indicator, semester, territory, commune, value)
        key = (indicator["code"], semester, territory, commune)
        if row.failed or not self.once(row, key, "value"):
            return
        current = self.current.get(key)
        if current and current[1:] == (value, provenance, source):
            self.unchanged += 1
            return
        if not self._open(row, semester, territory, commune):
            return
        if current:
            self.superseded.append(current[0])
            self.updated += 1
        else:
            self.inserted += 1
        self.inserts.append(
            {
                "indicator_code": key[0],
                "period": semester,
                "territory_code": territory,
                "commune_code": commune,
                "value": value,
                "provenance": provenance,
                "source": source,
            }
        )

    def write(self, conn: Connection, author: str, now: datetime) -> None:
        if self.superseded:
            conn.execute(
                update(m.table_of(m.Measurement))
                .where(col(m.Measurement.id) == bindparam("b_id"))
                .values(superseded_at=now),
                [{"b_id": i} for i in self.superseded],
            )
        if self.inserts:
            conn.execute(
                insert(m.Measurement), [{**r, "recorded_at": now, "recorded_by": author} for r in self.inserts]
            )
