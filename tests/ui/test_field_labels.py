"""Each field of a project has one label (essdash.domain.fields): the import header, the export
header, the register's column, the history of changes and the forms all say the same words."""

from __future__ import annotations

from essdash.domain import fields
from essdash.read import export_records, geo_export, queries
from essdash.read.export_tables import equity_table
from essdash.read.filters import Filters
from essdash.spreadsheet.columns import PROJECTS
from essdash.ui.records import REGISTER_COLUMNS
from essdash.write.projects import PROJECT_FIELDS

SHOWN = ("id", "title", "status", "sector", "intervention_mode", "jobs_created", "jobs_maintained", "beneficiaries")
SHOWN += ("priority_district", "proposed_on", "commune")
EDITED = {  # the edit form's widgets
    "title": "edit_title",
    "jobs_created": "edit_jobs",
    "jobs_maintained": "edit_kept",
    "beneficiaries": "edit_people",
    "priority_district": "edit_priority",
    "start_date": "edit_start",
    "end_date": "edit_end",
    "description": "edit_description",
}


def test_import_export_register_and_history_say_the_same_label(demo_engine):
    exported = list(export_records.projects(demo_engine, Filters()).columns)
    for key in SHOWN:
        label = fields.PROJECTS.label(key)
        assert PROJECTS.header(key) == label
        assert label in exported, key
        assert REGISTER_COLUMNS[key]["label"] == label, key
    for column, label in PROJECT_FIELDS.items():
        key = "commune" if column == "commune_code" else column
        assert label == fields.PROJECTS.label(key) == PROJECTS.header(key)
    assert "Emplois prévus" in exported and "Emplois créés" not in exported


def test_the_other_exports_name_jobs_as_the_pages_do(demo_engine):
    table = equity_table(demo_engine, Filters(), "territory")
    assert {"Emplois prévus", "Emplois prévus pour 10 000 hab."} <= set(table.columns)
    assert not [c for c in table.columns if "créés" in c]
    geojson = geo_export.geojson(demo_engine, Filters()).decode("utf-8")
    assert '"Emplois prévus": ' in geojson and "Emplois créés" not in geojson


def test_the_project_forms_use_the_declared_labels(writable_app):
    make, engine = writable_app
    pid = str(queries.project_register(engine, Filters(statuses=("en_cours",)))["id"].iloc[0])
    at = make("pages/projets.py", projet=pid, state={"pa_tab": "Modifier"})
    widgets = {w.key: w.label for kind in ("text_input", "number_input", "checkbox", "date_input", "text_area")
               for w in getattr(at, kind) if w.key}  # fmt: skip
    for key, widget in EDITED.items():
        assert widgets[widget] == fields.PROJECTS.label(key), key


def test_the_new_proposal_form_names_jobs_as_the_record_does(writable_app):
    make, _ = writable_app
    at = make("pages/projets.py", state={"p_new_open": True})
    numbers = [w.label for w in at.number_input]
    assert numbers[:2] == [fields.PROJECTS.label("jobs_created"), fields.PROJECTS.label("jobs_maintained")]
    assert numbers[:2] == ["Emplois prévus", "Emplois maintenus"]  # « Emplois maintenus prévus » before
    assert fields.PROJECTS.label("priority_district") in [c.label for c in at.checkbox]


def test_the_projects_export_has_every_exported_field_in_the_declared_order(demo_engine):
    exported = list(export_records.projects(demo_engine, Filters()).columns)
    assert exported == [f.label for f in fields.PROJECTS.fields if f.exported]
    assert len(exported) == 23 and "Montant" not in exported  # a funding line's columns are only imported
