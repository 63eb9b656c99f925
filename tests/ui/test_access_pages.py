"""The pages in shared mode, through the real entry point with AppTest holding a user (``at.user``):
nothing before login, whom to ask for an unknown e-mail, an expired session logged out, and what
a technician of Roubaisien, a membre, the présidence and an administrateur each see."""

from __future__ import annotations

import html
import time

from essdash.domain.vocabulary import ProjectStatus, Role
from tests.fixtures.stores import connect
from tests.ui.conftest import PEOPLE


def _texts(at) -> str:
    parts = [e.value for kind in ("markdown", "caption", "title", "error", "info") for e in getattr(at, kind)]
    return html.unescape(" ".join(str(p) for p in parts)).replace("\u2060", "")


def _buttons(at) -> set[str]:
    return {b.label for b in at.button}


# A project's record with each of its tabs open in turn, the proposal form unfolded with the first.
PROJECT_TABS = (
    {"pa_tab": "Faire avancer", "p_new_open": True},
    {"pa_tab": "Modifier"},
    {"pa_tab": "Commentaires"},
)


def _every_tab(visit, email, page, states, **params) -> tuple[set[str], str]:
    """The buttons and texts of a page over ``states`` (its lazy tabs and expanders open in turn)."""
    buttons, texts = set(), []
    for state in states:
        at = visit(email, page, state=state, **params)
        assert not at.exception, [e.stack_trace for e in at.exception]
        buttons |= _buttons(at)
        texts.append(_texts(at))
    return buttons, " ".join(texts)


def test_shared_mode_refuses_to_start_without_the_auth_secrets(shared):
    visit, _, _ = shared
    at = visit("admin@mel.fr", secrets=False)
    assert "ne peut pas démarrer" in _texts(at) and "auth.cookie_secret" in _texts(at)
    assert not at.metric and "Synthèse" not in [t.value for t in at.title]


def test_nothing_is_shown_before_login(shared):
    visit, _, _ = shared
    at = visit(None, "pages/projets.py")
    assert "Se connecter" in _buttons(at)
    assert not at.metric and not at.dataframe and not at.sidebar.get("page_link")


def test_an_unknown_email_is_told_whom_to_ask_but_not_who_the_members_are(shared, monkeypatch):
    visit, _, _ = shared
    at = visit("inconnu@ailleurs.fr")
    text = _texts(at)
    assert "Accès non ouvert" in text and "inconnu@ailleurs.fr" in text
    assert "l'administrateur du tableau de bord de la mission ESS" in text
    assert not [email for email in PEOPLE if email in text] and "Admin" not in text
    assert not at.metric and "Se déconnecter" in _buttons(at)
    monkeypatch.setenv("ESSDASH_CONTACT", "la mission ESS <ess@exemple.fr>")
    assert "adressez-vous à la mission ESS <ess@exemple.fr>" in _texts(visit("inconnu@ailleurs.fr"))


def test_an_expired_session_is_logged_out(shared):
    visit, _, _ = shared
    at = visit("admin@mel.fr", issued=time.time() - 9 * 3600)  # default: 8 hours
    assert at.user.get("is_logged_in") is False
    assert not at.metric


def test_a_technician_advances_projects_of_their_territory_only(shared):
    visit, _, ids = shared
    buttons, texts = _every_tab(
        visit, "tech.roubaix@mel.fr", "pages/projets.py", PROJECT_TABS, projet=str(ids["59512"])
    )
    assert {"Enregistrer l'étape", "Enregistrer les modifications"} <= buttons
    assert "Signé : Tech Roubaix (technicien)" in texts
    buttons, texts = _every_tab(
        visit, "tech.roubaix@mel.fr", "pages/projets.py", PROJECT_TABS, projet=str(ids["59350"])
    )
    assert not {"Enregistrer l'étape", "Enregistrer les modifications", "Ajouter le commentaire"} & buttons
    assert "Lecture seule : votre rôle (technicien) ne permet pas de faire avancer ce projet" in texts
    lille = visit("tech.roubaix@mel.fr", "pages/projets.py", projet=str(ids["59350"]))
    assert "Accès" not in [link.proto.label for link in lille.sidebar.get("page_link")]


def test_a_technician_saves_a_step_signed_with_their_account(shared):
    visit, engine, ids = shared
    at = visit("tech.roubaix@mel.fr", "pages/projets.py", projet=str(ids["59512"]))
    at.selectbox(key="step_to").select(ProjectStatus.ABANDONED).run()
    at.text_area(key="step_comment").input("Le porteur a cessé son activité.")
    next(b for b in at.button if b.label == "Enregistrer l'étape").click().run()
    assert not at.error, [e.value for e in at.error]
    with connect(engine) as conn:
        step = conn.execute(
            "SELECT to_status, author, account FROM projectevent WHERE project_id = ? ORDER BY id DESC LIMIT 1",
            (ids["59512"],),
        ).one()
    assert tuple(step) == ("abandonne", "Tech Roubaix (technicien)", "tech.roubaix@mel.fr")


