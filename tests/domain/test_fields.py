"""The one declaration of each field (essdash.domain.fields) and what is built from it."""

from __future__ import annotations

from datetime import date

import pytest

from essdash.domain import field_kinds, fields
from essdash.domain import models as m
from essdash.spreadsheet import columns
from essdash.spreadsheet.cells import fold
from essdash.store.row_rules import SPECIFIC
from essdash.write.imports.project_writes import FIELDS
from essdash.write.imports.values import FACTS

MODELS = {"projects": m.Project, "organisations": m.Organisation, "fundings": m.Funding, "measurements": m.Measurement}


@pytest.mark.parametrize("code", sorted(MODELS))
def test_every_stored_field_is_a_column_of_its_model(code):
    declared = fields.FIELD_SETS[code]
    assert declared.model is MODELS[code]
    names = set(MODELS[code].__table__.columns.keys())
    stored = declared.stored()
    assert stored and {f.column for f in stored} <= names, {f.column for f in stored} - names


@pytest.mark.parametrize("code", sorted(MODELS))
def test_no_two_fields_of_a_kind_share_a_key_or_an_accepted_header(code):
    owner: dict[str, str] = {}
    declared = fields.FIELD_SETS[code]
    assert len(set(declared.keys())) == len(declared.keys())
    for field in declared.fields:
        for header in {fold(field.label), *map(fold, field.aliases)}:
            assert owner.setdefault(header, field.key) == field.key, (header, owner[header], field.key)


@pytest.mark.parametrize("code", sorted(MODELS))
def test_the_import_and_export_columns_are_the_declared_fields_in_their_order(code):
    kind, declared = columns.KINDS[code], fields.FIELD_SETS[code]
    assert [(c.key, c.header, c.aliases, c.computed) for c in kind.columns] == [
        (f.key, f.label, f.aliases, f.computed) for f in declared.fields
    ]


def test_jobs_created_has_one_label_and_the_old_header_still_imports():
    assert fields.PROJECTS.label("jobs_created") == "Emplois prévus"
    assert columns.PROJECTS.header("jobs_created") == "Emplois prévus"
    for header in ("Emplois créés", "EMPLOIS_CREES", "Emplois prévus"):
        assert columns.PROJECTS.match(header).key == "jobs_created"


def test_the_open_data_facts_of_a_funding_come_from_the_declaration():
    funding_columns = set(m.Funding.__table__.columns.keys())
    assert fields.FUNDING_FACTS == (
        "convention_date",
        "decision_reference",
        "nature",
        "payment_conditions",
        "payment_dates",
        "eu_notification",
        "beneficiary_share",
        "aid_scheme",
    )
    assert set(fields.FUNDING_FACTS) <= funding_columns
    assert [key for key, _ in FACTS] == list(fields.FUNDING_FACTS)  # the import reads each of them
    restored = {name for table, name in SPECIFIC if table == "funding"} & set(fields.FUNDING_FACTS)
    assert restored == {
        "decision_reference",
        "nature",
        "payment_conditions",
        "payment_dates",
        "beneficiary_share",
        "aid_scheme",
    }
    assert fields.FUNDINGS["funder_siret"].open_data and fields.FUNDINGS["funder_siret"].column is None


def test_a_projects_row_writes_every_stored_field_but_what_identifies_the_project():
    expected = {
        "status", "sector", "intervention_mode", "jobs_created", "jobs_maintained", "beneficiaries",
        "priority_district", "proposed_on", "start_date", "end_date", "lat", "lon", "description",
    }  # fmt: skip
    assert set(FIELDS) == expected


def test_an_alias_is_added_through_the_declaration():
    extended = fields.PROJECTS.with_aliases("jobs_created", "Postes ouverts")
    kind = columns.kind_of(extended, "Projets", columns.PROJECTS.required, columns.PROJECTS.natural_key)
    assert columns.PROJECTS.match("Postes ouverts") is None
    assert kind.match("postes ouverts").key == "jobs_created"
    assert fields.PROJECTS["jobs_created"].aliases == extended["jobs_created"].aliases[:-1]  # the original is kept


def test_a_declared_value_is_checked_by_its_rule_else_by_its_type():
    jobs, sector, district = (
        fields.PROJECTS["jobs_created"],
        fields.PROJECTS["sector"],
        fields.PROJECTS["priority_district"],
    )
    assert jobs.check("12") == 12
    with pytest.raises(ValueError, match="négatif"):
        jobs.check(-1)
    assert sector.check("insertion") == "insertion"
    with pytest.raises(ValueError, match="« chimie » inconnue"):
        sector.check("chimie")
    assert district.check(1) is True and district.check(0) is False
    day = field_kinds.Field("day", "Jour", field_kinds.FieldType.DATE)
    assert day.check("15/01/2024") == date(2024, 1, 15) and day.check("") is None
    with pytest.raises(ValueError):
        field_kinds.Field("note", "Note").check("=1+1")  # a text field without a rule: a formula is refused
    assert field_kinds.Field("note", "Note").check("  deux   mots ") == "deux mots"
