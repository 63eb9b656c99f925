"""What the beneficiaries' answers say, counted by hand: per project, fiche, territory and semester,
the count and the sentence; nothing shown below the minimum count (for a question too); the pack's
section; and the public pack, which keeps only the sections of aggregated figures of semesters whose
values are validated."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from essdash.domain import voices as dv
from essdash.read import public, voices
from essdash.read.pack import build
from essdash.render.report.data import as_data
from essdash.write import committee, projects
from essdash.write import voices as write_voices
from essdash.write.actor import Actor
from essdash.write.approval import take_step
from tests.fixtures.stores import connect

LOCAL = Actor("Claire Martin", "mission ESS")
SPRING = datetime(2013, 5, 2, 10, 0)
AUTUMN = datetime(2013, 10, 2, 10, 0)
SATISFIED = "Dans l'ensemble, êtes-vous satisfait(e) de ce que le projet vous a apporté ?"
RECOMMEND = "Recommanderiez-vous ce projet à une personne de votre entourage ?"
PCT = "\u00a0%"


def _project(engine, title: str, commune: str) -> int:
    return projects.create_project(
        engine,
        LOCAL,
        {"title": title, "commune_code": commune, "intervention_mode": "a_qualifier", "sector": "a_qualifier"},
        carrier_name=f"Porteur {title}",
        legal_form="association",
        sheets=["III.4"],
        proposed_on=date(2013, 2, 1),
    )


def _questionnaire(engine, project: int, links: int):
    return write_voices.open_questionnaire(
        engine,
        LOCAL,
        project_id=project,
        title="Avis",
        questions=["satisfaction_globale", "recommandation", "qualite_vie", "suggestion"],
        links=links,
    )


@pytest.fixture
def answered(empty_engine):
    """Roubaix: six answers in spring 2013 and one in autumn; Lille: four answers in spring."""
    engine = empty_engine
    roubaix, lille = _project(engine, "Recyclerie", "59512"), _project(engine, "Épicerie", "59350")
    links = _questionnaire(engine, roubaix, 7).links
    scores = [5, 4, 4, 3, 5, 2]
    yes = ["oui", "oui", "oui", "oui", "oui", "non"]
    for n in range(6):
        given = {"satisfaction_globale": scores[n], "recommandation": yes[n]}
        if n < 2:
            given |= {"qualite_vie": 5, "suggestion": f"Idée n° {n + 1} : ouvrir < 9 h"}
        write_voices.answer(engine, links[n], given, at=SPRING)
    write_voices.answer(engine, links[6], {"recommandation": "non"}, at=AUTUMN)
    for secret in _questionnaire(engine, lille, 4).links:
        write_voices.answer(engine, secret, {"recommandation": "oui", "suggestion": "Rien à redire."}, at=SPRING)
    with connect(engine) as conn:
        sheet = conn.execute("SELECT id FROM actionsheet WHERE code = 'III.4'").scalar_one()
    return engine, roubaix, lille, sheet


def test_the_catalogue_covers_the_five_themes_and_three_kinds():
    found = voices.catalogue()
    assert {q.theme for q in found} == set(dv.THEMES) and {q.kind for q in found} == set(dv.KINDS)


def test_a_projects_answers_in_a_semester_are_counted_and_told(answered):
    engine, roubaix, _, _ = answered
    found = voices.summary(engine, project_id=roubaix, period="2013-S1")
    # 5, 4, 4, 3, 5, 2: mean 23 / 6 = 3,83; 4 of 6 gave 4 or 5 (67 %); 5 « oui » of 6 (83 %);
    # « qualité de vie » answered twice only: not told.
    assert found.responses == 6
    assert found.sentence == (
        f"6 réponses ; 3,8 sur 5 (67{PCT} de 4 ou 5) à « {SATISFIED} » ; 83{PCT} de oui à « {RECOMMEND} »."
    )
    assert [item.question.code for item in found.items] == ["satisfaction_globale", "recommandation"]


def test_all_semesters_fiche_and_territory(answered):
    engine, roubaix, _, sheet = answered
    everything = voices.summary(engine, project_id=roubaix)
    assert everything.responses == 7  # 5 « oui » of 7 now: 71 %
    assert f"71{PCT} de oui à « {RECOMMEND} »" in everything.sentence
    assert voices.summary(engine, territory="roubaisien").responses == 7
    assert voices.summary(engine, commune="59512", period="2013-S1").responses == 6
    # both projects serve the fiche III.4: 6 + 4 answers in spring
    assert voices.summary(engine, sheet_id=sheet, period="2013-S1").responses == 10
    assert voices.summary(engine, territory="lillois", period="2013-S2").sentence == "Aucune réponse des bénéficiaires."


def test_below_the_minimum_count_nothing_is_shown(answered):
    engine, roubaix, lille, _ = answered
    assert dv.MIN_RESPONSES == 5
    for found in (
        voices.summary(engine, project_id=lille),
        voices.summary(engine, project_id=roubaix, period="2013-S2"),
    ):
        assert found.withheld and found.items == ()
        assert found.sentence.startswith("Moins de 5 réponses : les résultats ne sont pas montrés")
    assert voices.free_texts(engine, lille) == []  # four answers: their free texts stay hidden too
    assert voices.free_texts(engine, roubaix) == ["Idée n° 1 : ouvrir < 9 h", "Idée n° 2 : ouvrir < 9 h"]


def test_by_period_lists_each_semester_with_its_sentence(answered):
    engine, *_ = answered
    rows = voices.by_period(engine, territory="roubaisien")
    assert rows["period"].tolist() == ["1er semestre 2013", "2e semestre 2013"]
    assert rows["responses"].tolist() == [6, 1]


def test_the_pack_has_a_section_of_the_answers(answered):
    engine, *_ = answered
    section = next(s for s in build(engine, "2013-S1").sections if s.title == voices.SECTION_TITLE)
    # the metropolis: Roubaix's 6 and Lille's 4 in spring; « oui »: 5 + 4 of 10
    assert f"10 réponses ; 3,8 sur 5 (67{PCT} de 4 ou 5) à « {SATISFIED} » ; 90{PCT} de oui" in section.sentences[0]
    assert "à partir de 5 réponses" in section.sentences[1]
    data = next(s for s in as_data(build(engine, "2013-S1")).get("sections") if s["title"] == voices.SECTION_TITLE)
    assert data["tables"][0]["rows"][1][-1] == f"90{PCT} de oui"
    lille = next(s for s in build(engine, "2013-S1", "lillois").sections if s.title == voices.SECTION_TITLE)
    assert "Moins de 5 réponses" in lille.sentences[0] and not lille.tables


def test_the_public_pack_keeps_aggregated_sections_of_published_semesters_only(answered):
    engine, *_ = answered
    assert public.published_periods(engine) == [] and public.published_day(engine) is None
    committee.create_meeting(engine, LOCAL, body="comite_metropolitain", day=date(2013, 6, 20), title="Comité de juin")
    assert public.published_periods(engine) == []  # its semester's values are not validated yet
    with connect(engine) as conn:
        territories = list(conn.execute("SELECT code FROM territory").scalars())
    for step in ("soumettre", "valider", "verrouiller"):
        take_step(engine, LOCAL, "2013-S1", step, territories)
    assert public.published_periods(engine) == ["2013-S1"]
    assert public.published_day(engine) == date(2013, 6, 30)
    titles = [s.title for s in public.public_pack(engine, "2013-S1").sections]
    full = [s.title for s in build(engine, "2013-S1").sections]
    left_out = {"Depuis le dernier comité", "Fiches du plan", "Propositions et avis du comité"}
    assert set(full) - set(titles) == left_out | {"Évaluation du semestre"}  # it names who took each step
    assert voices.SECTION_TITLE in titles
    with pytest.raises(ValueError, match="n'est pas publié"):
        public.public_pack(engine, "2013-S2")