def test_a_membre_reads_and_comments_only(shared):
    visit, _, ids = shared
    buttons, texts = _every_tab(visit, "membre@mel.fr", "pages/projets.py", PROJECT_TABS, projet=str(ids["59512"]))
    assert "Ajouter le commentaire" in buttons
    assert not {"Enregistrer l'étape", "Enregistrer les modifications", "Enregistrer la proposition"} & buttons
    assert "Lecture seule : votre rôle (membre) ne permet pas de proposer un projet" in texts
    saving = visit("membre@mel.fr", "pages/donnees.py", state={"d_tab": "Sauvegardes"})
    assert "Télécharger une copie de la base" not in [b.label for b in saving.get("download_button")]
    assert "ne permet pas de télécharger ou restaurer la base" in _texts(saving)
    assert "ne permet pas d'importer des fichiers" in _texts(visit("membre@mel.fr", "pages/donnees.py"))


def test_the_presidence_records_opinions_but_does_not_edit_fiches(shared):
    visit, _, _ = shared
    states = ({"c_tab": "Prochain comité"}, {"c_tab": "Séances", "c_new_meeting_open": True})
    buttons, _ = _every_tab(visit, "presidente@mel.fr", "pages/comite.py", states)
    assert {"Enregistrer les avis", "Enregistrer la séance"} <= buttons
    plan = visit("presidente@mel.fr", "pages/plan.py", fiche="I.1")
    assert "ne permet pas de modifier les fiches du plan" in _texts(plan)


def test_only_an_administrateur_has_the_acces_page(shared):
    visit, _, _ = shared
    at = visit("admin@mel.fr", "pages/acces.py")
    assert not at.exception, at.exception
    assert "Accès" in [link.proto.label for link in at.sidebar.get("page_link")]
    shown = at.dataframe[0].value
    assert set(shown["Adresse"]) == set(PEOPLE)
    assert "Enregistrer le membre" in _buttons(at)
    registered = {info["url_pathname"] for info in visit("membre@mel.fr")._registered_pages.values()}
    assert "acces" not in registered and "projets" in registered


def test_a_technician_is_offered_the_communes_of_their_territory_only(shared):
    visit, engine, _ = shared
    at = visit("tech.roubaix@mel.fr", "pages/projets.py", state={"p_new_open": True})
    offered = next(s for s in at.selectbox if s.label == "Commune principale *").options
    with engine.connect() as conn:
        roubaisien = conn.exec_driver_sql(
            "SELECT name FROM commune WHERE territory_code = 'roubaisien' ORDER BY name"
        ).scalars()
        expected = list(roubaisien)
    assert sorted(offered) == expected and "Lille" not in offered and len(expected) > 1
    everyone = visit("admin@mel.fr", "pages/projets.py", state={"p_new_open": True})
    assert len(next(s for s in everyone.selectbox if s.label == "Commune principale *").options) == 95


def test_the_acces_page_adds_and_removes_a_member_and_shows_the_journal(shared):
    visit, _, _ = shared
    at = visit("admin@mel.fr", "pages/acces.py")
    form = next(t for t in at.text_input if t.label == "Adresse électronique *")
    form.input("Nouvelle.Technicienne@mel.fr")
    next(s for s in at.selectbox if s.label == "Rôle *").select(Role.TECHNICIAN)
    next(s for s in at.selectbox if s.label == "Territoire (technicien)").select("lys")
    next(b for b in at.button if b.label == "Enregistrer le membre").click().run()
    assert not at.error, [e.value for e in at.error]
    assert "nouvelle.technicienne@mel.fr" in set(at.dataframe[0].value["Adresse"])
    journal = at.dataframe[1].value
    assert journal.iloc[0]["Compte"] == "admin@mel.fr" and "nouvelle.technicienne@mel.fr" in journal.iloc[0]["Détail"]
    at.selectbox(key="acc_j_account").select("tech.roubaix@mel.fr").run()
    assert at.dataframe[1].value.empty  # the technician has written nothing yet
    next(s for s in at.selectbox if s.label == "Retirer un membre").select("nouvelle.technicienne@mel.fr")
    next(b for b in at.button if b.label == "Retirer").click().run()
    assert "nouvelle.technicienne@mel.fr" not in set(at.dataframe[0].value["Adresse"])
    gone = visit("nouvelle.technicienne@mel.fr")
    assert "Accès non ouvert" in _texts(gone)
