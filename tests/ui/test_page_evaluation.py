"""The Évaluation page through app.py: the semester's states and sentences, a step taken through the
form (and a sending back refused without its reason, writing nothing), what a technician and a member
are offered, the completeness and the reminders' file, and the register with an entry drawn from a
comment."""

from sqlalchemy import select

from essdash.domain.models_evaluation import PlanIncident, SemesterApproval
from essdash.read import approval
from essdash.write import comments
from tests.fixtures.samples import dump
from tests.ui.conftest import LOCAL

PAGE = "pages/evaluation.py"


def _state(engine, territory: str) -> str | None:
    with engine.connect() as conn:
        return conn.execute(
            select(SemesterApproval.state).where(
                SemesterApproval.period == "2014-S2", SemesterApproval.territory_code == territory
            )
        ).scalar()


def test_the_latest_semester_s_states_and_completeness(app, demo_engine, downloads):
    at = app(PAGE)
    assert not at.exception and not at.error
    assert at.selectbox(key="ev_period").value == "2014-S2"
    said = " ".join(md.value for md in at.markdown)
    assert "3 validés" in said and "provisoires" in said
    table = at.dataframe[0].value
    assert len(table) == 8 and sorted(table["État"]).count("Soumis") == 2
    at.session_state["ev_tab"] = "Complétude et relances"
    at.run()
    grid, reminders = at.dataframe[0].value, at.dataframe[1].value
    assert len(grid) == 12 and "Territoire des Weppes" in grid.columns
    expected = approval.reminders(demo_engine, "2014-S2", reminders["En saisie depuis"].max())
    assert sorted(reminders["Lieu"]) == sorted(expected["Lieu"]) and len(reminders) == 3
    name = next(n for n in downloads if n and n.startswith("essdash-relances-2014-S2"))
    lines = downloads[name]().decode("cp1252").splitlines()
    assert lines[0].startswith("Semestre;Lieu;État") and len(lines) == 4


def test_a_step_through_the_form_and_a_refused_sending_back(writable_app):
    make, engine = writable_app
    at = make(PAGE)
    at.selectbox(key="ev_step_code").set_value("valider")
    at.multiselect(key="ev_step_places").set_value(["lillois"])
    at.text_input(key="ev_author").input("Claire Martin")
    at.selectbox(key="ev_author-role").select("mission ESS")
    at.button[0].click().run()
    assert not at.error, [e.value for e in at.error]
    assert "Valider : 1 lieu, 2e semestre 2014." in at.success[0].value
    assert _state(engine, "lillois") == "valide"
    before = dump(engine)
    at.selectbox(key="ev_step_code").set_value("renvoyer")
    at.multiselect(key="ev_step_places").set_value(["lys"])
    at.button[0].click().run()
    assert "demande un motif" in at.error[0].value and "Rien n'a été enregistré" in at.error[0].value
    assert dump(engine) == before


def test_a_technician_is_offered_submitting_their_territory_and_a_member_nothing(shared):
    visit, _, _ = shared
    at = visit("tech.roubaix@mel.fr", PAGE)
    assert not at.exception
    assert at.selectbox(key="ev_step_code").options == ["Soumettre"]
    assert at.multiselect(key="ev_step_places").options == ["Territoire Roubaisien"]
    member = visit("membre@mel.fr", PAGE)
    assert not member.get("multiselect") and "Lecture seule" in " ".join(c.value for c in member.caption)


def test_an_entry_of_the_register_drawn_from_a_comment(writable_app):
    make, engine = writable_app
    with engine.connect() as conn:
        project = conn.exec_driver_sql("SELECT MIN(id) FROM project").scalar()
    said = comments.add_comment(engine, LOCAL, "projet", project, "forum_acteurs", "Le local n'est pas prêt.")
    at = make(PAGE, state={"ev_tab": "Dysfonctionnements", "ev_from_comment": said})
    assert not at.exception
    assert len(at.dataframe[0].value) == 4  # the demo's entries
    assert f"commentaire n° {said}" in at.info[-1].value
    assert at.text_area(key="ev_what").value == "Le local n'est pas prêt."
    at.selectbox(key="ev_kind").set_value(at.selectbox(key="ev_kind").options[0])
    at.text_input(key="ev_inc_author").input("Claire Martin")
    at.selectbox(key="ev_inc_author-role").select("mission ESS")
    next(b for b in at.button if b.label == "Consigner").click().run()
    assert not at.error, [e.value for e in at.error]
    with engine.connect() as conn:
        row = conn.execute(select(PlanIncident).where(PlanIncident.comment_id == said)).mappings().one()
    assert row["project_id"] == project and row["what"] == "Le local n'est pas prêt."
    assert len(at.dataframe[0].value) == 5
