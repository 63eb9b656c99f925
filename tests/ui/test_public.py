"""The pages reachable without an account, through the real entry point (AppTest): in shared mode an
anonymous visitor gets the public view and the answer page only — the login page at every member's
page — with no sidebar link, no form but the answer's, and no person's name; its open data files (the
SCDL subsidies, the package of the published semesters) download anonymously; a member sees the normal
app; « poste local » mode reaches the public view too. The questionnaires from the mission's form to
the beneficiary's answer, and the answers on the Indicateurs page and the project's record."""

from __future__ import annotations

import html
import io
import json
import zipfile
from pathlib import Path

import pytest

from essdash.domain import voices as dv
from essdash.ui.navigation import PAGES
from essdash.write import comments
from essdash.write import voices as write_voices
from essdash.write.actor import Actor
from tests.fixtures.stores import connect

ADMIN = Actor("?", "?", "admin@mel.fr")
LOGIN_TITLE = "Tableau de bord ESS de Lille Métropole"
SCDL_HEADER = (  # the SCDL « Subventions » 2.1.1 columns, in the schema's order (its documentation)
    "nomAttribuant,idAttribuant,dateConvention,referenceDecision,nomBeneficiaire,idBeneficiaire,"
    "rnaBeneficiaire,objet,montant,nature,conditionsVersement,datesPeriodeVersement,idRAE,notificationUE,"
    "pourcentageSubvention,dispositifAide"
)


def _texts(at) -> str:
    parts = [
        e.value
        for kind in ("markdown", "caption", "title", "subheader", "info", "warning", "success")
        for e in getattr(at, kind)
    ]
    parts += [m.label for m in at.metric] + [m.value for m in at.metric]
    return html.unescape(" ".join(str(p) for p in parts)).replace("\u2060", "")


def _ok(at) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def test_an_anonymous_visitor_gets_only_the_public_pages_registered(shared):
    visit, _, _ = shared
    at = visit(None)
    scripts = {Path(info["script_path"]).name for info in at._registered_pages.values() if info["script_path"]}
    assert scripts == {"public.py", "reponse.py"}
    paths = {info["url_pathname"] for info in at._registered_pages.values()}
    assert {page.url_path for page in PAGES} <= paths  # their URLs exist, as the login page
    assert [t.value for t in at.title] == [LOGIN_TITLE] and [b.label for b in at.button] == ["Se connecter"]


@pytest.mark.parametrize("script", [page.script for page in PAGES])
def test_every_members_page_shows_the_login_page_to_an_anonymous_visitor(shared, script):
    visit, _, _ = shared
    at = visit(None, script)
    _ok(at)
    assert [t.value for t in at.title] == [LOGIN_TITLE]
    assert [b.label for b in at.button] == ["Se connecter"] and not at.metric and not at.dataframe


def test_a_member_gets_the_whole_app_and_the_public_pages(shared):
    visit, _, _ = shared
    at = visit("admin@mel.fr")
    scripts = {Path(info["script_path"]).name for info in at._registered_pages.values() if info["script_path"]}
    assert scripts == {Path(page.script).name for page in PAGES} | {"public.py", "reponse.py"}


def test_the_public_view_shows_aggregates_no_form_no_link_and_no_name(shared):
    visit, engine, ids = shared
    comments.add_comment(engine, ADMIN, "projet", ids["59512"], "comite_metropolitain", "Remarque interne du comité")
    with connect(engine) as conn:
        people = {row[0] for row in conn.execute("SELECT name FROM member UNION SELECT email FROM member").all()}
        people |= {row[0] for row in conn.execute("SELECT DISTINCT author FROM comment").all()}
        remarks = [row[0] for row in conn.execute("SELECT text FROM comment").all()]
    assert people and remarks  # the check below can fail
    at = visit(None, "pages/public.py")
    _ok(at)
    assert at.title[0].value == "L'économie sociale et solidaire dans la métropole lilloise"
    assert {m.label for m in at.metric} >= {"Projets", "Montant engagé"}
    seen = []
    for label in [tab.label for tab in at.tabs]:
        at.session_state["pub_tab"] = label
        at.run()
        _ok(at)
        assert not at.sidebar.get("page_link") and not at.text_input and not at.text_area
        assert not [b for b in at.button if b.label == "Se connecter"]
        seen.append(_texts(at))
    everything = " ".join(seen)
    assert "Gini" in everything or "Theil" in everything  # the equity findings
    assert "Le dossier public d'une séance" in everything  # the past committees' packs
    assert not [who for who in people if who and who in everything]
    assert not [text for text in remarks if text in everything]


def test_a_past_committees_public_pack_downloads_as_pdf(shared, downloads):
    visit, _, _ = shared
    at = visit(None, "pages/public.py", state={"pub_tab": "Dossiers des comités"})
    _ok(at)
    assert at.selectbox(key="pub_pack").options
    at.button(key="pub_pack_make").click().run()
    _ok(at)
    (name,) = [n for n in downloads if n and n.startswith("pack-comite-")]
    assert downloads[name]()[:5] == b"%PDF-"


def test_the_public_view_says_only_validated_semesters_are_published(shared):
    visit, _, _ = shared
    at = visit(None, "pages/public.py")
    _ok(at)
    text = _texts(at)
    assert "seuls les semestres validés sont publiés ; situation au 30/06/2014 (1er semestre 2014)" in text


