"""What each kind of import checks, and how it writes: organisations, projects, fundings, values.

Natural keys (see the README): an organisation is its name; a project its title, carrier and
primary commune (its n° tells apart homonyms already in the base); a funding its project, funder,
year and type; an indicator value its indicator, semester and place. A project row may create its
carrier (when it gives the legal form) and a funding row its funder; the preview lists them. A
changed indicator value supersedes the current one, which is kept with ``superseded_at`` set.
Status changes brought by an import are dated steps of the project's history.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.engine import Connection

from essdash.domain import fmt
from essdash.domain import models as m
from essdash.domain.vocabulary import FundingType, InterventionMode, LegalForm, ProjectStatus, Provenance, Sector
from essdash.read import indicators
from essdash.spreadsheet import cells as cells
from essdash.spreadsheet.columns import FUNDINGS, MEASUREMENTS, ORGANISATIONS, PROJECTS
from essdash.write.import_rows import (
    MAX_VALUE,
    Builder,
    Context,
    Issue,
    Row,
    amount,
    bounded,
    bulk_update,
    count,
    name_key,
    year,
)

P, ORG, F = m.Project.__table__, m.Organisation.__table__, m.Funder.__table__


class Organisations(Builder):
    kind = ORGANISATIONS

    def __init__(self, ctx: Context):
        super().__init__(ctx)
        self.existing = ctx.organisations()
        self.inserts: list[dict] = []
        self.updates: list[tuple[int, dict]] = []

    def add(self, row: Row) -> None:
        name = row.get("name", cells.text, required=True)
        form = row.get("legal_form", cells.choice, LegalForm, "une forme juridique connue")
        commune = self.ctx.places.commune(row)
        created = row.get("created_year", year)
        if row.failed or not self.once(row, name_key(name), "name"):
            return
        given = {
            k: v
            for k, v in (("legal_form", form), ("commune_code", commune), ("created_year", created))
            if v is not None
        }
        current = self.existing.get(name_key(name))
        if current is None:
            if form is None:
                row.error("legal_form", f"forme juridique obligatoire pour un nouveau porteur (« {name} »).")
                return
            self.inserts.append({"name": name, "commune_code": None, "created_year": None, **given})
            self.inserted += 1
            return
        changed = {k: v for k, v in given.items() if current[k] != v}
        if changed:
            self.updates.append((current["id"], changed))
            self.updated += 1
        else:
            self.unchanged += 1

    def write(self, conn: Connection, author: str, now: datetime) -> None:
        if self.inserts:
            conn.execute(insert(ORG), self.inserts)
        bulk_update(conn, ORG, self.updates)


class Projects(Builder):
    kind = PROJECTS
    FIELDS = (
        "description",
        "status",
        "sector",
        "intervention_mode",
        "jobs_created",
        "jobs_maintained",
        "beneficiaries",
        "priority_district",
        "proposed_on",
        "start_date",
        "end_date",
        "lat",
        "lon",
    )

    def __init__(self, ctx: Context):
        super().__init__(ctx)
        conn = ctx.conn
        self.orgs = ctx.organisations()
        carrier_keys = {o["id"]: k for k, o in self.orgs.items()}
        self.sheet_ids = {code.upper(): i for i, code in conn.execute(select(m.ActionSheet.id, m.ActionSheet.code))}
        self.existing = {r["id"]: dict(r) for r in conn.execute(select(P)).mappings()}
        self.by_key: dict[tuple, list[int]] = defaultdict(list)
        for p in self.existing.values():
            self.by_key[(name_key(p["title"]), carrier_keys[p["carrier_id"]], p["commune_code"])].append(p["id"])
        self.sheets_of, self.communes_of = defaultdict(set), defaultdict(set)
        for pid, sid in conn.execute(select(m.ProjectSheet.project_id, m.ProjectSheet.sheet_id)):
            self.sheets_of[pid].add(sid)
        for pid, code in conn.execute(select(m.ProjectCommune.project_id, m.ProjectCommune.commune_code)):
            self.communes_of[pid].add(code)
        self.new_carriers: dict[str, dict] = {}
        self.inserts: list[dict] = []
        self.updates: list[dict] = []

    def _sheets(self, row: Row) -> set[int] | None:
        if not row.given("sheets"):
            return None
        found = set()
        for code in re.split(r"[,;\s]+", str(row.values["sheets"]).strip()):
            if code.upper() not in self.sheet_ids:
                row.error("sheets", f"fiche « {code} » inconnue dans le plan d'actions (exemple de code : II.32).")
            else:
                found.add(self.sheet_ids[code.upper()])
        return found

    def _carrier(self, row: Row, name: str, form: str | None) -> str | None:
        key = name_key(name)
        if key in self.orgs:
            if form and form != self.orgs[key]["legal_form"]:
                known = LegalForm(self.orgs[key]["legal_form"]).label
                self.ctx.warnings.append(
                    Issue(
                        row.number,
                        row.headers.get("carrier_legal_form"),
                        f"« {name} » est enregistré comme {known} : forme juridique non "
                        "modifiée (importez les porteurs pour la changer).",
                    )
                )
            return key
        if form is None:
            row.error(
                "carrier",
                f"porteur « {name} » inconnu : importez d'abord les porteurs, ou renseignez la "
                f"colonne « {self.kind.header('carrier_legal_form')} » pour le créer.",
            )
            return None
        known = self.new_carriers.setdefault(key, {"name": name, "legal_form": form, "row": row.number})
        if known["legal_form"] != form:
            row.error("carrier_legal_form", f"« {name} » a une autre forme juridique ligne {known['row']}.")
            return None
        return key

    def add(self, row: Row) -> None:
        v = {
            "title": row.get("title", cells.text, required=True),
            "description": row.get("description", cells.text, max_length=5000, multiline=True),
            "carrier": row.get("carrier", cells.text, required=True),
            "form": row.get("carrier_legal_form", cells.choice, LegalForm, "une forme juridique connue"),
            "commune_code": self.ctx.places.commune(row, required=True),
            "further": self.ctx.places.communes(row, "further_communes"),
            "status": row.get("status", cells.choice, ProjectStatus, "une étape connue"),
            "sheets": self._sheets(row),
            "sector": row.get("sector", cells.choice, Sector, "une filière connue", required=True),
            "intervention_mode": row.get(
                "intervention_mode", cells.choice, InterventionMode, "un mode d'intervention connu", required=True
            ),
            "priority_district": row.get("priority_district", cells.boolean),
            "lat": row.get("lat", bounded, -90, 90),
            "lon": row.get("lon", bounded, -180, 180),
            "id": row.get("id", cells.integer),
        }
        v.update({k: row.get(k, count) for k in ("jobs_created", "jobs_maintained", "beneficiaries")})
        v.update({k: row.get(k, cells.day) for k in ("proposed_on", "start_date", "end_date")})
        if (v["lat"] is None) != (v["lon"] is None) and not row.failed:
            row.error("lat" if v["lat"] is None else "lon", "latitude et longitude vont ensemble : donnez les deux.")
        carrier = None if row.failed else self._carrier(row, v["carrier"], v["form"])
        if row.failed or carrier is None:
            return
        candidates = self.by_key.get((name_key(v["title"]), carrier, v["commune_code"]), [])
        target = v["id"] if v["id"] in candidates else candidates[0] if len(candidates) == 1 else None
        if len(candidates) > 1 and target is None:
            row.error(
                "title",
                f"{len(candidates)} projets existants ont ce titre, ce porteur et cette commune : "
                f"indiquez le n° du projet (colonne « {self.kind.header('id')} »).",
            )
            return
        identity = target or (name_key(v["title"]), carrier, v["commune_code"])
        if not self.once(row, identity, "title"):
            return
        if target is None:
            self._insert(row, v, carrier)
        else:
            self._update(row, v, self.existing[target])

    def _dates_ok(self, row: Row, start, end) -> bool:
        if start and end and end < start:
            row.error("end_date", f"la fin ({end:%d/%m/%Y}) précède le début ({start:%d/%m/%Y}).")
        return not row.failed

    def _insert(self, row: Row, v: dict, carrier: str) -> None:
        if not self._dates_ok(row, v["start_date"], v["end_date"]):
            return
        defaults = {
            "description": "",
            "status": ProjectStatus.PROPOSE.value,
            "jobs_created": 0,
            "jobs_maintained": 0,
            "beneficiaries": 0,
            "priority_district": False,
            "proposed_on": date.today(),
        }
        record = {k: v[k] if v[k] is not None else defaults.get(k) for k in self.FIELDS}
        record.update(
            title=v["title"],
            commune_code=v["commune_code"],
            carrier=carrier,
            sheets=v["sheets"] or set(),
            further=(v["further"] or set()) - {v["commune_code"]},
        )
        self.inserts.append(record)
        self.inserted += 1

    def _update(self, row: Row, v: dict, current: dict) -> None:
        given = {k: v[k] for k in self.FIELDS if v[k] is not None}
        merged = current | given
        if not self._dates_ok(row, merged["start_date"], merged["end_date"]):
            return
        changed = {k: value for k, value in given.items() if current[k] != value}
        sheets = v["sheets"] if v["sheets"] is not None and v["sheets"] != self.sheets_of[current["id"]] else None
        further = None if v["further"] is None else v["further"] - {current["commune_code"]}
        further = further if further is not None and further != self.communes_of[current["id"]] else None
        if not changed and sheets is None and further is None:
            self.unchanged += 1
            return
        self.updates.append(
            {
                "id": current["id"],
                "changed": changed,
                "sheets": sheets,
                "further": further,
                "old_status": current["status"],
                "version": current["version"],
            }
        )
        self.updated += 1

    def finish(self) -> None:
        if self.new_carriers:
            self.created["porteurs"] = sorted(c["name"] for c in self.new_carriers.values())

    def write(self, conn: Connection, author: str, now: datetime) -> None:
        carrier_ids = {k: o["id"] for k, o in self.orgs.items()}
        if self.new_carriers:
            keys = list(self.new_carriers)
            ids = (
                conn.execute(
                    insert(ORG).returning(ORG.c.id, sort_by_parameter_order=True),
                    [
                        {"name": self.new_carriers[k]["name"], "legal_form": self.new_carriers[k]["legal_form"]}
                        for k in keys
                    ],
                )
                .scalars()
                .all()
            )
            carrier_ids.update(zip(keys, ids))
        comment = f"Importé du fichier « {self.ctx.file_name} »."
        sheets, communes, events = [], [], []
        if self.inserts:
            rows = [
                {
                    **{k: r[k] for k in self.FIELDS},
                    "title": r["title"],
                    "commune_code": r["commune_code"],
                    "carrier_id": carrier_ids[r["carrier"]],
                    "version": 1,
                    "updated_at": now,
                }
                for r in self.inserts
            ]
            ids = conn.execute(insert(P).returning(P.c.id, sort_by_parameter_order=True), rows).scalars().all()
            for pid, r in zip(ids, self.inserts):
                sheets += [{"project_id": pid, "sheet_id": s} for s in sorted(r["sheets"])]
                communes += [{"project_id": pid, "commune_code": c} for c in sorted(r["further"])]
                events.append(
                    {
                        "project_id": pid,
                        "date": r["proposed_on"],
                        "from_status": None,
                        "to_status": r["status"],
                        "author": author,
                        "comment": comment,
                    }
                )
        for u in self.updates:
            if u["sheets"] is not None:
                conn.execute(m.ProjectSheet.__table__.delete().where(m.ProjectSheet.project_id == u["id"]))
                sheets += [{"project_id": u["id"], "sheet_id": s} for s in sorted(u["sheets"])]
            if u["further"] is not None:
                conn.execute(m.ProjectCommune.__table__.delete().where(m.ProjectCommune.project_id == u["id"]))
                communes += [{"project_id": u["id"], "commune_code": c} for c in sorted(u["further"])]
            if u["changed"].get("status", u["old_status"]) != u["old_status"]:
                events.append(
                    {
                        "project_id": u["id"],
                        "date": now.date(),
                        "from_status": u["old_status"],
                        "to_status": u["changed"]["status"],
                        "author": author,
                        "comment": f"Étape mise à jour par l'import du fichier « {self.ctx.file_name} ».",
                    }
                )
        bulk_update(
            conn, P, [(u["id"], {**u["changed"], "version": u["version"] + 1, "updated_at": now}) for u in self.updates]
        )
        for table, rows in ((m.ProjectSheet, sheets), (m.ProjectCommune, communes), (m.ProjectEvent, events)):
            if rows:
                conn.execute(insert(table), rows)


def funding_year(cell) -> int:
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
        self.projects: dict[str, list[tuple]] = defaultdict(list)
        projects = conn.execute(select(P.c.id, P.c.title, P.c.carrier_id, P.c.commune_code))
        for pid, title, carrier_id, commune in projects:
            self.projects[name_key(title)].append((pid, carriers[carrier_id], commune))
        self.project_ids = {pid for rows in self.projects.values() for pid, _, _ in rows}
        self.funders = {name_key(name): fid for fid, name in conn.execute(select(F.c.id, F.c.name))}
        self.existing = {}
        for fid, pid, funder_id, kind, value, yr in conn.execute(
            select(
                m.Funding.id,
                m.Funding.project_id,
                m.Funding.funder_id,
                m.Funding.type,
                m.Funding.amount,
                m.Funding.year,
            ).order_by(m.Funding.id)
        ):
            self.existing.setdefault((pid, funder_id, yr, kind), (fid, value))
        self.new_funders: dict[str, dict] = {}
        self.inserts: list[dict] = []
        self.updates: list[tuple[int, dict]] = []

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
        found = [
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
        project = self._project(row)
        funder = row.get("funder", cells.text, required=True)
        funder_kind = row.get("funder_kind", cells.text, max_length=100)
        kind = row.get("type", cells.choice, FundingType, "un type de financement connu", required=True)
        value = row.get("amount", amount, required=True)
        yr = row.get("year", funding_year, required=True)
        if row.failed or project is None:
            return
        key = name_key(funder)
        funder_id = self.funders.get(key)
        if funder_id is None:
            self.new_funders.setdefault(key, {"name": funder, "kind": funder_kind or "Non précisé"})
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
        if current is None:
            self.inserts.append({"project_id": project, "funder": key, "type": kind, "amount": value, "year": yr})
            self.inserted += 1
        elif current[1] != value:
            self.updates.append((current[0], {"amount": value}))
            self.updated += 1
        else:
            self.unchanged += 1

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
                    {**{k: r[k] for k in ("project_id", "type", "amount", "year")}, "funder_id": ids[r["funder"]]}
                    for r in self.inserts
                ],
            )
        bulk_update(conn, m.Funding.__table__, self.updates)


class Measurements(Builder):
    kind = MEASUREMENTS

    def __init__(self, ctx: Context):
        super().__init__(ctx)
        conn = ctx.conn
        self.indicators = {r["code"]: dict(r) for r in conn.execute(select(m.Indicator.__table__)).mappings()}
        self.by_name = {cells.fold(i["label"]): code for code, i in self.indicators.items()}
        self.by_name.update({cells.fold(code): code for code in self.indicators})
        self.periods = indicators.reference_periods(ctx.engine)
        self.current = {}
        for row in conn.execute(
            select(
                m.Measurement.id,
                m.Measurement.indicator_code,
                m.Measurement.period,
                m.Measurement.territory_code,
                m.Measurement.commune_code,
                m.Measurement.value,
                m.Measurement.provenance,
                m.Measurement.source,
            )
            .where(m.Measurement.superseded_at.is_(None))
            .order_by(m.Measurement.id)
        ):
            self.current[row[1:5]] = (row[0], *row[5:])
        self.inserts: list[dict] = []
        self.superseded: list[int] = []

    def _indicator(self, row: Row) -> dict | None:
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

    def _check(self, row: Row, indicator: dict, semester: str, territory, commune, value: float) -> None:
        if semester not in self.periods:
            row.error(
                "period",
                f"le semestre « {semester} » est hors de la période suivie ({self.periods[0]} à {self.periods[-1]}).",
            )
        if territory and commune:
            row.error("commune", "indiquez un territoire ou une commune, pas les deux.")
        elif commune and indicator["level"] == "territoire":
            row.error("commune", f"« {indicator['label']} » se mesure par territoire, pas par commune.")
        unit, raw = indicator["unit"], str(row.values["value"])
        if ("%" in raw and unit != "%") or ("€" in raw and not unit.startswith("€")):
            row.error("value", f"unité incompatible avec l'indicateur, exprimé en « {unit} ».")
        low, high = indicator["min_value"], indicator["max_value"]
        if abs(value) > MAX_VALUE:
            row.error("value", f"valeur invraisemblable ({cells.shown_number(value)}).")
        elif (low is not None and value < low) or (high is not None and value > high):
            bounds = f"entre {low:g} et {high:g}" if high is not None else f"au moins {low:g}"
            row.error("value", f"{cells.shown_number(value)} hors de l'intervalle admis ({bounds} {unit}).")

    def add(self, row: Row) -> None:
        indicator = self._indicator(row)
        semester = row.get("period", cells.period, required=True)
        territory, commune = self.ctx.places.territory(row), self.ctx.places.commune(row)
        provenance = (
            row.get("provenance", cells.choice, Provenance, "une provenance connue") or Provenance.DECLARE.value
        )
        source = row.get("source", cells.text) or f"Fichier « {self.ctx.file_name} »"
        if not row.given("value"):
            if not row.failed:
                self.skipped += 1
            return
        value = row.get("value", cells.number)
        if row.failed:
            return
        self._check(row, indicator, semester, territory, commune, value)
        key = (indicator["code"], semester, territory, commune)
        if row.failed or not self.once(row, key, "value"):
            return
        current = self.current.get(key)
        if current and current[1:] == (value, provenance, source):
            self.unchanged += 1
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
                update(m.Measurement.__table__).where(m.Measurement.id == bindparam("b_id")).values(superseded_at=now),
                [{"b_id": i} for i in self.superseded],
            )
        if self.inserts:
            conn.execute(
                insert(m.Measurement), [{**r, "recorded_at": now, "recorded_by": author} for r in self.inserts]
            )


BUILDERS = {b.kind.code: b for b in (Organisations, Projects, Fundings, Measurements)}
