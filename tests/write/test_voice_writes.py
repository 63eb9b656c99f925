"""The beneficiaries' questionnaires, written: opening one (the mission ESS, at the gate) gives one-time
links whose secrets the base never keeps; a link gives one answer, in either mode and without an
account; a spent link, a link reused while its first answer is being saved, a bad answer or an unknown
link are refused in French and leave the base byte-identical; the journal names no one."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from essdash.domain import voices as dv
from essdash.domain.errors import AccessError, ValidationError
from essdash.read import voices as read_voices
from essdash.write import comments, members, projects
from essdash.write import voices as write_voices
from essdash.write.actor import Actor
from essdash.write.gate import RESPONDENT
from tests.fixtures.samples import dump
from tests.fixtures.stores import connect

LOCAL = Actor("Claire Martin", "mission ESS")
GOOD = {"recommandation": "oui", "satisfaction_globale": 4, "suggestion": "Plus d'horaires le soir."}


@pytest.fixture
def opened(empty_engine):
    """A project at Roubaix and a questionnaire of three questions with three links on it."""
    engine = empty_engine
    project = projects.create_project(
        engine,
        LOCAL,
        {"title": "Recyclerie", "commune_code": "59512", "intervention_mode": "a_qualifier", "sector": "a_qualifier"},
        carrier_name="Association Réemploi",
        legal_form="association",
        sheets=["III.4"],
        proposed_on=date(2013, 2, 1),
    )
    made = write_voices.open_questionnaire(
        engine,
        LOCAL,
        project_id=project,
        title="Avis 2013",
        questions=["recommandation", "satisfaction_globale", "suggestion"],
        links=3,
    )
    return engine, project, made


def test_opening_gives_links_whose_secrets_the_base_does_not_keep(opened):
    engine, project, made = opened
    assert isinstance(made, write_voices.Opened) and len(set(made.links)) == 3
    assert all(dv.valid_secret(secret) and len(secret) == 32 for secret in made.links)
    everything = "\n".join(dump(engine))
    assert not any(secret in everything for secret in made.links)
    with connect(engine) as conn:
        digests = {row[0] for row in conn.execute("SELECT digest FROM voicetoken").all()}
        journal = conn.execute("SELECT name, deed, summary FROM journal ORDER BY id DESC").first()
    assert digests == {dv.digest(secret) for secret in made.links}
    assert tuple(journal) == (
        "Claire Martin",
        "questionnaire",
        f"Questionnaire n° {int(made)} ouvert sur le projet n° {project} : 3 liens",
    )


def test_an_answer_is_kept_once_and_a_reused_link_is_refused_in_french(opened):
    engine, _, made = opened
    response = write_voices.answer(engine, made.links[0], GOOD, at=datetime(2013, 5, 2, 10, 0))
    with connect(engine) as conn:
        kept = conn.execute(
            "SELECT question, score, text FROM voiceanswer WHERE response_id = ? ORDER BY question", (response,)
        ).all()
        period = conn.execute("SELECT period FROM voiceresponse").scalar_one()
        journal = conn.execute("SELECT account, name, role, deed, summary FROM journal ORDER BY id DESC").first()
    assert [tuple(row) for row in kept] == [
        ("recommandation", 1, None),
        ("satisfaction_globale", 4, None),
        ("suggestion", None, "Plus d'horaires le soir."),
    ]
    assert period == "2013-S1"
    # the journal says which questionnaire, never who nor what
    assert tuple(journal) == (
        None,
        "Répondant anonyme",
        "bénéficiaire",
        "reponse",
        f"Réponse au questionnaire n° {int(made)}",
    )
    before = dump(engine)
    with pytest.raises(ValidationError, match="Ce lien a déjà servi"):
        write_voices.answer(engine, made.links[0], GOOD)
    assert dump(engine) == before


def test_a_link_reused_while_its_first_answer_is_saved_is_refused_under_the_lock(opened, monkeypatch):
    """Both answers read the link as unspent before either takes the lock (as two servers would):
    the second is refused by the spending itself, not by the earlier look."""
    engine, _, made = opened
    stale = read_voices.questionnaire_of(engine, made.links[1])
    monkeypatch.setattr(read_voices, "questionnaire_of", lambda *_: stale)
    write_voices.answer(engine, made.links[1], GOOD)
    before = dump(engine)
    with pytest.raises(ValidationError, match="Ce lien a déjà servi"):
        write_voices.answer(engine, made.links[1], {"recommandation": "non"})
    assert dump(engine) == before
    with connect(engine) as conn:
        assert conn.execute("SELECT count(*) FROM voiceresponse").scalar_one() == 1


@pytest.mark.parametrize(
    "answers, message",
    [
        ({"recommandation": "peut-être"}, "répondez « oui » ou « non »"),
        ({"satisfaction_globale": 6}, "choisissez une note de 1 à 5"),
        ({"satisfaction_globale": True}, "choisissez une note de 1 à 5"),
        ({"suggestion": "<script>alert(1)</script>"}, "balise"),
        ({"suggestion": "x" * (dv.TEXT_LENGTH + 1)}, str(dv.TEXT_LENGTH)),
        ({"acces_emploi": "oui"}, "ne fait pas partie du questionnaire"),
        ({"recommandation": None, "suggestion": "  "}, "répondez à au moins une question"),
    ],
    ids=["yes-no", "scale", "bool", "markup", "long", "other-question", "empty"],
)
def test_a_bad_answer_is_refused_in_french_and_writes_nothing(opened, answers, message):
    engine, _, made = opened
    before = dump(engine)
    with pytest.raises(ValidationError, match=message):
        write_voices.answer(engine, made.links[2], answers)
    assert dump(engine) == before
    assert not read_voices.questionnaire_of(engine, made.links[2]).used  # the link still serves


@pytest.mark.parametrize("secret", ["", "a" * 65, "../../etc", "inconnu-" + "x" * 20])
def test_an_unknown_or_malformed_link_is_refused(opened, secret):
    engine, _, _ = opened
    before = dump(engine)
    with pytest.raises(ValidationError, match="n'est pas \\(ou plus\\) valable"):
        write_voices.answer(engine, secret, GOOD)
    assert dump(engine) == before


def test_in_shared_mode_anyone_with_a_link_answers_but_the_respondent_does_nothing_else(opened, monkeypatch):
    engine, project, made = opened
    monkeypatch.setenv("ESSDASH_MODE", "partage")
    write_voices.answer(engine, made.links[0], GOOD)
    before = dump(engine)
    with pytest.raises(AccessError, match="on ne peut que répondre"):
        comments.add_comment(engine, RESPONDENT, "projet", project, "beneficiaire", "Bonjour.")
    with pytest.raises(AccessError, match="on ne peut que répondre"):
        write_voices.open_questionnaire(
            engine, RESPONDENT, project_id=project, title="T", questions=["recommandation"], links=1
        )
    assert dump(engine) == before


@pytest.mark.parametrize(
    "role, allowed",
    [("administrateur", True), ("mission", True), ("presidence", False), ("technicien", False), ("membre", False)],
)
def test_only_the_mission_and_administrators_open_questionnaires(opened, monkeypatch, role, allowed):
    engine, project, _ = opened
    members.save_member(engine, LOCAL, "admin@mel.fr", "administrateur")
    members.save_member(engine, LOCAL, f"{role}@mel.fr", role, territory="roubaisien" if role == "technicien" else None)
    monkeypatch.setenv("ESSDASH_MODE", "partage")
    person = Actor("?", "?", f"{role}@mel.fr")
    before = dump(engine)

    def opening():
        return write_voices.open_questionnaire(
            engine, person, project_id=project, title="T", questions=["recommandation"], links=2
        )

    if allowed:
        assert len(opening().links) == 2
    else:
        with pytest.raises(AccessError, match="ouvrir un questionnaire des bénéficiaires"):
            opening()
        assert dump(engine) == before


PROJECT = "le projet du fixture"


@pytest.mark.parametrize(
    "where, changes, message",
    [
        ({}, {}, "un projet ou une fiche"),
        ({"project_id": PROJECT, "sheet_id": 1}, {}, "un projet ou une fiche"),
        ({"project_id": 999}, {}, "introuvable"),
        ({"project_id": PROJECT}, {"questions": []}, "au moins une"),
        ({"project_id": PROJECT}, {"questions": ["inventee"]}, "du catalogue"),
        ({"project_id": PROJECT}, {"links": 0}, f"de 1 à {dv.MAX_LINKS}"),
        ({"project_id": PROJECT}, {"links": dv.MAX_LINKS + 1}, f"de 1 à {dv.MAX_LINKS}"),
        ({"project_id": PROJECT}, {"title": " "}, "donnez un titre"),
    ],
    ids=["none", "both", "unknown-project", "no-question", "unknown-question", "no-link", "too-many", "no-title"],
)
def test_a_bad_opening_is_refused_and_writes_nothing(opened, where, changes, message):
    engine, project, _ = opened
    target = {key: project if value == PROJECT else value for key, value in where.items()}
    values = {"title": "Avis", "questions": ["recommandation"], "links": 5, **changes}
    before = dump(engine)
    with pytest.raises(ValidationError, match=message):
        write_voices.open_questionnaire(engine, LOCAL, **target, **values)
    assert dump(engine) == before


def test_a_form_submitted_twice_opens_one_questionnaire(opened):
    engine, project, _ = opened
    first = write_voices.open_questionnaire(
        engine, LOCAL, project_id=project, title="A", questions=["recommandation"], links=2, once="t" * 32
    )
    again = write_voices.open_questionnaire(
        engine, LOCAL, project_id=project, title="A", questions=["recommandation"], links=2, once="t" * 32
    )
    assert int(again) == int(first) and "déjà ouvert" in again.notice
    with connect(engine) as conn:
        assert (
            conn.execute("SELECT count(*) FROM voicetoken WHERE questionnaire_id = ?", (int(first),)).scalar_one() == 2
        )