def test_the_anonymous_public_page_downloads_the_package_and_the_subsidies(shared, downloads):
    visit, _, _ = shared
    at = visit(None, "pages/public.py", state={"pub_tab": "Données ouvertes"})
    _ok(at)
    text = _texts(at)
    assert "Licence Ouverte 2.0" in text and "Données fictives" in text and "Sans donnée personnelle" in text
    assert "seront bientôt proposés" not in text
    assert at.selectbox(key="pub_od_funder").value == "Lille Métropole"
    at.selectbox(key="pub_od_year").select(2013).run()
    _ok(at)
    lines = downloads["subventions-lille-metropole-2013.csv"]().decode("utf-8").splitlines()
    assert lines[0] == SCDL_HEADER and len(lines) > 1
    with zipfile.ZipFile(io.BytesIO(downloads["essdash-donnees-ouvertes.zip"]())) as archive:
        assert archive.testzip() is None
        descriptor = json.loads(archive.read("datapackage.json"))
        values = archive.read("valeurs_indicateurs.csv").decode("utf-8")
    assert descriptor["licenses"][0]["name"] == "etalab-2.0" and descriptor["fictional"] is True
    assert {r["path"] for r in descriptor["resources"]} >= {"projets.csv", "financements.csv", "equite.csv"}
    assert ",2014-S1," in values and ",2014-S2," not in values  # the mixed semester is not published


def test_local_mode_reaches_the_public_view(app):
    at = app("pages/public.py")
    _ok(at)
    assert at.title[0].value.startswith("L'économie sociale")
    scripts = {Path(info["script_path"]).name for info in at._registered_pages.values() if info["script_path"]}
    assert {"public.py", "reponse.py", "synthese.py"} <= scripts


def _questionnaire(engine):
    with connect(engine) as conn:
        project = conn.execute("SELECT MIN(id) FROM project WHERE commune_code = '59512'").scalar_one()
    return project, write_voices.open_questionnaire(
        engine,
        ADMIN,
        project_id=project,
        title="Avis *des* usagers",
        questions=["recommandation", "suggestion"],
        links=6,
    )


def _answer(at, **given):
    for code, value in given.items():
        widget = at.radio(key=f"v-{code}") if code != "suggestion" else at.text_area(key=f"v-{code}")
        widget.set_value(value)
    next(b for b in at.button if b.label == "Envoyer mes réponses").click()
    return at.run()


def test_an_anonymous_answer_through_its_link_then_the_link_refused(shared):
    visit, engine, _ = shared
    _, opened = _questionnaire(engine)
    at = visit(None, "pages/reponse.py", jeton=opened.links[0])
    _ok(at)
    assert "Avis *des* usagers" in _texts(at)  # shown as text, escaped
    at = _answer(at, recommandation="oui", suggestion="Très bien **merci**")
    _ok(at)
    assert "Merci" in at.success[0].value
    with connect(engine) as conn:
        assert conn.execute("SELECT count(*) FROM voiceresponse").scalar_one() == 1
    again = visit(None, "pages/reponse.py", jeton=opened.links[0])
    assert again.warning[0].value == write_voices.USED and not again.radio
    unknown = visit(None, "pages/reponse.py", jeton="x" * 32)
    assert write_voices.UNKNOWN in _texts(unknown) and not unknown.radio


def test_the_mission_opens_a_questionnaire_and_gets_its_links_once(shared, downloads):
    visit, engine, _ = shared
    at = visit("admin@mel.fr", "pages/questionnaires.py", state={"vq_open": True})
    _ok(at)
    with connect(engine) as conn:
        project = conn.execute("SELECT MIN(id) FROM project").scalar_one()
    at.selectbox(key="vq_target").set_value(project)
    at.text_input(key="vq_title").set_value("Avis 2014")
    at.number_input(key="vq_links").set_value(7)
    next(b for b in at.button if b.label == "Ouvrir le questionnaire").click()
    at.run()
    _ok(at)
    links = at.dataframe[0].value["Lien"].tolist()
    assert len(links) == 7 and all("/reponse?jeton=" in link for link in links)
    (name,) = [n for n in downloads if n and n.startswith("liens-questionnaire-")]
    assert downloads[name]().decode("utf-8-sig").count("/reponse?jeton=") == 7
    secret = links[0].rsplit("=", 1)[1]
    with connect(engine) as conn:
        assert conn.execute("SELECT count(*) FROM voicetoken WHERE digest = ?", (dv.digest(secret),)).scalar_one() == 1
    assert _answer(visit(None, "pages/reponse.py", jeton=secret), recommandation="non").success


@pytest.mark.parametrize("email", ["tech.roubaix@mel.fr", "membre@mel.fr", "presidente@mel.fr"])
def test_other_roles_see_no_opening_form(shared, email):
    visit, _, _ = shared
    at = visit(email, "pages/questionnaires.py", state={"vq_open": True})
    _ok(at)
    assert not [b for b in at.button if b.label == "Ouvrir le questionnaire"]
    assert "ne permet pas d'ouvrir un questionnaire" in _texts(at)


def test_the_answers_on_the_indicateurs_page_and_the_project_record(shared):
    visit, engine, _ = shared
    project, opened = _questionnaire(engine)
    for n, secret in enumerate(opened.links[:5]):
        write_voices.answer(engine, secret, {"recommandation": "oui" if n else "non", "suggestion": "Idée **forte**"})
    at = visit("admin@mel.fr", "pages/indicateurs.py", state={"i_tab": "Avis des bénéficiaires"})
    _ok(at)
    text = _texts(at)
    assert "à partir de 5 réponses" in text
    assert at.dataframe[0].value["responses"].sum() == 5
    record = visit("admin@mel.fr", "pages/projets.py", projet=str(project))
    _ok(record)
    text = _texts(record)
    assert "5 réponses ; 80\u00a0% de oui" in text and "Idée **forte**" in text
