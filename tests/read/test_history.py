"""« Status on date » for projects and fiches, on a hand-built database whose answers are written
out by hand from the dated rows below, and on the demo checked against a plain-Python replay."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import insert, select

from essdash.domain import models as m
from essdash.read import history

NOW = datetime(2014, 12, 1, 9, 0)


@pytest.fixture
def base(empty_engine):
    """Three projects with dated steps, and two fiches with dated changes."""
    project = {
        "carrier_id": 1,
        "commune_code": "59512",
        "intervention_mode": "convention_objectifs",
        "sector": "mobilite",
        "updated_at": NOW,
    }
    with empty_engine.begin() as conn:
        conn.execute(insert(m.Organisation), [{"id": 1, "name": "SCOP Roule", "legal_form": "scop"}])
        conn.execute(
            insert(m.Project),
            [
                {**project, "id": 1, "title": "A", "status": "en_cours", "proposed_on": date(2012, 3, 1)},
                {**project, "id": 2, "title": "B", "status": "realise", "proposed_on": date(2013, 2, 1)},
                # no dated step at all: stands at its recorded status once proposed
                {**project, "id": 3, "title": "C", "status": "valide", "proposed_on": date(2013, 9, 1)},
            ],
        )
        step = {"author": "x", "comment": ""}
        conn.execute(
            insert(m.ProjectEvent),
            [
                {**step, "project_id": 1, "date": date(2012, 3, 1), "to_status": "propose"},
                {**step, "project_id": 1, "date": date(2012, 5, 10), "to_status": "valide"},
                {**step, "project_id": 1, "date": date(2012, 6, 20), "to_status": "retenu"},
                {**step, "project_id": 1, "date": date(2013, 1, 15), "to_status": "en_cours"},
                {**step, "project_id": 2, "date": date(2013, 2, 1), "to_status": "propose"},
                # two steps on the same day: the later row wins
                {**step, "project_id": 2, "date": date(2013, 6, 18), "to_status": "valide"},
                {**step, "project_id": 2, "date": date(2013, 6, 18), "to_status": "retenu"},
                {**step, "project_id": 2, "date": date(2014, 6, 30), "to_status": "realise"},
            ],
        )
        sheets = {row.code: row.id for row in conn.execute(select(m.ActionSheet.id, m.ActionSheet.code))}
        conn.execute(m.ActionSheet.__table__.update().values(status="realisee", progress=100))
        change = {"author": "x", "role": "mission ESS", "comment": "c"}
        conn.execute(
            insert(m.ActionSheetHistory),
            [
                {
                    **change,
                    "sheet_id": sheets["I.1"],
                    "changed_at": datetime(2012, 1, 10, 10),
                    "field": "status",
                    "old_value": "a_venir",
                    "new_value": "en_cours",
                },
                {
                    **change,
                    "sheet_id": sheets["I.1"],
                    "changed_at": datetime(2012, 7, 1, 10),
                    "field": "progress",
                    "old_value": "0",
                    "new_value": "40",
                },
                {
                    **change,
                    "sheet_id": sheets["I.1"],
                    "changed_at": datetime(2013, 12, 31, 23, 30),
                    "field": "progress",
                    "old_value": "40",
                    "new_value": "70",
                },
                {
                    **change,
                    "sheet_id": sheets["I.1"],
                    "changed_at": datetime(2014, 11, 2, 10),
                    "field": "status",
                    "old_value": "en_cours",
                    "new_value": "realisee",
                },
                {
                    **change,
                    "sheet_id": sheets["I.1"],
                    "changed_at": datetime(2014, 11, 2, 10),
                    "field": "progress",
                    "old_value": "70",
                    "new_value": "100",
                },
            ],
        )
    return empty_engine, sheets


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2012, 2, 28), {}),
        (date(2012, 3, 1), {1: "propose"}),
        (date(2012, 12, 31), {1: "retenu"}),
        (date(2013, 6, 17), {1: "en_cours", 2: "propose"}),
        (date(2013, 6, 18), {1: "en_cours", 2: "retenu"}),
        (date(2013, 12, 31), {1: "en_cours", 2: "retenu", 3: "valide"}),
        (date(2014, 12, 31), {1: "en_cours", 2: "realise", 3: "valide"}),
    ],
)
def test_project_steps_on_a_day(base, day, expected):
    engine, _ = base
    steps = history.project_steps_on(engine, day)
    assert dict(zip(steps["project_id"], steps["status"])) == expected


@pytest.mark.parametrize(
    ("day", "status", "progress"),
    [
        (date(2011, 6, 30), "a_venir", 0),  # before any change: the first change's old values
        (date(2012, 1, 10), "en_cours", 0),  # a change counts on its own day
        (date(2012, 12, 31), "en_cours", 40),
        (date(2013, 12, 31), "en_cours", 70),  # 23:30 on the last day of the semester counts
        (date(2014, 12, 31), "realisee", 100),
    ],
)
def test_sheet_state_on_a_day(base, day, status, progress):
    engine, _ = base
    states = history.sheet_states_on(engine, day).set_index("code")
    assert (states.loc["I.1", "status"], states.loc["I.1", "progress"]) == (status, progress)
    # a fiche without any change keeps its recorded status and progress whatever the day
    assert (states.loc["I.2", "status"], states.loc["I.2", "progress"]) == ("realisee", 100)


def test_demo_steps_match_a_replay_of_the_events(demo_engine):
    """On the demo, for three semester ends: a plain-Python replay of every dated step."""
    with demo_engine.connect() as conn:
        projects = conn.execute(select(m.Project.id, m.Project.proposed_on, m.Project.status)).all()
        events = conn.execute(
            select(m.ProjectEvent.project_id, m.ProjectEvent.date, m.ProjectEvent.to_status).order_by(m.ProjectEvent.id)
        ).all()
    for day in (date(2012, 6, 30), date(2013, 12, 31), date(2014, 12, 31)):
        expected = {}
        for pid, proposed, status in projects:
            if proposed > day:
                continue
            own = [(d, i, s) for i, (p, d, s) in enumerate(events) if p == pid and d <= day]
            expected[pid] = max(own)[2] if own else status
        steps = history.project_steps_on(demo_engine, day)
        assert dict(zip(steps["project_id"], steps["status"])) == expected
        assert len(expected) > 10
