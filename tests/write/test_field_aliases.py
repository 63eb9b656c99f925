"""A header alias added to a field's declaration alone (essdash.domain.fields) makes the importer
read the column: nothing else to touch."""

from __future__ import annotations

from sqlalchemy import select

from essdash.domain import fields
from essdash.domain import models as m
from essdash.spreadsheet import columns
from essdash.write import imports as io_import
from essdash.write.actor import Actor
from essdash.write.imports import preview
from essdash.write.imports.projects import Projects
from tests.fixtures.samples import csv_file

ROWS = [
    ["Titre", "Porteur", "Forme juridique", "Commune", "Postes ouverts"],
    ["Recyclerie des Weppes", "La Ressourcerie", "Association", "Wavrin", "4"],
]


def _jobs(engine) -> list[int]:
    with engine.connect() as conn:
        return list(conn.execute(select(m.Project.jobs_created)).scalars())


def test_an_alias_in_the_declaration_alone_lets_the_importer_read_a_column(empty_engine, monkeypatch):
    data = csv_file(ROWS)
    before = io_import.prepare(empty_engine, data, "partenaire.csv", "projects")
    assert dict(before.columns).get("Postes ouverts") != "Emplois prévus"  # not read as jobs today

    declared = fields.PROJECTS.with_aliases("jobs_created", "postes ouverts")
    kind = columns.kind_of(declared, "Projets", columns.PROJECTS.required, columns.PROJECTS.natural_key)
    monkeypatch.setitem(preview.KINDS, "projects", kind)
    monkeypatch.setattr(Projects, "kind", kind)
    plan = io_import.prepare(empty_engine, data, "partenaire.csv", "projects")
    assert plan.ok, plan.report()
    assert dict(plan.columns)["Postes ouverts"] == "Emplois prévus"
    io_import.apply(empty_engine, plan, Actor("Claire Martin", "mission ESS"))
    assert _jobs(empty_engine) == [4]
