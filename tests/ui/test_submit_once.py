"""The new-proposal form of Projets submitted twice, through app.py on a copy of the demo base: a
double click saves one project, and a new form with the same proposal asks for a confirmation.

Streamlit stops a run when the same session sends a new request (here the second click): if the
first run has committed its project but not yet taken a new token, the second run finds the
session state the first found, form values and token alike. The test rebuilds that state by
putting the first submission's token back before clicking again.
"""

from datetime import date

from sqlalchemy import text

from essdash.domain import fmt
from essdash.ui.forms import ONCE

TITLE = "Recyclerie des Weppes"
TOKEN_KEY = f"{ONCE}new-project"


def _button(at, label):
    return next(b for b in at.button if b.label == label)


def _count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT COUNT(*) FROM project WHERE title = :t"), {"t": TITLE}).scalar_one()


def _fill(at) -> None:
    inputs = {t.label: t for t in at.text_input}
    inputs["Titre du projet *"].input(TITLE)
    inputs["Porteur (structure) *"].input("Association Nouvelle")
    next(s for s in at.selectbox if s.label == "Commune principale *").set_value("59653")  # Wavrin
    next(ms for ms in at.multiselect if ms.label == "Fiches du plan servies *").set_value(["III.4"])
    at.text_input(key="sig-new-project").input("Claire Martin")
    at.selectbox(key="sig-new-project-role").select("technicien")


def _project_id(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT id FROM project WHERE title = :t"), {"t": TITLE}).scalar_one()


def test_a_proposal_form_submitted_twice_saves_one_project(writable_app):
    make, engine = writable_app
    at = make("pages/projets.py", state={"p_new_open": True})
    assert _count(engine) == 0
    _fill(at)
    token = at.session_state[TOKEN_KEY]
    _button(at, "Enregistrer la proposition").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert [s.value for s in at.success] == ["Proposition enregistrée."]
    assert _count(engine) == 1
    assert at.session_state[TOKEN_KEY] != token  # a saved form gets a new token
    at.session_state[TOKEN_KEY] = token  # the second click's run, as the first run left the session
    _button(at, "Enregistrer la proposition").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert _count(engine) == 1
    assert f"Cette proposition est déjà enregistrée (projet n° {_project_id(engine)})." in [i.value for i in at.info]


def test_the_same_proposal_in_a_new_form_asks_for_a_confirmation(writable_app):
    make, engine = writable_app
    at = make("pages/projets.py", state={"p_new_open": True})
    _fill(at)
    _button(at, "Enregistrer la proposition").click().run()
    first = _project_id(engine)
    with engine.connect() as conn:
        raw = conn.execute(text("SELECT proposed_on FROM project WHERE id = :i"), {"i": first}).scalar_one()
    proposed_on = date.fromisoformat(str(raw))  # SQLite gives the text, PostgreSQL a date
    assert not [c for c in at.checkbox if c.label == "Enregistrer quand même"]
    _button(at, "Enregistrer la proposition").click().run()  # the form kept its values, with a new token
    assert _count(engine) == 1
    refusal = (
        f"Un projet « {TITLE} » du même porteur à Wavrin existe déjà (n° {first}, proposé le "
        f"{proposed_on:%d/%m/%Y}). Cochez « Enregistrer quand même » si c'est un autre projet."
    )
    assert fmt.md_escape(refusal) in [w.value for w in at.warning]
    anyway = next(c for c in at.checkbox if c.label == "Enregistrer quand même")
    anyway.check()
    _button(at, "Enregistrer la proposition").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert [s.value for s in at.success] == ["Proposition enregistrée."]
    assert _count(engine) == 2
    assert not [c for c in at.checkbox if c.label == "Enregistrer quand même"]


def test_a_step_form_submitted_twice_records_one_step(writable_app):
    """Without the token, the second click's run would fail on the project's version (« Modification
    refusée ») or, worse, record the step twice; with it, one step and a French notice."""
    make, engine = writable_app
    with engine.connect() as conn:
        proposed = conn.execute(text("SELECT min(id) FROM project WHERE status = 'propose'")).scalar_one()
        steps_before = conn.execute(text("SELECT count(*) FROM projectevent WHERE project_id = :p"), {"p": proposed})
        steps_before = steps_before.scalar_one()
    at = make("pages/projets.py", projet=str(proposed))
    key = f"{ONCE}step-{proposed}"
    at.text_input(key="sig-step").input("Karim Benali")
    at.selectbox(key="sig-step-role").select("technicien")
    token = at.session_state[key]
    _button(at, "Enregistrer l'étape").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    at.session_state[key] = token  # the second click's run, as the first run left the session
    _button(at, "Enregistrer l'étape").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    with engine.connect() as conn:
        steps_after = conn.execute(text("SELECT count(*) FROM projectevent WHERE project_id = :p"), {"p": proposed})
        assert steps_after.scalar_one() == steps_before + 1
    assert f"Cette étape du projet n° {proposed} est déjà enregistrée." in [i.value for i in at.info]
