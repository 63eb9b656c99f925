"""Writing an import's projects in bulk, once every row has been checked by
:class:`essdash.write.imports.projects.Projects`.

A file may hold 100 000 new projects: each is kept as a small tuple (:class:`NewProject`) until the
write, which inserts them by chunks (executemany, ids given as SQLite would, the write lock being
held), each chunk with its funding lines, sheets, further communes and history. The carriers and
funders the rows name and the base lacks are created first; changed projects are updated by
executemany, each status change a dated step of the project's history
(:func:`essdash.domain.rules.import_status_policy`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection
from sqlmodel import col

from essdash.domain import fields, rules
from essdash.domain import models as m
from essdash.store.db import ids_written
from essdash.write.imports.rows import UNSPECIFIED_FUNDER, bulk_update, insert_numbered, insert_rows, name_key, next_id

P, ORG = m.table_of(m.Project), m.table_of(m.Organisation)

# The project's own columns a row gives, in the order of NewProject.values: every stored field of the
# declaration (:data:`essdash.domain.fields.PROJECTS`) but the n°, the title and the commune, which
# identify the project.
FIELDS = tuple(
    f.key for f in fields.PROJECTS.stored() if not f.computed and f.column not in ("id", "title", "commune_code")
)
_STATUS, _PROPOSED_ON = FIELDS.index("status"), FIELDS.index("proposed_on")

CHUNK = 2000  # new projects written per statement: what the write holds in memory at once


class FundingLine(NamedTuple):
    """The funding line a row's amount gives."""

    funder: str
    type: str
    amount: float
    year: int


class NewProject(NamedTuple):
    """A new project, as kept from its validation to its write (small: a file may hold 100 000)."""

    values: tuple[Any, ...]  # of FIELDS, in that order, defaults taken
    title: str
    commune_code: str
    carrier: str  # the carrier's natural key
    sheets: tuple[int, ...]
    further: tuple[str, ...]  # the further communes, sorted
    funding: FundingLine | None


@dataclass
class ProjectWrites:
    """What an import of projects writes, gathered while its rows are checked."""

    new_carriers: dict[str, dict[str, Any]] = field(
        default_factory=dict[str, Any]
    )  # natural key → name, legal form, first row
    inserts: list[NewProject] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)  # a known project's changes, sheets, communes, status
    funding_changes: list[dict[str, Any]] = field(
        default_factory=list
    )  # known projects' lines: new (id None) or changed

    def write(self, conn: Connection, carrier_ids: dict[str, int], file_name: str, author: str, now: datetime) -> None:
        """New carriers and funders first, then the new projects by chunks (each with its funding line,
        action sheets, further communes and entry in the history), then the updated ones.
        ``carrier_ids`` gives the known carriers' ids by natural key."""
        carrier_ids = dict(carrier_ids)
        if self.new_carriers:
            keys = list(self.new_carriers)
            given = [{k2: self.new_carriers[k][k2] for k2 in ("name", "legal_form", "legal_form_text")} for k in keys]
            carrier_ids.update(zip(keys, insert_numbered(conn, ORG, given)))
        funders = self._funders(conn)
        self._write_fundings(conn, funders)
        first = next_id(conn, P)
        for start in range(0, len(self.inserts), CHUNK):
            chunk = self.inserts[start : start + CHUNK]
            _write_new(conn, chunk, first + start, carrier_ids, funders, file_name, author, now)
        if self.inserts:
            ids_written(conn, P)
        sheets, communes, events = [], [], []
        for u in self.updates:
            if u["sheets"] is not None:
                conn.execute(m.table_of(m.ProjectSheet).delete().where(m.ProjectSheet.project_id == u["id"]))
                sheets += [{"project_id": u["id"], "sheet_id": s} for s in sorted(u["sheets"])]
            if u["further"] is not None:
                conn.execute(m.table_of(m.ProjectCommune).delete().where(m.ProjectCommune.project_id == u["id"]))
                communes += [{"project_id": u["id"], "commune_code": c} for c in sorted(u["further"])]
            step = rules.import_status_policy(u["old_status"], u["changed"].get("status", u["old_status"]), file_name)
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

    def _funders(self, conn: Connection) -> dict[str, int]:
        """The funders of the rows' funding lines by natural key, creating (of unstated kind) those missing."""
        lines = [c["funder"] for c in self.funding_changes] + [r.funding.funder for r in self.inserts if r.funding]
        if not lines:
            return {}
        funders = {
            name_key(name): cast(int, fid)  # a stored funder's id, never None
            for fid, name in conn.execute(select(col(m.Funder.id), col(m.Funder.name)))
        }
        missing = {}
        for name in lines:
            key = name_key(name)
            if key not in funders and key not in missing:
                missing[key] = name
        given = [{"name": name, "kind": UNSPECIFIED_FUNDER} for name in missing.values()]
        funders.update(zip(missing, insert_numbered(conn, m.table_of(m.Funder), given)))
        return funders

    def _write_fundings(self, conn: Connection, funders: dict[str, int]) -> None:
        """The funding lines the rows' amounts give to projects already in the base: new ones, and those
        whose amount or funder (« Non précisé » named at last) changes."""
        columns = ("project_id", "type", "amount", "year")
        new = [
            {**{k: c[k] for k in columns}, "funder_id": funders[name_key(c["funder"])]}
            for c in self.funding_changes
            if c["id"] is None
        ]
        insert_rows(conn, (m.Funding, new))
        changed = [
            (c["id"], {"amount": c["amount"], "funder_id": funders[name_key(c["funder"])]})
            for c in self.funding_changes
            if c["id"] is not None
        ]
        bulk_update(conn, m.table_of(m.Funding), changed)


def _write_new(
    conn: Connection,
    chunk: list[NewProject],
    first: int,
    carriers: dict[str, Any],
    funders: dict[str, Any],
    file_name: str,
    author: str,
    now: datetime,
) -> None:
    """Insert new projects under the ids ``first``, ``first + 1``… (the ids SQLite would give them
    one by one: the write lock is held) with what goes with each."""
    ids = range(first, first + len(chunk))
    conn.execute(
        insert(P),
        [
            {
                "id": pid,
                **dict(zip(FIELDS, r.values)),
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
        status = r.values[_STATUS]
        if status not in steps:
            steps[status] = rules.import_status_policy(None, status, file_name)
        step = steps[status]
        assert step is not None  # a new project always enters at the file's step
        events.append(
            {
                "project_id": pid,
                "date": r.values[_PROPOSED_ON],
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
