"""Plan d'actions, Comité and the project forms through app.py, writing to a copy of the demo base."""

from sqlalchemy import select

from essdash.domain import models as m
from essdash.domain.vocabulary import OpinionValue, SheetStatus
from essdash.read import followup, proceedings, queries
from essdash.read.filters import Filters
from essdash.read.selection import resolve


def _button(at, label):
    return next(b for b in at.button if b.label == label)


def test_plan_tree_filters_and_fiche_view(app, demo_engine):
    at = app("pages/plan.py")
    assert not at.exception and not at.error
    tree = followup.sheet_tree(demo_engine, resolve(demo_engine))
    assert len(at.dataframe[0].value) == len(tree) == 25
    at.toggle(key="p_late").set_value(True).run()
    assert at.dataframe[0].value["code"].tolist() == tree.loc[tree["late"], "code"].tolist()
    at = app("pages/plan.py", fiche="III.4")
    detail = followup.sheet_detail(demo_engine, "III.4", resolve(demo_engine))
    assert at.subheader[0].value.startswith("III.4 — Renforcer l'entrepreneuriat collectif")
    text = " ".join(md.value for md in at.markdown)
    assert f"**Actions** ({int(detail['actions']['done'].sum())} réalisée(s) sur {len(detail['actions'])})" in text


def test_plan_territory_filter_keeps_fiches_with_projects_there(app, demo_engine):
    at = app("pages/plan.py", territoire="weppes")
    tree = followup.sheet_tree(demo_engine, resolve(demo_engine, territory="weppes"))
    assert at.dataframe[0].value["code"].tolist() == tree.loc[tree["projects"] > 0, "code"].tolist()


def test_fiche_status_change_requires_a_comment_then_writes_history(writable_app):
    make, engine = writable_app
    at = make("pages/plan.py", fiche="II.2")
    before = followup.sheet_detail(engine, "II.2", resolve(engine))
    at.selectbox(key="sheet_status").select(SheetStatus.BLOCKED)
    at.text_input(key="sig-sheet").input("Claire Martin")
    at.selectbox(key="sig-sheet-role").select("technicien")
    _button(at, "Enregistrer").click().run()
    assert "expliquez la modification" in at.error[0].value
    assert followup.sheet_detail(engine, "II.2", resolve(engine))["version"] == before["version"]
    at.selectbox(key="sheet_status").select(SheetStatus.BLOCKED)
    at.text_input(key="sig-sheet").input("Claire Martin")
    at.selectbox(key="sig-sheet-role").select("technicien")
    at.text_area(key="sheet_comment").input("Le fonds foncier attend la délibération")
    _button(at, "Enregistrer").click().run()
    assert not at.error, [e.value for e in at.error]
    after = followup.sheet_detail(engine, "II.2", resolve(engine))
    assert after["status"] == "bloquee" and after["version"] == before["version"] + 1
    assert "Le fonds foncier attend la délibération" in after["timeline"]["comment"].tolist()
    assert at.success[0].value == "Fiche mise à jour."


def test_committee_records_opinions_in_one_screen(writable_app):
    make, engine = writable_app
    at = make("pages/comite.py")
    assert not at.exception and not at.error
    awaiting = proceedings.awaiting_opinion(engine)
    first, second = awaiting["id"].iloc[0], awaiting["id"].iloc[1]
    rows = list(at.dataframe[0].value["id"])  # the opinions table, one row per awaiting proposal
    at.session_state["opinions_grid"] = {
        "edited_rows": {
            rows.index(first): {"opinion": OpinionValue.FAVORABLE.label},
            rows.index(second): {"opinion": OpinionValue.UNFAVORABLE.label, "comment": "Pas d'ancrage territorial"},
        },
        "added_rows": [],
        "deleted_rows": [],
    }
    at.text_input(key="sig-opinions").input("Jean Dupont")
    at.selectbox(key="sig-opinions-role").select("présidence du comité")
    _button(at, "Enregistrer les avis").click().run()
    assert not at.error, [e.value for e in at.error]
    assert at.success[0].value == "2 avis enregistrés."
    assert queries.project_detail(engine, int(first))["status"] == "retenu"
    refused = queries.project_detail(engine, int(second))
    assert refused["status"] == "refuse" and refused["events"]["comment"].iloc[-1] == "Pas d'ancrage territorial"
    assert len(proceedings.awaiting_opinion(engine)) == len(awaiting) - 2


def test_since_last_committee_and_pipeline_tabs(app, demo_engine):
    at = app("pages/comite.py", state={"c_tab": "Depuis le dernier comité"})
    committees = proceedings.meetings(demo_engine, "comite_metropolitain")["date"].tolist()
    diff = proceedings.changes_between(demo_engine, committees[1], committees[0])
    assert {m.label: m.value for m in at.metric}["Nouveaux projets"] == str(len(diff.new_projects))
    at.session_state["c_tab"] = "Pipeline des propositions"
    (pipeline,) = (df.value for df in at.run().dataframe)  # the other tabs' tables are not drawn
    assert pipeline["projects"].sum() == len(proceedings.awaiting_opinion(demo_engine)) + len(
        queries.project_register(demo_engine, Filters(statuses=("propose", "renvoye")))
    )


