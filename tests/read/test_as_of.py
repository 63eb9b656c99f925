"""Figures « situation au … »: on the demo, for several past semester ends and territories, the
reads with ``Filters(as_of=…)`` equal a plain-Python replay of the dated rows written in this test."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from sqlalchemy import select

from essdash.domain import models as m
from essdash.read import places, proceedings, queries
from essdash.read.filters import Filters
from essdash.read.selection import resolve

DAYS = (date(2012, 6, 30), date(2013, 12, 31), date(2014, 6, 30))


@pytest.fixture(scope="module")
def raw(demo_engine):
    """Every project, step, funding and commune of the demo, as plain tuples."""
    with demo_engine.connect() as conn:
        projects = conn.execute(
            select(
                m.Project.id, m.Project.proposed_on, m.Project.status, m.Project.commune_code, m.Project.jobs_created
            )
        ).all()
        events = conn.execute(
            select(m.ProjectEvent.project_id, m.ProjectEvent.date, m.ProjectEvent.id, m.ProjectEvent.to_status)
        ).all()
        fundings = conn.execute(select(m.Funding.project_id, m.Funding.year, m.Funding.amount)).all()
        extra = conn.execute(select(m.ProjectCommune.project_id, m.ProjectCommune.commune_code)).all()
        communes = dict(conn.execute(select(m.Commune.insee_code, m.Commune.territory_code)).all())
    return projects, events, fundings, extra, communes


def _replay(raw, day: date, territory: str | None = None) -> dict[int, str]:
    """Each project proposed by ``day`` (in ``territory``: primary or further commune) → its step that day."""
    projects, events, _, extra, communes = raw
    further: dict[int, set[str]] = {}
    for pid, code in extra:
        further.setdefault(pid, set()).add(communes[code])
    steps = {}
    for pid, proposed, status, commune, _jobs in projects:
        if proposed > day:
            continue
        if territory and communes[commune] != territory and territory not in further.get(pid, set()):
            continue
        own = sorted((d, i, s) for p, d, i, s in events if p == pid and d <= day)
        steps[pid] = own[-1][2] if own else status
    return steps


@pytest.mark.parametrize("day", DAYS)
@pytest.mark.parametrize("territory", [None, "roubaisien", "weppes"])
def test_projects_by_step_on_a_past_day(demo_engine, raw, day, territory):
    expected = Counter(_replay(raw, day, territory).values())
    table = queries.projects_by_status(demo_engine, Filters(territory=territory, as_of=day))
    assert dict(zip(table["status"], table["projects"])) == {s: expected.get(s, 0) for s in table["status"]}
    assert sum(expected.values()) > 0


@pytest.mark.parametrize("day", DAYS)
def test_money_and_jobs_on_a_past_day(demo_engine, raw, day):
    projects, _, fundings, _, _ = raw
    alive = _replay(raw, day)
    money = sum(amount for pid, year, amount in fundings if pid in alive and year <= day.year)
    jobs = sum(j for pid, *_rest, j in projects if pid in alive)
    figures = queries.key_figures(demo_engine, Filters(as_of=day))
    assert figures["projects"] == len(alive)
    assert figures["money"] == pytest.approx(money)
    assert figures["jobs_created"] == jobs


@pytest.mark.parametrize("day", DAYS)
def test_a_step_filter_uses_the_step_of_that_day(demo_engine, raw, day):
    expected = sorted(pid for pid, step in _replay(raw, day).items() if step == "valide")
    register = queries.project_register(demo_engine, Filters(statuses=("valide",), as_of=day))
    assert sorted(register["id"]) == expected


def test_places_add_up_to_the_metropolis_on_a_past_day(demo_engine, raw):
    day = date(2013, 12, 31)
    figures = places.place_figures(demo_engine, Filters(as_of=day), "territory")
    assert figures["projects"].sum() == len(_replay(raw, day))
    for code in ("roubaisien", "lillois"):
        projects, _, _, _, communes = raw
        primary = {pid for pid, proposed, _s, commune, _j in projects if proposed <= day and communes[commune] == code}
        assert figures.set_index("code").loc[code, "projects"] == len(primary)


@pytest.mark.parametrize("territory", [None, "roubaisien"])
def test_agenda_and_pipeline_on_a_past_day(demo_engine, raw, territory):
    day = date(2013, 12, 31)
    steps = _replay(raw, day, territory)
    filters = resolve(demo_engine, territory=territory, as_of=day)
    agenda = proceedings.agenda(demo_engine, filters)
    assert sorted(agenda.awaiting["id"]) == sorted(pid for pid, step in steps.items() if step == "valide")
    assert agenda.last is not None and agenda.last.date < day
    assert agenda.following is not None and agenda.following.date >= day
    pipeline = proceedings.pipeline(demo_engine, filters)
    expected = Counter(step for step in steps.values() if step in ("propose", "renvoye", "valide"))
    assert pipeline.groupby("status")["projects"].sum().to_dict() == dict(expected)
    assert (pipeline["max_days"] >= 0).all()
