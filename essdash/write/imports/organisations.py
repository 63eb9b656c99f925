"""Imports of organisations (carriers): what each row checks, and how the rows are written.

An organisation is known by its name. A new one needs its legal form, read as partners write it
(:func:`essdash.domain.rules.legal_form`); a known one takes the legal form, commune and year of
creation the file gives, and keeps what the file leaves empty. SIRET and RNA numbers (open data) are checked by
:mod:`essdash.domain.subsidies`. A project row may also create its
carrier: see :mod:`essdash.write.imports.projects`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.engine import Connection

from essdash.domain import models as m
from essdash.domain import rules, subsidies
from essdash.domain.vocabulary import LegalForm
from essdash.spreadsheet import cells as cells
from essdash.spreadsheet.columns import ORGANISATIONS
from essdash.write.imports.rows import Builder, Context, Row, bulk_update, name_key, year

ORG = m.table_of(m.Organisation)


class Organisations(Builder):
    kind = ORGANISATIONS

    def __init__(self, ctx: Context):
        super().__init__(ctx)
        self.existing = ctx.organisations()
        self.inserts: list[dict[str, Any]] = []
        self.updates: list[tuple[int, dict[str, Any]]] = []

    def add(self, row: Row) -> None:
        row.memo = self.parsed
        name = row.get("name", cells.text, required=True)
        form, form_text = row.get("legal_form", rules.legal_form) or (None, None)
        commune = self.ctx.places.commune(row)
        created = row.get("created_year", year)
        siret, rna = row.get("siret", subsidies.siret), row.get("rna", subsidies.rna)
        if row.failed or not self.once(row, name_key(name), "name"):
            return
        given = {
            k: v
            for k, v in (
                ("legal_form", form),
                ("commune_code", commune),
                ("created_year", created),
                ("siret", siret),
                ("rna", rna),
            )
            if v is not None
        }
        if form is not None and (form_text is not None or form != LegalForm.OTHER.value):
            given["legal_form_text"] = form_text  # « Autre » alone (an export read back) keeps the words known
        current = self.existing.get(name_key(name))
        if current is None:
            if form is None:
                row.error("legal_form", f"forme juridique obligatoire pour un nouveau porteur (« {name} »).")
                return
            self.inserts.append(
                {
                    "name": name,
                    "commune_code": None,
                    "created_year": None,
                    "legal_form_text": None,
                    "siret": None,
                    "rna": None,
                    **given,
                }
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
