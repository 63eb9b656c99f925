"""A project's field declared once (essdash.domain.fields) reaches the register, the record and the
edit form without code of its own: the pages lay out by hand the fields they had, and render any
other declared one by its type, its widget, its rule and its label. Each test declares an existing
field in one more view (or takes it out of a page's hand layout) and checks the generic path."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import select

from essdash.domain import field_kinds, fields
from essdash.domain import models as m
from essdash.domain.errors import ValidationError
from essdash.read import queries
from essdash.read.filters import Filters
from essdash.store.db import make_engine
from essdash.ui import project_forms, records
from essdash.write import project_checks, projects
from essdash.write.actor import Actor
from tests.fixtures.samples import dump

MISSION = Actor("Claire Martin", "mission ESS")


def declare(monkeypatch, key: str, *views: field_kinds.View) -> None:
    """Declare the project's field ``key`` in ``views`` too, for the test."""
    patched = tuple(replace(f, views=(*f.views, *views)) if f.key == key else f for f in fields.PROJECTS.fields)
    monkeypatch.setattr(fields, "PROJECTS", replace(fields.PROJECTS, fields=patched))


def in_progress(engine) -> int:
    return int(queries.project_register(engine, Filters(statuses=("en_cours",)))["id"].iloc[0])


def test_the_pages_lay_out_by_hand_every_field_declared_today(demo_engine):
    for view in ("proposal", "edit"):
        assert {f.key for f in fields.PROJECTS.shown_in(view)} == project_forms.BY_HAND[view], view
    assert project_checks.declared_fields() == ()
    assert {f.key for f in fields.PROJECTS.shown_in("record")} == records.RECORD_BY_HAND
    assert records.declared_lines(queries.project_detail(demo_engine, in_progress(demo_engine))) == []


def test_a_field_declared_in_the_register_is_read_in_its_declared_place(demo_engine, monkeypatch):
    before = queries.project_register(demo_engine, Filters())
    declare(monkeypatch, "end_date", "register")
    after = queries.project_register(demo_engine, Filters())
    assert list(after.columns) == [*before.columns, "end_date"]  # declared after « Proposé le »
    with demo_engine.connect() as conn:
        stored = dict(conn.execute(select(m.Project.id, m.Project.end_date)).all())
    assert after["end_date"].notna().any()
    assert {i: d if d == d else None for i, d in zip(after["id"], after["end_date"])} == stored
    column = records.field_column(fields.PROJECTS["end_date"])
    assert (column["label"], column["type_config"]["type"], column["type_config"]["format"]) == (
        "Fin",
        "date",
        "DD/MM/YYYY",
    )


def test_the_record_lists_a_declared_field_it_does_not_lay_out(app, demo_engine, monkeypatch):
    pid = in_progress(demo_engine)
    start = queries.project_detail(demo_engine, pid)["start_date"]
    monkeypatch.setattr(records, "RECORD_BY_HAND", records.RECORD_BY_HAND - {"start_date", "beneficiaries"})
    at = app("pages/projets.py", projet=str(pid))
    beneficiaries = queries.project_detail(demo_engine, pid)["beneficiaries"]
    expected = f"**Bénéficiaires** : {beneficiaries}  \n**Début** : {start:%d/%m/%Y}"  # the declared order
    assert beneficiaries < 1000 and expected in [md.value for md in at.markdown]


def test_the_edit_form_renders_and_saves_a_declared_field_it_does_not_lay_out(writable_app, monkeypatch):
    make, engine = writable_app
    declare(monkeypatch, "proposed_on", "edit")
    monkeypatch.setattr(
        project_checks, "BY_HAND", project_checks.BY_HAND - {"proposed_on"}
    )  # no longer checked by hand
    pid = in_progress(engine)
    at = make("pages/projets.py", projet=str(pid), state={"pa_tab": "Modifier"})
    widget = at.date_input(key="edit_proposed_on")
    assert widget.label == "Proposé le" and widget.value == queries.project_detail(engine, pid)["proposed_on"]
    widget.set_value(date(2019, 3, 4))
    at.text_input(key="sig-edit").input("Claire Martin")
    at.selectbox(key="sig-edit-role").select("technicien")
    next(b for b in at.button if b.label == "Enregistrer les modifications").click().run()
    assert not at.error, [e.value for e in at.error]
    detail = queries.project_detail(engine, pid)
    assert detail["proposed_on"] == date(2019, 3, 4)
    assert detail["events"]["comment"].iloc[-1] == "Fiche modifiée : proposé le."


def test_a_declared_field_is_checked_by_its_rule_and_a_refusal_writes_nothing(demo_copy, monkeypatch):
    declare(monkeypatch, "proposed_on", "edit")
    monkeypatch.setattr(project_checks, "BY_HAND", project_checks.BY_HAND - {"proposed_on"})
    engine = make_engine(demo_copy)
    try:
        pid = in_progress(engine)
        detail = queries.project_detail(engine, pid)
        loaded = {k: detail[k] for k in ("id", "version", "status", *project_checks.project_labels()) if k in detail}
        assert "proposed_on" in loaded
        before = dump(engine)
        with pytest.raises(ValidationError) as refused:
            projects.update_project(engine, MISSION, pid, loaded, {"proposed_on": "31/02/2020"})
        assert [issue[1] for issue in refused.value.issues] == ["Proposé le"]
        assert dump(engine) == before
    finally:
        engine.dispose()


def test_the_new_proposal_form_renders_and_saves_a_declared_field_it_does_not_lay_out(writable_app, monkeypatch):
    make, engine = writable_app
    declare(monkeypatch, "end_date", "proposal")  # an end date asked at proposal, checked by its rule
    at = make("pages/projets.py", state={"p_new_open": True})
    widget = at.date_input(key="new_end_date")
    assert widget.label == "Fin" and widget.value is None
    widget.set_value(date(2031, 6, 30))
    texts = {t.label: t for t in at.text_input}
    texts["Titre du projet *"].input("Recyclerie des Weppes")
    texts["Porteur (structure) *"].input("Association Nouvelle")
    next(s for s in at.selectbox if s.label == "Commune principale *").set_value("59653")
    next(ms for ms in at.multiselect if ms.label == "Fiches du plan servies *").set_value(["III.4"])
    at.text_input(key="sig-new-project").input("Claire Martin")
    at.selectbox(key="sig-new-project-role").select("technicien")
    next(b for b in at.button if b.label == "Enregistrer la proposition").click().run()
    assert not at.error, [e.value for e in at.error]
    created = queries.project_register(engine, Filters(search="Recyclerie des Weppes"))
    assert queries.project_detail(engine, int(created["id"].iloc[0]))["end_date"] == date(2031, 6, 30)
