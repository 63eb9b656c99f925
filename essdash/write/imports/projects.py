"""Imports of projects: what each row checks, and what it will write.

A project is known by its title, carrier and primary commune (its n° tells apart homonyms already
in the base). A project row may create its carrier (when it gives the legal form, read as partners
write it: :func:`essdash.domain.rules.legal_form`); the preview lists them. The status a file gives,
in partners' words (:func:`essdash.domain.rules.step`), follows the import's lifecycle policy,
:func:`essdash.domain.rules.import_status_policy`: every change is a dated step of the project's
history. A project row without filière or mode takes the file's default (« à qualifier » unless
chosen), and its amount becomes a funding line (funder, type and year from their columns or the
file's defaults).

The checked rows are gathered in a :class:`essdash.write.imports.project_writes.ProjectWrites`,
which writes them in bulk.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlmodel import col

from essdash.domain import fields, fmt, rules, steps
from essdash.domain import models as m
from essdash.domain.access import Place
from essdash.domain.field_kinds import FieldType
from essdash.domain.vocabulary import (
    Deed,
    FundingType,
    InterventionMode,
    LabelledEnum,
    LegalForm,
    OpinionValue,
    ProjectStatus,
    Sector,
)
from essdash.spreadsheet import cells as cells
from essdash.spreadsheet.columns import PROJECTS
from essdash.store import clock
from essdash.store.reference import metropolis_box
from essdash.write.imports.project_writes import FIELDS, FundingLine, NewProject, ProjectWrites
from essdash.write.imports.rows import UNSPECIFIED_FUNDER, Builder, Context, Issue, Row, amount, count, name_key
from essdash.write.imports.values import funding_year

P = m.table_of(m.Project)


class HeldFunding(NamedTuple):
    """A funding line already in the base."""

    id: int
    funder: str
    type: str
    amount: float
    year: int


class Projects(Builder):
    kind = PROJECTS

    def __init__(self, ctx: Context):
        super().__init__(ctx)
        conn = ctx.conn
        self.orgs = ctx.organisations()
        self.today = clock.today(conn)
        carrier_keys = {o["id"]: k for k, o in self.orgs.items()}
        self.sheet_ids: dict[str, dict[str, int]] = defaultdict(dict)  # fiche code → {plan code: id}
        for i, code, plan in conn.execute(
            select(col(m.ActionSheet.id), col(m.ActionSheet.code), col(m.Plan.code))
            .join(m.Axis, col(m.Axis.id) == col(m.ActionSheet.axis_id))
            .join(m.Plan, col(m.Plan.id) == col(m.Axis.plan_id))
        ):
            self.sheet_ids[code.upper()][plan.upper()] = cast(int, i)  # a stored fiche's id, never None
        self.existing = {r["id"]: dict(r) for r in conn.execute(select(P)).mappings()}
        self.by_key: dict[tuple[Any, ...], list[int]] = defaultdict(list)
        for p in self.existing.values():
            self.by_key[(name_key(p["title"]), carrier_keys[p["carrier_id"]], p["commune_code"])].append(p["id"])
        self.sheets_of, self.communes_of = defaultdict(set), defaultdict(set)
        for pid, sid in conn.execute(select(col(m.ProjectSheet.project_id), col(m.ProjectSheet.sheet_id))):
            self.sheets_of[pid].add(sid)
        for pid, code in conn.execute(select(col(m.ProjectCommune.project_id), col(m.ProjectCommune.commune_code))):
            self.communes_of[pid].add(code)
        self.pending = ProjectWrites()  # what the write will do, row after row
        options = ctx.options
        self.defaults = {  # what a new project takes of a field its row leaves empty: the model's default
            **{k: f.default for k, f in m.Project.model_fields.items() if k in FIELDS and not f.is_required()},
            "proposed_on": self.today,
            "sector": options.sector,
            "intervention_mode": options.mode,
        }
        self._default_lines = {  # what the preview counts when a new project takes a default
            key: f"{self.kind.header(key)} : « {_label(key, self.defaults[key])} »"
            for key in ("status", "sector", "intervention_mode")
        }
        self._fundings_in_base: dict[int, list[HeldFunding]] | None = None

    def _sheets(self, row: Row) -> set[int] | None:
        if not row.given("sheets"):
            return None
        found: set[int] = set()
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
                recorded = LegalForm(self.orgs[key]["legal_form"]).label
                self.ctx.warnings.append(
                    Issue(
                        row.number,
                        row.headers.get("carrier_legal_form"),
                        f"« {name} » est enregistré comme {recorded} : forme juridique non "
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
        known = self.pending.new_carriers.setdefault(
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
            **{k: _read(row, k) for k in ("priority_district", "lat", "lon")},
            "id": row.get("id", cells.integer),
        }
        v.update({k: _read(row, k) for k in FIELDS if k not in v})  # the other fields, read by their type
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
        current = None if target is None else self.existing[target]
        if not self._within(row, current) or not self._step_allowed(row, v["status"], current):
            return
        if current is None:
            self._insert(row, v, carrier, funding)
            return
        if funding is not None and not self._add_funding(row, current["id"], funding):
            return
        self._update(row, v, current)

    def _funding(self, row: Row, v: dict[str, Any]) -> FundingLine | None:
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
        return FundingLine(funder, kind or options.funding_type, value, yr)

    def _within(self, row: Row, current: dict[str, Any] | None) -> bool:
        """As in the forms, a person changes a project only if their scope covers every commune it has,
        before and after the row: its main commune (the row's, checked when read), the further communes
        the row gives (checked when read) and those it has, which a row without that column keeps."""
        scope = self.ctx.options.scope
        if scope is None or current is None:
            return True
        names = self.ctx.places.names
        for code in sorted(self.communes_of[current["id"]] - {current["commune_code"]}):
            if not scope.covers(Place(frozenset({code}))):
                row.error(
                    "further_communes" if "further_communes" in row.headers else "",
                    f"{names[code]} ({code}), commune du projet n° {current['id']}, est hors de votre périmètre : "
                    "seul qui répond de toutes ses communes peut le modifier (retirez cette ligne).",
                )
        return not row.failed

    def _step_allowed(self, row: Row, status: str | None, current: dict[str, Any] | None) -> bool:
        """As in the forms, the steps the committee takes (its opinions: favorable, with reservations,
        unfavourable, postponed) need a role that records the committee's opinions."""
        if status is None or self.ctx.options.opinions or (current is not None and current["status"] == status):
            return True
        shown = cells.shown(row.values["status"])
        opinion = OpinionValue.POSTPONED.value if "ajourn" in rules.fold(shown) else None  # « ajourné » keeps VALIDATED
        if steps.deed_of(ProjectStatus(status), opinion) is Deed.OPINION:  # the forms' rule
            row.error(
                "status",
                f"« {shown} » est un avis du comité : votre rôle ne permet pas d'enregistrer un avis du comité, "
                "qui s'enregistre avec sa séance (laissez la cellule vide, ou à l'étape où en est le projet).",
            )
        return not row.failed

    def _add_funding(self, row: Row, target: int, funding: FundingLine) -> bool:
        """Keep what an existing project's funding line changes, checked against the base; ``False``
        (and an issue) when the row cannot say which line it is.

        A line is the project's line of the same year and type and of the same funder, or else the line
        of an unstated funder (« Non précisé »), which the named one then replaces. When the file has no
        funder of its own (the import's default funder), a line of another funder is the same line too:
        re-importing a file never adds its money twice, whatever default funder is chosen."""
        lines = [
            f for f in self._existing_fundings().get(target, ()) if (f.year, f.type) == (funding.year, funding.type)
        ]
        key, unstated = name_key(funding.funder), name_key(UNSPECIFIED_FUNDER)
        held = next((f for f in lines if name_key(f.funder) == key), None) or next(
            (f for f in lines if name_key(f.funder) == unstated), None
        )
        funder = funding.funder
        if held is None and lines and not row.given("funder"):
            if any(f.amount == funding.amount for f in lines):
                return True
            if len(lines) > 1:
                row.error(
                    "funding_amount",
                    f"le projet n° {target} a déjà {len(lines)} financements de ce type en {funding.year} "
                    f"({', '.join(sorted(f.funder for f in lines))}) : ajoutez la colonne "
                    f"« {self.kind.header('funder')} » pour dire lequel ce montant remplace.",
                )
                return False
            held, funder = lines[0], lines[0].funder
            self.ctx.warnings.append(
                Issue(
                    row.number,
                    row.headers.get("funding_amount"),
                    f"le fichier ne nomme pas de financeur : le financement de {held.funder} ({funding.year}) "
                    f"passe de {fmt.money(held.amount, 2)} à {fmt.money(funding.amount, 2)}.",
                )
            )
        if held is not None and name_key(held.funder) == name_key(funder):
            if held.amount == funding.amount:
                return True
            funder = held.funder
        self.pending.funding_changes.append(
            {**funding._asdict(), "funder": funder, "project_id": target, "id": held and held.id}
        )
        if held is None:
            self.fundings += 1
            self.funding_total += funding.amount
        else:
            self.funding_updates += 1
            self.funding_change += funding.amount - held.amount
        return True

    def _existing_fundings(self) -> dict[int, list[HeldFunding]]:
        """The base's funding lines by project, read once."""
        if self._fundings_in_base is None:
            self._fundings_in_base = defaultdict(list)
            for pid, *line in self.ctx.conn.execute(
                select(
                    col(m.Funding.project_id),
                    col(m.Funding.id),
                    col(m.Funder.name),
                    col(m.Funding.type),
                    col(m.Funding.amount),
                    col(m.Funding.year),
                )
                .join(m.Funder, col(m.Funder.id) == col(m.Funding.funder_id))
                .order_by(col(m.Funding.id))
            ):
                self._fundings_in_base[pid].append(HeldFunding._make(line))
        return self._fundings_in_base

    def _dates_ok(self, row: Row, start: date | None, end: date | None) -> bool:
        try:
            rules.date_order(start, end)
        except ValueError as exc:
            row.error("end_date", str(exc))
        return not row.failed

    def _point_ok(self, row: Row, v: dict[str, Any], current: dict[str, Any] | None) -> bool:
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

    def _status_step(self, row: Row, current: dict[str, Any], status: str | None) -> None:
        step = rules.import_status_policy(current["status"], status, self.ctx.file_name) if status else None
        if step and step.outside_lifecycle:
            self.ctx.warnings.append(Issue(row.number, row.headers.get("status"), step.comment))

    def _classification(self, row: Row, key: str, enum: type[LabelledEnum], what: str) -> str | None:
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

    def _insert(self, row: Row, v: dict[str, Any], carrier: str, funding: FundingLine | None) -> None:
        if not self._dates_ok(row, v["start_date"], v["end_date"]) or not self._point_ok(row, v, None):
            return
        defaults = self.defaults
        for key in ("status", "sector", "intervention_mode"):
            if v[key] is None:
                self.defaulted[self._default_lines[key]] += 1
        self.pending.inserts.append(
            NewProject(
                tuple([defaults.get(k) if v[k] is None else v[k] for k in FIELDS]),
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

    def _update(self, row: Row, v: dict[str, Any], current: dict[str, Any]) -> None:
        given = {k: v[k] for k in FIELDS if v[k] is not None}
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
        self.pending.updates.append(
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
        if self.pending.new_carriers:
            self.created["porteurs"] = sorted(c["name"] for c in self.pending.new_carriers.values())
        if self.pending.funding_changes or any(r.funding for r in self.pending.inserts):
            known = {name_key(n) for (n,) in self.ctx.conn.execute(select(col(m.Funder.name)))}
            names = {name_key(r.funding.funder): r.funding.funder for r in self.pending.inserts if r.funding}
            names.update({name_key(f["funder"]): f["funder"] for f in self.pending.funding_changes})
            if new := sorted(name for key, name in names.items() if key not in known):
                self.created["financeurs"] = new

    def write(self, conn: Connection, author: str, now: datetime) -> None:
        """Write what the rows gave: see :meth:`essdash.write.imports.project_writes.ProjectWrites.write`."""
        carrier_ids = {k: o["id"] for k, o in self.orgs.items()}
        self.pending.write(conn, carrier_ids, self.ctx.file_name, author, now)


READERS: dict[FieldType, Callable[..., Any]] = {
    FieldType.TEXT: cells.text,
    FieldType.INTEGER: cells.integer,
    FieldType.COUNT: count,
    FieldType.NUMBER: cells.number,
    FieldType.DATE: cells.partial_day,
    FieldType.BOOLEAN: cells.boolean,
}


def _read(row: Row, key: str) -> Any:
    """A project's field as the row gives it, read by its declared type."""
    if key == "end_date":
        return row.get(key, cells.partial_day, last=True)  # « 2014 » ends on 31/12/2014
    return row.get(key, READERS[fields.PROJECTS[key].type])


def _label(key: str, code: str) -> str:
    enum = {"status": ProjectStatus, "sector": Sector, "intervention_mode": InterventionMode}[key]
    return enum(code).label