def test_since_last_committee_follows_the_territory(app, demo_engine):
    """Roubaisien's new projects between the last two committees, counted here from the raw rows."""
    at = app("pages/comite.py", territoire="roubaisien", state={"c_tab": "Depuis le dernier comité"})
    start, end = proceedings.meetings(demo_engine, "comite_metropolitain")["date"].tolist()[1::-1]
    with demo_engine.connect() as conn:
        communes = dict(conn.execute(select(m.Commune.insee_code, m.Commune.territory_code)).all())
        further = conn.execute(select(m.ProjectCommune.project_id, m.ProjectCommune.commune_code)).all()
        projects = conn.execute(select(m.Project.id, m.Project.proposed_on, m.Project.commune_code)).all()
    there = {pid for pid, code in further if communes[code] == "roubaisien"}
    expected = [
        pid
        for pid, proposed, commune in projects
        if start < proposed <= end and (communes[commune] == "roubaisien" or pid in there)
    ]
    metrics = {metric.label: metric.value for metric in at.metric}
    assert expected and metrics["Nouveaux projets"] == str(len(expected))
    assert any("Territoire Roubaisien" in caption.value for caption in at.caption)


def test_project_step_from_its_record(writable_app):
    make, engine = writable_app
    proposed = queries.project_register(engine, Filters(statuses=("propose",)))["id"].iloc[0]
    at = make("pages/projets.py", projet=str(proposed))
    assert (
        at.selectbox(key=f"step_meeting_{proposed}_groupe_techniciens").label
        == "Séance (Groupe de travail des techniciens)"
    )
    assert at.selectbox(key="step_to").value.value == "valide"
    at.text_input(key="sig-step").input("Karim Benali")
    at.selectbox(key="sig-step-role").select("technicien")
    _button(at, "Enregistrer l'étape").click().run()
    assert not at.error, [e.value for e in at.error]
    detail = queries.project_detail(engine, int(proposed))
    assert detail["status"] == "valide"
    assert detail["events"]["meeting"].iloc[-1].startswith("Groupe de travail des techniciens")
    assert detail["events"]["author"].iloc[-1] == "Karim Benali (technicien)"


def test_two_sessions_editing_the_same_project(writable_app):
    make, engine = writable_app
    pid = str(queries.project_register(engine, Filters(statuses=("en_cours",)))["id"].iloc[0])
    first, second = (make("pages/projets.py", projet=pid, state={"pa_tab": "Modifier"}) for _ in range(2))
    first.text_input(key="edit_title").input("Titre corrigé par la mission")
    first.text_input(key="sig-edit").input("Claire Martin")
    first.selectbox(key="sig-edit-role").select("technicien")
    _button(first, "Enregistrer les modifications").click().run()
    assert not first.error and first.success[0].value == "Modifications enregistrées."
    second.number_input(key="edit_people").set_value(999)
    second.text_input(key="sig-edit").input("Karim Benali")
    second.selectbox(key="sig-edit-role").select("technicien")
    _button(second, "Enregistrer les modifications").click().run()
    message = second.error[0].value
    assert "Modification refusée" in message and "Titre corrigé par la mission" in message
    detail = queries.project_detail(engine, int(pid))
    assert detail["title"] == "Titre corrigé par la mission" and detail["beneficiaries"] != 999


def test_new_project_form(writable_app):
    make, engine = writable_app
    at = make("pages/projets.py", state={"p_new_open": True})
    form_inputs = {t.label: t for t in at.text_input}
    form_inputs["Titre du projet *"].input("Recyclerie des Weppes")
    form_inputs["Porteur (structure) *"].input("Association Nouvelle")
    at.text_input(key="sig-new-project").input("Claire Martin")
    at.selectbox(key="sig-new-project-role").select("technicien")
    _button(at, "Enregistrer la proposition").click().run()
    message = at.error[0].value
    assert "Commune" in message and "Fiches" in message
    assert queries.project_register(engine, Filters(search="Recyclerie des Weppes")).empty
    boxes = {s.label: s for s in at.selectbox}
    boxes["Commune principale *"].set_value("59653")
    next(ms for ms in at.multiselect if ms.label == "Fiches du plan servies *").set_value(["III.4"])
    _button(at, "Enregistrer la proposition").click().run()
    assert not at.error, [e.value for e in at.error]
    created = queries.project_register(engine, Filters(search="Recyclerie des Weppes"))
    assert created["commune"].tolist() == ["Wavrin"] and created["status"].tolist() == ["Proposé"]
