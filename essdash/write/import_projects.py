"""Imports of organisations and projects: what each row checks, and how the rows are written.

An organisation is known by its name; a project by its title, carrier and primary commune (its n°
tells apart homonyms already in the base). A project row may create its carrier (when it gives
the legal form, read as partners write it: :func:`essdash.domain.rules.legal_form`); the preview
lists them. The status a file gives, in partners' words (:func:`essdash.domain.rules.step`), follows
the import's lifecycle policy, :func:`essdash.domain.rules.import_status_policy`: every change is a
dated step of the project's history. A project row without filière or mode takes the file's default
(« à qualifier » unless chosen), and its amount becomes a funding line (funder, type and year from
their columns or the file's defaults).

A file may hold 100 000 new projects: each is kept as a small tuple until the write, which inserts
them by chunks (executemany, ids given as SQLite would, the write lock being held), each chunk with
its funding lines, sheets, further communes and history.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from essdash.domain import models as m
from essdash.domain import rules
from essdash.domain.vocabulary import FundingType, InterventionMode, LegalForm, ProjectStatus, Sector
from essdash.spreadsheet import cells as cells
from essdash.spreadsheet.columns import ORGANISATIONS, PROJECTS
from essdash.store import clock
from essdash.store.db import ids_written
from essdash.write.geography import metropolis_box
from essdash.write.import_rows import (
    UNSPECIFIED_FUNDER,
    Builder,
    Context,
    Issue,
    Row,
    amount,
    bulk_update,
    count,
    insert_numbered,
    insert_rows,
    name_key,
    next_id,
    year,
)
from essdash.write.import_values import funding_year

P, ORG = m.Project.__table__, m.Organisation.__table__


class Organisations(Builder):
    kind = ORGANISATIONS

    def __init__(self, ctx: Context):
        super().__init__(ctx)
        self.existing = ctx.organisations()
        self.inserts: list[dict] = []
        self.updates: list[tuple[int, dict]] = []

    def add(self, row: Row) -> None:
        row.memo = self.parsed
        name = row.get("name", cells.text, required=True)
        form, form_text = row.get("legal_form", rules.legal_form) or (None, None)
        commune = self.ctx.places.commune(row)
        created = row.get("created_year", year)
        if row.failed or not self.once(row, name_key(name), "name"):
            return
        given = {
            k: v
            for k, v in (("legal_form", form), ("commune_code", commune), ("created_year", created))
            if v is not None
        }
        if form is not None and (form_text is not None or form != LegalForm.AUTRE.value):
            given["legal_form_text"] = form_text  # « Autre » alone (an export read back) keeps the words known
        current = self.existing.get(name_key(name))
        if current is None:
            if form is None:
                row.error("legal_form", f"forme juridique obligatoire pour un nouveau porteur (« {name} »).")
                return
            self.inserts.append(
                {"name": name, "commune_code": None, "created_year": None, "legal_form_text": None, **given}
            )
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
    STATUS, PROPOSED_ON = FIELDS.index("status"), FIELDS.index("proposed_on")

    def __init__(self, ctx: Context):
        super().__init__(ctx)
        conn = ctx.conn
        self.orgs = ctx.organisations()
        self.today = clock.today(conn)
        carrier_keys = {o["id"]: k for k, o in self.orgs.items()}
        self.sheet_ids: dict[str, dict[str, int]] = defaultdict(dict)  # fiche code → {plan code: id}
        for i, code, plan in conn.execute(
            select(m.ActionSheet.id, m.ActionSheet.code, m.Plan.code)
            .join(m.Axis, m.Axis.id == m.ActionSheet.axis_id)
            .join(m.Plan, m.Plan.id == m.Axis.plan_id)
        ):
            self.sheet_ids[code.upper()][plan.upper()] = i
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
        self.inserts: list[_New] = []
        self.updates: list[dict] = []
        options = ctx.options
        self.defaults = {
            "description": "",
            "status": ProjectStatus.PROPOSE.value,
            "jobs_created": 0,
            "jobs_maintained": 0,
            "beneficiaries": 0,
            "priority_district": False,
            "proposed_on": self.today,
            "sector": options.sector,
            "intervention_mode": options.mode,
        }
        self._default_lines = {  # what the preview counts when a new project takes a default
            key: f"{self.kind.header(key)} : « {_label(key, self.defaults[key])} »"
            for key in ("status", "sector", "intervention_mode")
        }
        self.funding_changes: list[dict] = []
        self._fundings_in_base: dict[tuple, tuple[int, float]] | None = None

    def _sheets(self, row: Row) -> set[int] | None:
        if not row.given("sheets"):
            return None
        found = set()
        for given in re.split(r"[,;\s]+", str(row.values["sheets"]).strip()):
            plan, _, code = given.upper().rpartition(":")  # « PLAN:I.1 » names the plan of a shared code
            plans = {p: i for p, i in self.sheet_ids.get(code, {}).items() if not plan or p == plan}
            if not plans:
                row.error("sheets", f"fiche « {given} » inconnue dans le plan d'actions (exemple de code : II.32).")
            elif len(plans) > 1:
                row.error(
                    "sheets",
                    f"la fiche « {given} » existe dans plusieurs plans ({', '.join(sorted(plans))}) : "
                    f"écrivez « {sorted(plans)[-1]}:{code} » pour dire lequel.",
                )
            else:
                found.update(plans.values())
        return found

    def _carrier(self, row: Row, name: str, given: tuple[str, str | None] | None) -> str | None:
        key = name_key(name)
        form, form_text = given or (None, None)
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
        known = self.new_carriers.setdefault(
            key, {"name": name, "legal_form": form, "legal_form_text": form_text, "row": row.number}
        )
        if known["legal_form"] != form:
            row.error("carrier_legal_form", f"« {name} » a une autre forme juridique ligne {known['row']}.")
            return None
        return key

    def add(self, row: Row) -> None:
        row.memo = self.parsed
        v = {
            "title": row.get("title", cells.text, required=True),
            "description": row.get("description", cells.text, max_length=5000, multiline=True),
            "carrier": row.get("carrier", cells.text, required=True),
            "form": row.get("carrier_legal_form", rules.legal_form),
            "commune_code": self.ctx.places.commune(row, required=True),
            "further": self.ctx.places.communes(row, "further_communes"),
            "status": row.get("status", rules.step),
            "sheets": self._sheets(row),
            "sector": self._classification(row, "sector", Sector, "une filière connue"),
            "intervention_mode": self._classification(
                row, "intervention_mode", InterventionMode, "un mode d'intervention connu"
            ),
            "priority_district": row.get("priority_district", cells.boolean),
            "lat": row.get("lat", cells.number),
            "lon": row.get("lon", cells.number),
            "id": row.get("id", cells.integer),
        }
        v.update({k: row.get(k, count) for k in ("jobs_created", "jobs_maintained", "beneficiaries")})
        v.update({k: row.get(k, cells.day) for k in ("proposed_on", "start_date", "end_date")})
        funding = self._funding(row, v)
        if (v["lat"] is None) != (v["lon"] is None) and not row.failed:
            row.error("lat" if v["lat"] is None else "lon", "latitude et longitude vont ensemble : donnez les deux.")
        carrier = None if row.failed else self._carrier(row, v["carrier"], v["form"])
        if row.failed or carrier is None:
            return
        key = (name_key(v["title"]), carrier, v["commune_code"])
        candidates = self.by_key.get(key, [])
        target = v["id"] if v["id"] in candidates else candidates[0] if len(candidates) == 1 else None
        if len(candidates) > 1 and target is None:
            row.error(
                "title",
                f"{len(candidates)} projets existants ont ce titre, ce porteur et cette commune : "
                f"indiquez le n° du projet (colonne « {self.kind.header('id')} »).",
            )
            return
        identity = target or key
        if not self.once(row, identity, "title"):
            return
        if target is None:
            self._insert(row, v, carrier, funding)
            return
        self._update(row, v, self.existing[target])
        if funding is not None and not row.failed:
            self._add_funding(target, funding)

    def _funding(self, row: Row, v: dict) -> _Funding | None:
        """The funding line a row's amount gives (``None`` without an amount, or a zero one)."""
        value = row.get("funding_amount", amount)
        options = self.ctx.options
        funder = row.get("funder", cells.text) or options.funder
        kind = row.get("funding_type", cells.choice, FundingType, "un type de financement connu")
        given_year = row.get("funding_year", funding_year)
        if not value:
            return None
        dated = v["start_date"] or v["proposed_on"]
        yr = given_year or options.funding_year or (dated.year if dated else self.today.year)
        return _Funding(funder, kind or options.funding_type, value, yr)

    def _add_funding(self, target: int, funding: _Funding) -> None:
        """Keep an existing project's funding line, checked against the base."""
        current = self._existing_fundings().get((target, name_key(funding.funder), funding.year, funding.type))
        if current is not None and current[1] == funding.amount:
            return
        self.funding_changes.append({**funding._asdict(), "project_id": target, "id": current and current[0]})
        self.fundings += 1
        self.funding_total += funding.amount

    def _existing_fundings(self) -> dict[tuple, tuple[int, float]]:
        if self._fundings_in_base is None:
            names = {fid: name_key(name) for fid, name in self.ctx.conn.execute(select(m.Funder.id, m.Funder.name))}
            self._fundings_in_base = {
                (pid, names[funder], yr, kind): (fid, value)
                for fid, pid, funder, kind, value, yr in self.ctx.conn.execute(
                    select(
                        m.Funding.id,
                        m.Funding.project_id,
                        m.Funding.funder_id,
                        m.Funding.type,
                        m.Funding.amount,
                        m.Funding.year,
                    ).order_by(m.Funding.id.desc())
                )
            }
        return self._fundings_in_base

    def _dates_ok(self, row: Row, start, end) -> bool:
        try:
            rules.date_order(start, end)
        except ValueError as exc:
            row.error("end_date", str(exc))
        return not row.failed

    def _point_ok(self, row: Row, v: dict, current: dict | None) -> bool:
        """Coordinates must lie in the metropolis box; stored ones that a file repeats unchanged
        are kept, with a warning, so that an exported file imports back as it is."""
        if v["lat"] is None:
            return not row.failed
        box = metropolis_box()
        refused = []
        for key, check in (("lat", rules.latitude), ("lon", rules.longitude)):
            try:
                check(v[key], box)
            except ValueError as exc:
                refused.append((key, str(exc)))
        if current is not None and (v["lat"], v["lon"]) == (current["lat"], current["lon"]):
            self.ctx.warnings += [
                Issue(row.number, row.headers.get(key), f"coordonnées déjà enregistrées, à corriger : {message}")
                for key, message in refused
            ]
            return True
        for key, message in refused:
            row.error(key, message)
        return not row.failed

    def _status_step(self, row: Row, current: dict, status: str | None) -> None:
        step = rules.import_status_policy(current["status"], status, self.ctx.file_name) if status else None
        if step and step.outside_lifecycle:
            self.ctx.warnings.append(Issue(row.number, row.headers.get("status"), step.comment))

    def _classification(self, row: Row, key: str, enum, what: str) -> str | None:
        """A filière or mode as the file says it; a value the register does not know is no reason to
        refuse the row: the project comes in « À qualifier » (or keeps its own), with a warning."""
        if not row.given(key):
            return None
        try:
            return cells.choice(row.values[key], enum, what)
        except ValueError:
            shown = cells.shown(row.values[key])
            self.ctx.warnings.append(
                Issue(
                    row.number,
                    row.headers[key],
                    f"« {shown} » n'est pas {what} : le projet entre « À qualifier » (ou garde sa valeur), "
                    "à compléter ensuite.",
                )
            )
            return None

    def _insert(self, row: Row, v: dict, carrier: str, funding: _Funding | None) -> None:
        if not self._dates_ok(row, v["start_date"], v["end_date"]) or not self._point_ok(row, v, None):
            return
        defaults = self.defaults
        for key in ("status", "sector", "intervention_mode"):
            if v[key] is None:
                self.defaulted[self._default_lines[key]] += 1
        self.inserts.append(
            _New(
                tuple([defaults.get(k) if v[k] is None else v[k] for k in self.FIELDS]),
                v["title"],
                v["commune_code"],
                carrier,
                tuple(sorted(v["sheets"] or ())),
                tuple(sorted((v["further"] or set()) - {v["commune_code"]})),
                funding,
            )
        )
        self.inserted += 1
        if funding is not None:
            self.fundings += 1
            self.funding_total += funding.amount

    def _update(self, row: Row, v: dict, current: dict) -> None:
        given = {k: v[k] for k in self.FIELDS if v[k] is not None}
        merged = current | given
        if not self._dates_ok(row, merged["start_date"], merged["end_date"]) or not self._point_ok(row, v, current):
            return
        self._status_step(row, current, v["status"])
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
        if self.funding_changes or any(r.funding for r in self.inserts):
            known = {name_key(n) for (n,) in self.ctx.conn.execute(select(m.Funder.name))}
            names = {name_key(r.funding.funder): r.funding.funder for r in self.inserts if r.funding}
            names.update({name_key(f["funder"]): f["funder"] for f in self.funding_changes})
            if new := sorted(name for key, name in names.items() if key not in known):
                self.created["financeurs"] = new

    def write(self, conn: Connection, author: str, now: datetime) -> None:
        """New carriers and funders first, then the new projects by chunks (each with its funding line,
        action sheets, further communes and entry in the history), then the updated ones."""
        carrier_ids = {k: o["id"] for k, o in self.orgs.items()}
        if self.new_carriers:
            keys = list(self.new_carriers)
            given = [{k2: self.new_carriers[k][k2] for k2 in ("name", "legal_form", "legal_form_text")} for k in keys]
            carrier_ids.update(zip(keys, insert_numbered(conn, ORG, given)))
        funders = self._funders(conn)
        self._write_fundings(conn, funders)
        first = next_id(conn, P)
        for start in range(0, len(self.inserts), CHUNK):
            self._write_new(conn, self.inserts[start : start + CHUNK], first + start, carrier_ids, funders, author, now)
        if self.inserts:
            ids_written(conn, P)
        sheets, communes, events = [], [], []
        for u in self.updates:
            if u["sheets"] is not None:
                conn.execute(m.ProjectSheet.__table__.delete().where(m.ProjectSheet.project_id == u["id"]))
                sheets += [{"project_id": u["id"], "sheet_id": s} for s in sorted(u["sheets"])]
            if u["further"] is not None:
                conn.execute(m.ProjectCommune.__table__.delete().where(m.ProjectCommune.project_id == u["id"]))
                communes += [{"project_id": u["id"], "commune_code": c} for c in sorted(u["further"])]
            step = rules.import_status_policy(
                u["old_status"], u["changed"].get("status", u["old_status"]), self.ctx.file_name
            )
            if step:
                events.append(
                    {
                        "project_id": u["id"],
                        "date": now.date(),
                        "from_status": step.from_status,
                        "to_status": step.to_status,
                        "author": author,
                        "comment": step.comment,
                    }
                )
        bulk_update(
            conn, P, [(u["id"], {**u["changed"], "version": u["version"] + 1, "updated_at": now}) for u in self.updates]
        )
        insert_rows(conn, (m.ProjectSheet, sheets), (m.ProjectCommune, communes), (m.ProjectEvent, events))

    def _write_new(
        self, conn: Connection, chunk: list[_New], first: int, carriers: dict, funders: dict, author: str, now
    ) -> None:
        """Insert new projects under the ids ``first``, ``first + 1``… (the ids SQLite would give them
        one by one: the write lock is held) with what goes with each."""
        ids = range(first, first + len(chunk))
        conn.execute(
            insert(P),
            [
                {
                    "id": pid,
                    **dict(zip(self.FIELDS, r.values)),
                    "title": r.title,
                    "commune_code": r.commune_code,
                    "carrier_id": carriers[r.carrier],
                    "version": 1,
                    "updated_at": now,
                }
                for pid, r in zip(ids, chunk)
            ],
        )
        steps: dict[str, rules.ImportedStep | None] = {}
        events = []
        for pid, r in zip(ids, chunk):
            status = r.values[self.STATUS]
            if status not in steps:
                steps[status] = rules.import_status_policy(None, status, self.ctx.file_name)
            step = steps[status]
            assert step is not None  # a new project always enters at the file's step
            events.append(
                {
                    "project_id": pid,
                    "date": r.values[self.PROPOSED_ON],
                    "from_status": step.from_status,
                    "to_status": step.to_status,
                    "author": author,
                    "comment": step.comment,
                }
            )
        insert_rows(
            conn,
            (
                m.Funding,
                [
                    {
                        "project_id": pid,
                        "type": r.funding.type,
                        "amount": r.funding.amount,
                        "year": r.funding.year,
                        "funder_id": funders[name_key(r.funding.funder)],
                    }
                    for pid, r in zip(ids, chunk)
                    if r.funding
                ],
            ),
            (m.ProjectSheet, [{"project_id": pid, "sheet_id": s} for pid, r in zip(ids, chunk) for s in r.sheets]),
            (
                m.ProjectCommune,
                [{"project_id": pid, "commune_code": c} for pid, r in zip(ids, chunk) for c in r.further],
            ),
            (m.ProjectEvent, events),
        )

    def _funders(self, conn: Connection) -> dict[str, int]:
        """The funders of the rows' funding lines by natural key, creating (of unstated kind) those missing."""
        lines = [c["funder"] for c in self.funding_changes] + [r.funding.funder for r in self.inserts if r.funding]
        if not lines:
            return {}
        funders = {name_key(name): fid for fid, name in conn.execute(select(m.Funder.id, m.Funder.name))}
        missing = {}
        for name in lines:
            key = name_key(name)
            if key not in funders and key not in missing:
                missing[key] = name
        given = [{"name": name, "kind": UNSPECIFIED_FUNDER} for name in missing.values()]
        funders.update(zip(missing, insert_numbered(conn, m.Funder.__table__, given)))
        return funders

    def _write_fundings(self, conn: Connection, funders: dict[str, int]) -> None:
        """The funding lines the rows' amounts give to projects already in the base."""
        columns = ("project_id", "type", "amount", "year")
        new = [
            {**{k: c[k] for k in columns}, "funder_id": funders[name_key(c["funder"])]}
            for c in self.funding_changes
            if c["id"] is None
        ]
        insert_rows(conn, (m.Funding, new))
        bulk_update(
            conn, m.Funding.__table__, [(c["id"], {"amount": c["amount"]}) for c in self.funding_changes if c["id"]]
        )


CHUNK = 2000  # new projects written per statement: what the write holds in memory at once


class _Funding(NamedTuple):
    """The funding line a row's amount gives."""

    funder: str
    type: str
    amount: float
    year: int


class _New(NamedTuple):
    """A new project, as kept from its validation to its write (small: a file may hold 100 000)."""

    values: tuple  # of Projects.FIELDS, in that order, defaults taken
    title: str
    commune_code: str
    carrier: str  # the carrier's natural key
    sheets: tuple[int, ...]
    further: tuple[str, ...]  # the further communes, sorted
    funding: _Funding | None


def _label(key: str, code: str) -> str:
    enum = {"status": ProjectStatus, "sector": Sector, "intervention_mode": InterventionMode}[key]
    return enum(code).label
