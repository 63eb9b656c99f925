"""The register of « dysfonctionnements »: entered directly or drawn from a comment (whose fiche or
project it takes), refused in French and byte-identically when it names nothing or what does not
exist, once per form token, read back with French headers and exported formula-safe."""

import io
from datetime import date

import openpyxl
import pytest

from essdash.domain.errors import ValidationError
from essdash.read import exports, incidents
from essdash.write import comments, once
from essdash.write.incidents import add_incident
from tests.fixtures.samples import dump
from tests.write.test_gate import LOCAL, _project


def test_an_entry_drawn_from_a_comment_takes_its_project(empty_engine):
    project = _project(empty_engine, "59512")
    said = comments.add_comment(empty_engine, LOCAL, "projet", project, "forum_acteurs", "Local introuvable.")
    entry = add_incident(
        empty_engine, LOCAL, day="12/10/2014", kind="dysfonctionnement", what="Local introuvable.", comment_id=said
    )
    table = incidents.register(empty_engine, "2014-S2")
    assert table["N°"].tolist() == [entry]
    row = table.iloc[0]
    assert row["Projet"] == f"n° {project} — Projet 59512" and row["Commentaire n°"] == said
    assert row["Date"] == date(2014, 10, 12) and row["Nature"] == "Dysfonctionnement"
    assert incidents.register(empty_engine, "2014-S1").empty


@pytest.mark.parametrize(
    "fields, column",
    [
        ({}, "Objet"),
        ({"sheet_id": 99999}, "Fiche"),
        ({"sheet_id": 1, "meeting_id": 99999}, "Séance"),
        ({"sheet_id": 1, "comment_id": 99999}, "Commentaire"),
        ({"sheet_id": 1, "kind": "panne"}, "Nature"),
        ({"sheet_id": 1, "what": "  "}, "Constat"),
        ({"sheet_id": 1, "what": "=1+1"}, "Constat"),  # a formula: the rule book of every text refuses it
        ({"sheet_id": 1, "day": "31/02/2014"}, "Date"),
    ],
)
def test_a_bad_entry_is_refused_in_french_and_writes_nothing(empty_engine, fields, column):
    before = dump(empty_engine)
    given = {"day": "01/03/2014", "kind": "reorientation", "what": "Fiche recentrée."} | fields
    with pytest.raises(ValidationError) as refused:
        add_incident(empty_engine, LOCAL, **given)
    assert dump(empty_engine) == before
    assert column in [c for _, c, _ in refused.value.issues], refused.value.issues


def test_a_form_submitted_twice_records_one_entry(empty_engine):
    token = "jeton-dysfonctionnement"
    first = add_incident(
        empty_engine, LOCAL, day=date(2014, 3, 1), kind="reorientation", what="A.", sheet_id=1, once=token
    )
    again = add_incident(
        empty_engine, LOCAL, day=date(2014, 3, 1), kind="reorientation", what="A.", sheet_id=1, once=token
    )
    assert isinstance(again, once.Replayed) and int(again) == first
    assert len(incidents.register(empty_engine)) == 1


def test_the_register_exports_as_csv_and_xlsx(empty_engine):
    add_incident(empty_engine, LOCAL, day="01/03/2014", kind="reorientation", what="Fiche recentrée.", sheet_id=1)
    table = incidents.register(empty_engine)
    made = exports.table_file(table, "Registre", "registre", "csv-utf8", date(2014, 3, 2))
    lines = made.data.decode("utf-8-sig").splitlines()
    assert made.file_name == "essdash-registre-20140302.csv"
    assert lines[0].split(";")[:4] == ["N°", "Date", "Nature", "Fiche"] and "Fiche recentrée." in lines[1]
    book = openpyxl.load_workbook(io.BytesIO(exports.table_file(table, "Registre", "r", "xlsx", date(2014, 3, 2)).data))
    assert book.active["G2"].value == "Fiche recentrée."
