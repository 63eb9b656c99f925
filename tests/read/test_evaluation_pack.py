"""The evaluation on the demo and in the meeting pack: the demo's past semesters are locked (one
territory's 2nd semester 2013 reopened and locked again), the latest in a mix; the pack says how
complete the semester is and whether it was reopened, lists the semester's register entries, and
marks « provisoire » the figures resting on values not yet validated — in the data, JSON, PDF and
PowerPoint alike. Expected values are counted here from the rows themselves."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from pptx import Presentation
from pypdf import PdfReader
from sqlalchemy import select

from essdash.domain import models as m
from essdash.domain.models_evaluation import PlanIncident, SemesterApproval, SemesterApprovalStep
from essdash.read import approval, pack
from essdash.read.pack import evaluation as pack_evaluation
from essdash.render import report


def _states(engine) -> dict[tuple[str, str], str]:
    with engine.connect() as conn:
        return {
            (p, t): s
            for p, t, s in conn.execute(
                select(SemesterApproval.period, SemesterApproval.territory_code, SemesterApproval.state)
            )
        }


def test_the_demo_locks_the_past_semesters_and_mixes_the_latest(demo_engine):
    states = _states(demo_engine)
    past = {s for (p, _), s in states.items() if p != "2014-S2"}
    latest = sorted(s for (p, _), s in states.items() if p == "2014-S2")
    assert past == {"verrouille"} and len(states) - len(latest) == 7 * 8
    assert latest == ["saisie", "soumis", "soumis", "valide", "valide", "valide"]  # two more never moved
    with demo_engine.connect() as conn:
        reopened = conn.execute(select(SemesterApprovalStep.period).where(SemesterApprovalStep.step == "rouvrir")).all()
        texts = conn.execute(select(PlanIncident.what)).scalars().all()
    assert reopened == [("2013-S2",)]
    assert texts and all("fictif" in text for text in texts)


def test_the_completeness_of_the_latest_semester(demo_engine):
    cells = approval.completeness(demo_engine, "2014-S2")
    with demo_engine.connect() as conn:
        entered = conn.execute(select(m.Indicator.code).where(m.Indicator.kind == "entered")).scalars().all()
    assert len(cells) == 8 * len(entered)
    counts = cells.groupby("status")["place"].nunique().to_dict()
    assert counts == {"saisi": 3, "soumis": 2, "validé": 3}
    reminders = approval.reminders(demo_engine, "2014-S2", date(2014, 12, 15))
    assert len(reminders) == 3 and set(reminders["État"]) == {"En saisie"}
    sent_back = reminders[reminders["En saisie depuis"] == date(2014, 12, 7)]
    assert len(sent_back) == 1 and sent_back["Jours d'attente"].iloc[0] == 8  # sent back 7/12, reminded 15/12


@pytest.fixture(scope="module")
def latest(demo_engine):
    return pack.build(demo_engine, "2014-S2")


def _section(built):
    return next(s for s in built.sections if s.title == pack_evaluation.TITLE)


def test_the_pack_says_how_complete_and_provisional_the_semester_is(latest, demo_engine):
    section = _section(latest)
    assert section.sentences[0] == (
        "Valeurs des indicateurs saisis, 2e semestre 2014 : 3 en saisie, 2 soumis, 3 validés (sur 8 lieux) ; "
        "96 valeurs saisies sur 96 attendues (100\u00a0%)."
    )
    assert "provisoires" in section.sentences[1]
    tables = dict(section.tables)
    assert list(tables[pack_evaluation.STATES_TABLE]["État"]).count("Validé") == 3
    register = tables[pack_evaluation.REGISTER_TABLE]
    assert list(register["Date"]) == [date(2014, 10, 12), date(2014, 11, 12)]  # the semester's entries only
    indicators = next(s for s in latest.sections if s.title == "Indicateurs et cibles").sentences
    assert any("Emplois créés — Métropole" in s and "(provisoire)" in s for s in indicators)
    assert not any("Projets pour 10 000 habitants — " in s and "provisoire" in s for s in indicators)  # computed


def test_a_locked_semester_is_not_provisional_and_says_it_was_reopened(demo_engine):
    built = pack.build(demo_engine, "2013-S2")
    section = _section(built)
    assert not any("provisoire" in s for s in section.sentences)
    reopened = [s for s in section.sentences if s.startswith("Semestre rouvert")]
    assert len(reopened) == 1 and "Couronne Nord de Lille" in reopened[0] and "le 10/04/2014" in reopened[0]
    indicators = next(s for s in built.sections if s.title == "Indicateurs et cibles").sentences
    assert not any("provisoire" in s for s in indicators)


def test_json_pdf_and_pptx_carry_the_evaluation(latest):
    data = json.loads(report.render(latest, "json"))
    section = next(s for s in data["sections"] if s["title"] == pack_evaluation.TITLE)
    assert section["sentences"] == _section(latest).sentences
    assert [t["title"] for t in section["tables"]] == [pack_evaluation.STATES_TABLE, pack_evaluation.REGISTER_TABLE]
    pdf = " ".join(
        " ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(report.render(latest, "pdf"))).pages
    )
    assert pack_evaluation.TITLE in pdf and "3 validés" in pdf and "(provisoire)" in pdf
    slides = Presentation(io.BytesIO(report.render(latest, "pptx"))).slides
    texts = " ".join(shape.text_frame.text for slide in slides for shape in slide.shapes if shape.has_text_frame)
    assert pack_evaluation.TITLE in texts and "3 validés" in texts
